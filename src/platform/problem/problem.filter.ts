import { ArgumentsHost, Catch, ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { Request, Response } from 'express';
import { isConnectionLost, RETRY_AFTER_LOST_CONNECTION_SECONDS } from '../database/pg-errors';
import { AllowedMethods } from '../http/route-methods';
import { AppError } from './app-error';
import { genericProblem, problemFromAppError, writeProblem } from './problem';

/** Turns every error into problem+json; anything unexpected becomes a 500 that reveals nothing. */
@Catch()
export class ProblemFilter implements ExceptionFilter {
  private readonly logger = new Logger('ProblemFilter');

  constructor(private readonly allowedMethods: AllowedMethods) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<Response>();
    const req = http.getRequest<Request>();

    if (exception instanceof AppError) {
      writeProblem(res, problemFromAppError(exception), exception.headers);
      return;
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const allowed = status === 404 ? this.allowedMethods(req.path) : [];
      if (allowed.length) {
        writeProblem(res, genericProblem(405, `${req.path} does not answer ${req.method}; it answers ${allowed.join(', ')}. See /docs for the API.`), { Allow: allowed.join(', ') });
        return;
      }
      const detail = status === 404 ? `No route for ${req.method} ${req.path}. See /docs for the API.` : exception.message;
      writeProblem(res, genericProblem(status, detail));
      return;
    }
    const context = { err: exception, requestId: req.id, method: req.method, path: req.path };
    if (isConnectionLost(exception)) {
      // Not a bug: PostgreSQL restarted or is unreachable, and the same request is likely to succeed shortly.
      this.logger.error(context, 'Request failed: PostgreSQL connection lost or refused');
      // The same problem type as /health/ready's 503: one condition, one type.
      const unavailable = new AppError(
        503,
        'Service unavailable',
        `The database could not be reached, or went away during the request. Retry in ${RETRY_AFTER_LOST_CONNECTION_SECONDS} seconds; if it persists, report it with the request id ${String(req.id)}.`,
      );
      writeProblem(res, problemFromAppError(unavailable), { 'Retry-After': String(RETRY_AFTER_LOST_CONNECTION_SECONDS) });
      return;
    }
    this.logger.error(context, 'Unhandled error');
    // The request id (also in X-Request-Id and on the log line above) lets support find what happened.
    writeProblem(res, genericProblem(500, `Something went wrong on our side. Retry later; if it persists, report it with the request id ${String(req.id)}.`));
  }
}
