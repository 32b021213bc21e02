import { foreignKeyViolation } from '../platform/database/pg-errors';
import { ForbiddenError, NotFoundError } from '../platform/problem/app-error';

export class WorkspaceNotFoundError extends NotFoundError {
  constructor() {
    super('Workspace');
  }
}

export class ApiKeyNotFoundError extends NotFoundError {
  constructor() {
    super('API key');
  }
}

export class RootKeyRequiredError extends ForbiddenError {
  constructor() {
    super('Only the root API key may do this; a workspace key manages its own workspace only.');
  }
}

/**
 * For inserts of rows whose only foreign key is their workspace (pools, applications, API
 * keys): violated, the workspace was deleted after the guard saw it, so it is unknown (404), not a 500.
 */
export function rethrowWorkspaceGone(error: unknown): never {
  if (foreignKeyViolation(error) !== null) throw new WorkspaceNotFoundError();
  throw error;
}
