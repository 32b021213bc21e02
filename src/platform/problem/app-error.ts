export interface FieldError {
  field: string;
  message: string;
}

/**
 * Base of every error a service throws on purpose. The problem filter turns it into
 * RFC 9457 problem+json; `detail` must be safe to show (never a secret, never SQL).
 */
export class AppError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors?: FieldError[],
    /** Extra response headers, such as Retry-After. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = new.target.name;
  }
}

export class ValidationFailedError extends AppError {
  constructor(errors: FieldError[], detail = 'The request has invalid fields; see `errors` and correct each one.') {
    super(400, 'Invalid request', detail, errors);
  }
}

export class BadRequestError extends AppError {
  constructor(detail: string) {
    super(400, 'Bad request', detail);
  }
}

export class UnauthorizedError extends AppError {
  constructor(detail = 'Send a valid API key as `Authorization: Bearer <key>`.') {
    super(401, 'Unauthorized', detail, undefined, { 'WWW-Authenticate': 'Bearer' });
  }
}

export class ForbiddenError extends AppError {
  constructor(detail: string) {
    super(403, 'Forbidden', detail);
  }
}

export class NotFoundError extends AppError {
  constructor(what: string, detail = `${what} was not found, or it belongs to another workspace.`) {
    super(404, `${what} not found`, detail);
  }
}

export class ConflictError extends AppError {
  constructor(detail: string, field?: string) {
    super(409, 'Conflict', detail, field ? [{ field, message: detail }] : undefined);
  }
}

export class GoneError extends AppError {
  constructor(detail: string) {
    super(410, 'Gone', detail);
  }
}

export class PayloadTooLargeError extends AppError {
  constructor(detail: string) {
    super(413, 'Payload too large', detail);
  }
}

export class UnsupportedMediaTypeError extends AppError {
  constructor(detail: string) {
    super(415, 'Unsupported media type', detail);
  }
}
