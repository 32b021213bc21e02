import { GoneError, NotFoundError } from '../platform/problem/app-error';

export class InvitationNotFoundError extends NotFoundError {
  constructor() {
    super('Invitation', 'This invitation link is not valid. Check that you copied the whole link.');
  }
}

export class InvitationGoneError extends GoneError {
  /** The hosted page's heading (the problem's title stays "Gone"). */
  readonly heading: string;

  constructor(reason: 'accepted' | 'expired' | 'replaced' | 'withdrawn') {
    const detail = {
      accepted: 'This invitation was already accepted. Sign in with the password you chose, or reset it.',
      expired: 'This invitation has expired. Ask your administrator to send a new one.',
      replaced: 'A newer invitation was sent; use the link in the most recent email.',
      withdrawn: 'This invitation no longer works: the account was set up another way or changed since it was sent. Sign in if you have a password, or ask your administrator.',
    }[reason];
    super(detail);
    this.heading = { accepted: 'Invitation already accepted', expired: 'Invitation expired', replaced: 'Invitation replaced', withdrawn: 'Invitation withdrawn' }[reason];
  }
}
