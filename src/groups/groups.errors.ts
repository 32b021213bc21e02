import { ConflictError, NotFoundError, ValidationFailedError } from '../platform/problem/app-error';

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

export class UnknownMembersError extends ValidationFailedError {
  constructor(unknown: { index: number; id: string }[]) {
    super(
      unknown.map(({ index, id }) => ({ field: `userIds[${index}]`, message: `no user ${id} in this workspace` })),
      'Some userIds name no user of this workspace; nobody was added. Correct or remove them and retry.',
    );
  }
}
