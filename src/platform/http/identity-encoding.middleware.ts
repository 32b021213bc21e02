import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UnsupportedMediaTypeError } from '../problem/app-error';
import { refuseBody } from './json-body.middleware';

/**
 * For routes that read their body as it comes (NDJSON imports stream it into PostgreSQL):
 * nothing decodes a Content-Encoding there, so a gzip upload was stored as binary lines
 * and reported as one invalid record after a 202. RFC 9110 §15.5.16: 415, with
 * Accept-Encoding saying what is taken.
 */
export function identityEncodingOnly(applies: (req: Request) => boolean): RequestHandler {
  return (req: Request, res: Response, next: NextFunction) => {
    const encoding = (req.headers['content-encoding'] ?? '').trim().toLowerCase();
    if (encoding === '' || encoding === 'identity' || !applies(req)) return next();
    res.setHeader('Accept-Encoding', 'identity');
    refuseBody(req, res, new UnsupportedMediaTypeError(`Content-Encoding ${encoding} is not supported for this upload; send it uncompressed.`));
  };
}
