import type { Request } from 'express';

const IMPORTS_PATH = /^\/v1\/workspaces\/[^/]+\/pools\/[^/]+\/imports\/?$/;

/** NDJSON uploads stream straight into PostgreSQL; the JSON body parser must leave them alone. */
export function isNdjsonImport(req: Request): boolean {
  return req.method === 'POST' && IMPORTS_PATH.test(req.path) && req.is('application/x-ndjson') === 'application/x-ndjson';
}
