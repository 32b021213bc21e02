import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { json } from 'express';
import { Logger } from '@nestjs/common';
import { isUtf8 } from 'node:buffer';
import { redactUrlSecrets } from '../logging/logging.module';
import { AppError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../problem/app-error';
import { problemFromAppError, writeProblem } from '../problem/problem';
import { nestedDeeperThan } from './json-depth';

const logger = new Logger('JsonBody');

export const JSON_BODY_LIMIT_BYTES = 10 * 1024 * 1024;

/**
 * What a request without a key may make the service read and parse: the self-service API
 * takes a token, an email, a password and names, as its hosted forms do. Parsing 10 MB of
 * JSON holds the event loop for tens of milliseconds, before any rate limit can count it.
 */
export const SMALL_BODY_LIMIT_BYTES = 16 * 1024;

/** "10 MB", "16 KB". */
export function describeSize(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${bytes / 1024 / 1024} MB` : `${bytes / 1024} KB`;
}

/** Far more than any request of the API needs (attributes nest at most ATTRIBUTES_DEPTH_LIMIT deep). */
const BODY_DEPTH_LIMIT = 64;

const JSON_TYPE = /^application\/([a-z0-9.+-]+\+)?json$/i;

export function hasBody(req: Request): boolean {
  return req.headers['transfer-encoding'] !== undefined || Number(req.headers['content-length'] ?? 0) > 0;
}

export function mediaType(req: Request): string {
  return (req.headers['content-type'] ?? '').split(';')[0].trim();
}

interface BodyParserError extends Error {
  type?: string;
  status?: number;
}

function toAppError(error: BodyParserError, limit: number): AppError {
  switch (error.type) {
    case 'entity.too.large':
      return new PayloadTooLargeError(
        limit === JSON_BODY_LIMIT_BYTES
          ? `The body is larger than ${describeSize(limit)}. Send less per request (bulk imports accept NDJSON up to IMPORT_MAX_UPLOAD_BYTES, 2 GB by default).`
          : `The body is larger than ${describeSize(limit)}, the most this endpoint takes.`,
      );
    case 'encoding.invalid':
      return new BadRequestError('The body is not valid UTF-8, which JSON must be. Re-encode it (from Latin-1 or Windows-1252, say) and send it again.');
    case 'entity.parse.failed':
      return new BadRequestError('The body is not valid JSON. Check quoting, commas and brackets.');
    case 'charset.unsupported':
    case 'encoding.unsupported':
      return new UnsupportedMediaTypeError('Send JSON encoded as UTF-8, without content encoding.');
    default:
      return new BadRequestError('The body could not be read.');
  }
}

/**
 * The parser would decode bytes that are not UTF-8 into U+FFFD and carry on, so a
 * Latin-1 "José" would be stored as "Jos\uFFFD": refused instead, with nothing written.
 */
function refuseInvalidUtf8(_req: unknown, _res: unknown, body: Buffer): void {
  if (!isUtf8(body)) throw Object.assign(new Error('the body is not UTF-8'), { type: 'encoding.invalid', status: 400 });
}

/** How a refused body is answered: a problem for the API, a page for the hosted forms. */
export type BodyRefusalWriter = (res: Response, error: AppError) => void;

const asProblem: BodyRefusalWriter = (res, error) => writeProblem(res, problemFromAppError(error));

/** Answers a body the parser refused (with a problem unless `write` says otherwise), and logs it. */
export function refuseBody(req: Request, res: Response, error: AppError, write: BodyRefusalWriter = asProblem): void {
  // The request line has only the status: this says why the body was refused.
  logger.warn({ method: req.method, url: redactUrlSecrets(req.originalUrl), status: error.status, detail: error.detail }, 'Request body refused');
  // Drain what is left so the client reads our answer instead of a reset connection.
  req.resume();
  write(res, error);
}

export interface JsonBodyRoutes {
  /** Routes that take other media types (streams, forms) and parse their own bodies. */
  passThrough: (req: Request) => boolean;
  /** What a route takes besides JSON, named in its 415. */
  alsoAccepted?: (req: Request) => string | null;
  /** Routes held to SMALL_BODY_LIMIT_BYTES instead of JSON_BODY_LIMIT_BYTES. */
  small?: (req: Request) => boolean;
}

/**
 * Parses JSON bodies and answers problem+json for what cannot be parsed: other media
 * types (415), malformed JSON (400) and bodies over the route's limit (413).
 */
export function jsonBody(routes: JsonBodyRoutes): RequestHandler {
  const parser = (limit: number) => ({ limit, parse: json({ limit, type: () => true, verify: refuseInvalidUtf8 }) });
  const large = parser(JSON_BODY_LIMIT_BYTES);
  const small = parser(SMALL_BODY_LIMIT_BYTES);
  const { passThrough, alsoAccepted = () => null } = routes;
  return (req: Request, res: Response, next: NextFunction) => {
    if (!hasBody(req) || passThrough(req)) return next();
    const fail = (error: AppError) => refuseBody(req, res, error);
    const type = mediaType(req);
    if (!JSON_TYPE.test(type)) {
      const other = alsoAccepted(req);
      return fail(new UnsupportedMediaTypeError(`Content-Type ${type || '(none)'} is not supported here; send application/json${other ? ` or ${other}` : ''}.`));
    }
    const { limit, parse } = routes.small?.(req) ? small : large;
    parse(req, res, (error?: BodyParserError) => {
      if (error) return fail(toAppError(error, limit));
      if (nestedDeeperThan(req.body, BODY_DEPTH_LIMIT)) return fail(new BadRequestError(`The body nests arrays and objects more than ${BODY_DEPTH_LIMIT} deep.`));
      next();
    });
  };
}
