import type { Request } from 'express';

const IMPORTS_PATH = /^\/v1\/workspaces\/[^/]+\/pools\/[^/]+\/imports\/?$/;

/** A migration's upload, in whichever media type: the one route that takes NDJSON besides JSON. */
export function isImportUpload(req: Request): boolean {
  return req.method === 'POST' && IMPORTS_PATH.test(req.path);
}

/** NDJSON uploads stream straight into PostgreSQL; the JSON body parser must leave them alone. */
export function isNdjsonImport(req: Request): boolean {
  return isImportUpload(req) && req.is('application/x-ndjson') === 'application/x-ndjson';
}
