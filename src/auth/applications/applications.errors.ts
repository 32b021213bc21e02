import { ConflictError, NotFoundError } from '../../platform/problem/app-error';

export class ApplicationNotFoundError extends NotFoundError {
  constructor() {
    super('Application');
  }
}

export class PublicClientHasNoSecretError extends ConflictError {
  constructor() {
    super('This application is public (tokenEndpointAuthMethod none): it has no client secret to rotate.');
  }
}
