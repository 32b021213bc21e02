import { ConflictError, NotFoundError, ValidationFailedError } from '../../platform/problem/app-error';

export class IdentityProviderNotFoundError extends NotFoundError {
  constructor() {
    super('Identity provider');
  }
}

export class PoolAlreadyConnectedError extends ConflictError {
  constructor() {
    super('This pool is already connected to the workspace; change the existing identity provider instead.', 'poolId');
  }
}

export class IdentityProviderFieldError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super([{ field, message }]);
  }
}

export class PoolNotInWorkspaceError extends IdentityProviderFieldError {
  constructor(poolId: string) {
    super('poolId', `no pool ${poolId} in this workspace`);
  }
}
