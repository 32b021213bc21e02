import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../../platform/problem/app-error';

export class ApplicationNotFoundError extends NotFoundError {
  constructor() {
    super('Application');
  }
}

/** Every rule across fields an application breaks, in one answer. */
export class ApplicationFieldsError extends ValidationFailedError {
  constructor(errors: FieldError[]) {
    super(errors);
  }
}

export class PublicClientHasNoSecretError extends ConflictError {
  constructor() {
    super('This application is public (tokenEndpointAuthMethod none): it has no client secret to rotate.');
  }
}
