import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';

export class PoolNotFoundError extends NotFoundError {
  constructor() {
    super('Pool');
  }
}

export class PoolNameTakenError extends ConflictError {
  constructor() {
    super('A pool with this name already exists in the workspace (names are compared case-insensitively).', 'name');
  }
}

/** With the request's other invalid fields, if any, so one answer lists them all. */
export class PasswordPolicyRangeError extends ValidationFailedError {
  constructor(others: FieldError[] = []) {
    super([...others, { field: 'passwordPolicy.maxLength', message: 'maxLength must be greater than or equal to minLength' }]);
  }
}
