import type { NextFunction, Request, Response } from 'express';
import { randomUUID } from 'node:crypto';

export const REQUEST_ID_HEADER = 'X-Request-Id';

/**
 * An id the load balancer set is kept (behind TRUST_PROXY only, where a proxy is known to
 * set headers) when it is this plain, so one id follows the request through both logs.
 */
const UPSTREAM_ID = /^[A-Za-z0-9._:-]{8,128}$/;

/**
 * Gives every request an id before anything else runs, answers it in `X-Request-Id`, and
 * leaves it on `req.id`, where pino-http takes it for the log line. So any answer (a
 * refused body, a 404, a 500 saying nothing internal) can be matched with its log line;
 * pino-http's own ids were a per-process counter the client never saw.
 */
export function requestId(keepUpstream: boolean) {
  return (req: Request, res: Response, next: NextFunction) => {
    const upstream = keepUpstream ? req.headers['x-request-id'] : undefined;
    const id = typeof upstream === 'string' && UPSTREAM_ID.test(upstream) ? upstream : randomUUID();
    req.id = id;
    res.setHeader(REQUEST_ID_HEADER, id);
    next();
  };
}
