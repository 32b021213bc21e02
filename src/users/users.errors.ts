import { AppError, ConflictError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';

export class UserNotFoundError extends NotFoundError {
  constructor() {
    super('User');
  }
}

const TAKEN: Record<string, { field: string; detail: string }> = {
  users_email_key: { field: 'email', detail: 'A user with this email already exists in the pool (emails are compared case-insensitively).' },
  users_mobile_key: { field: 'mobile', detail: 'A user with this mobile number already exists in the pool.' },
  users_external_id_key: { field: 'externalId', detail: 'A user with this externalId already exists in the pool.' },
};

/** `constraints`: the unique keys the user's values collide on, each named in `errors`. */
export class UserFieldTakenError extends AppError {
  static readonly constraints = Object.keys(TAKEN);

  constructor(readonly constraints: string[]) {
    const taken = constraints.map((constraint) => TAKEN[constraint]);
    super(409, 'Conflict', taken.map(({ detail }) => detail).join(' '), taken.map(({ field, detail }) => ({ field, message: detail })));
  }
}

export class UserFieldError extends ValidationFailedError {
  constructor(field: string, message: string) {
    super([{ field, message }]);
  }
}

export class UserStatusConflictError extends ConflictError {
  constructor(detail: string) {
    super(detail, 'status');
  }
}

export class NoEmailToInviteError extends ConflictError {
  constructor() {
    super('This user has no email address to send an invitation to; set one with PATCH first.', 'email');
  }
}
