import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';

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

export class PasswordPolicyRangeError extends ValidationFailedError {
  constructor() {
    super([{ field: 'passwordPolicy.maxLength', message: 'maxLength must be greater than or equal to minLength' }]);
  }
}
