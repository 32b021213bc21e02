import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';
import { PasswordPolicy } from './pool.entity';

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

/**
 * With both lengths, as the request would leave them (a minLength of 200 meets the
 * default maxLength of 128, which the request never named).
 */
export function passwordPolicyRangeProblem(policy: PasswordPolicy): FieldError {
  return { field: 'passwordPolicy.maxLength', message: `maxLength (${policy.maxLength}) must be greater than or equal to minLength (${policy.minLength}): raise maxLength or lower minLength` };
}

export class PasswordPolicyRangeError extends ValidationFailedError {
  constructor(policy: PasswordPolicy) {
    super([passwordPolicyRangeProblem(policy)]);
  }
}
