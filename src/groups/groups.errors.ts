import { ConflictError, FieldError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';

export class GroupNotFoundError extends NotFoundError {
  constructor() {
    super('Group');
  }
}

export class MemberNotFoundError extends NotFoundError {
  constructor() {
    super('Group member', 'The user is not a member of this group, or either does not exist in this workspace.');
  }
}

export class GroupNameTakenError extends ConflictError {
  constructor() {
    super('A group with this name already exists in the workspace (names are compared case-insensitively).', 'name');
  }
}

/** Entries of `userIds` (by index) that name no user of the workspace. */
export type UnknownMember = { index: number; id: string };

export function unknownMemberFields(unknown: UnknownMember[]): FieldError[] {
  return unknown.map(({ index, id }) => ({ field: `userIds[${index}]`, message: `no user ${id} in this workspace` }));
}

export class UnknownMembersError extends ValidationFailedError {
  constructor(unknown: UnknownMember[]) {
    super(unknownMemberFields(unknown), 'Some userIds name no user of this workspace; nobody was added. Correct or remove them and retry.');
  }
}
