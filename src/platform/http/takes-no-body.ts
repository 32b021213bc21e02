import { CallHandler, ExecutionContext, Injectable, NestInterceptor, UseInterceptors } from '@nestjs/common';
import { Observable } from 'rxjs';
import { ValidationFailedError } from '../problem/app-error';

/**
 * An action that reads no body (a re-send, a sign-out, a cancel) refuses fields sent to it:
 * whoever sent them expected them to count (a recipient for a reset link, say). An empty
 * object or no body at all is fine.
 */
@Injectable()
class RefuseBodyFields implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const body = context.switchToHttp().getRequest<{ body?: unknown }>().body;
    if (Array.isArray(body)) throw new ValidationFailedError([{ field: 'body', message: 'this action takes no body: send none, or {}' }]);
    const fields = body !== null && typeof body === 'object' ? Object.keys(body) : [];
    if (fields.length) throw new ValidationFailedError(fields.map((field) => ({ field, message: `${field} should not exist: this action takes no body` })));
    return next.handle();
  }
}

export const TakesNoBody = () => UseInterceptors(RefuseBodyFields);

/** The 400 of such an action, for its ApiProblems. */
export const FIELDS_REFUSED = { status: 400, detail: 'Fields were sent to an action that takes no body; send none (or `{}`).' };
