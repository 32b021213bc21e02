import { ConflictError, ForbiddenError, GoneError, NotFoundError } from '../../platform/problem/app-error';

export class LinkNotFoundError extends NotFoundError {
  constructor() {
    super('Link', 'This link is not valid. Check that you copied the whole link from the email.');
  }
}

export class LinkGoneError extends GoneError {
  /** The hosted page's heading (the problem's title stays "Gone"). */
  readonly heading: string;

  constructor(reason: 'used' | 'expired' | 'readdressed') {
    super(
      {
        used: 'This link was already used. Request a new one if you still need it.',
        expired: 'This link has expired. Request a new one.',
        readdressed: "The account's email address changed since this link was sent, so it no longer works. Use a link sent to the current address.",
      }[reason],
    );
    this.heading = { used: 'Link already used', expired: 'Link expired', readdressed: 'Link no longer valid' }[reason];
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

export class NotVerifiableError extends ConflictError {
  constructor(reason: 'no-email' | 'verified' | 'invited' | 'disabled') {
    super(
      {
        'no-email': 'This user has no email address to verify; set one with PATCH first.',
        verified: 'This user’s email address is verified already.',
        invited: 'This user is invited: following the invitation proves the address. Send the invitation again with POST .../invitations.',
        disabled: 'This user is disabled: enable them with PATCH first.',
      }[reason],
      reason === 'no-email' || reason === 'verified' ? 'email' : 'status',
    );
  }
}

export class NotResettableError extends ConflictError {
  constructor(reason: 'no-email' | 'disabled') {
    super(
      reason === 'no-email'
        ? 'This user has no email address to send a reset link to; set one with PATCH first, or set a password with PUT .../password.'
        : 'This user is disabled: a reset link would not let them in. Enable them with PATCH first, or set a password with PUT .../password.',
      reason === 'no-email' ? 'email' : 'status',
    );
  }
}
