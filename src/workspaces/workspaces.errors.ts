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
