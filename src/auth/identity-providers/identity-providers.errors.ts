import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../../platform/problem/app-error';

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

/** A poolId naming no pool of this workspace (another workspace's pool is none of its business). */
export function poolNotInWorkspace(poolId: string): FieldError {
  return { field: 'poolId', message: `no pool ${poolId} in this workspace` };
}

export class PoolNotInWorkspaceError extends ValidationFailedError {
  constructor(poolId: string) {
    super([poolNotInWorkspace(poolId)]);
  }
}
