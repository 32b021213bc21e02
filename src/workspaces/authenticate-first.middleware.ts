import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { UnauthorizedError } from '../platform/problem/app-error';
import { problemFromAppError, writeProblem } from '../platform/problem/problem';
import { Principal } from './principal';
import { WorkspacesService } from './workspaces.service';

/** The API key of a request, when it sends one as the contract says. */
export function bearerKey(req: Request): string | null {
  return /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? '')?.[1] ?? null;
}

/**
 * Authenticates management requests before their body is read: a caller without a valid
 * key gets 401 whatever it sent (not a 415 or 413 about a body), and no body of up to the
 * JSON limit is parsed for it. ManagementGuard takes the principal found here. When the
 * key cannot be checked now (PostgreSQL away), the request goes on and the guard answers
 * as it would have (503).
 */
export function authenticateFirst(workspaces: WorkspacesService): RequestHandler {
  return (req: Request & { principal?: Principal }, res: Response, next: NextFunction) => {
    const key = bearerKey(req);
    const refuse = () => {
      const error = new UnauthorizedError();
      writeProblem(res, problemFromAppError(error), error.headers);
    };
    if (!key) return refuse();
    workspaces.authenticate(key).then(
      (principal) => {
        if (!principal) return refuse();
        req.principal = principal;
        next();
      },
      () => next(),
    );
  };
}
