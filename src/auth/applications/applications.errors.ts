import { NotFoundError, ValidationFailedError } from '../../platform/problem/app-error';

export class ApplicationNotFoundError extends NotFoundError {
  constructor() {
    super('Application');
  }
}

export class ApplicationFieldError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super([{ field, message }]);
  }
}
