import { ForbiddenError, GoneError, NotFoundError } from '../../platform/problem/app-error';

export class LinkNotFoundError extends NotFoundError {
  constructor() {
    super('Link', 'This link is not valid. Check that you copied the whole link from the email.');
  }
}

export class LinkGoneError extends GoneError {
  /** The hosted page's heading (the problem's title stays "Gone"). */
  readonly heading: string;

  constructor(reason: 'used' | 'expired') {
    super(reason === 'used' ? 'This link was already used. Request a new one if you still need it.' : 'This link has expired. Request a new one.');
    this.heading = reason === 'used' ? 'Link already used' : 'Link expired';
  }
}

export class RegistrationClosedError extends ForbiddenError {
  /** The hosted page's heading (the problem's title stays "Forbidden"). */
  readonly heading = 'Registration closed';

  constructor() {
    super('This pool does not allow self-registration. Ask its administrator for an invitation.');
  }
}

export class PoolNotFoundError extends NotFoundError {
  constructor() {
    super('Pool');
  }
}
