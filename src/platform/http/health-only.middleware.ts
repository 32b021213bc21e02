import type { NextFunction, Request, Response } from 'express';
import { AppError } from '../problem/app-error';
import { problemFromAppError, writeProblem } from '../problem/problem';

const ELSEWHERE = new AppError(
  404,
  'Not found',
  'This process runs ROLE=worker: it answers only /health/live and /health/ready. The API is served by a process with ROLE=api or ROLE=all.',
);

/**
 * A worker listens only so that an orchestrator can probe it (liveness, and readiness as
 * PostgreSQL and Redis answer it); everything else is refused, saying where the API is.
 */
export function healthOnly(req: Request, res: Response, next: NextFunction): void {
  if (req.path.startsWith('/health/')) return next();
  writeProblem(res, problemFromAppError(ELSEWHERE));
}
