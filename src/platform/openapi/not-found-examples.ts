import type { OpenAPIObject } from '@nestjs/swagger';
import type { OperationObject, ResponseObject } from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { NotFoundError } from '../problem/app-error';
import { problemFromAppError } from '../problem/problem';

/**
 * What a 404 names, by the path parameter (or, for `{id}` and members, the collection) it
 * is about: the title each module's NotFoundError subclass gives. A 404's `type` is
 * `…/problems/<what>-not-found`, so a client that switches on `type` must be shown the
 * operation's own, not a generic `…/not-found` no answer ever carries.
 */
const NOT_FOUND: Record<string, NotFoundError> = {
  ws: new NotFoundError('Workspace'),
  pool: new NotFoundError('Pool'),
  user: new NotFoundError('User'),
  group: new NotFoundError('Group'),
  job: new NotFoundError('Import'),
  'api-keys': new NotFoundError('API key'),
  'identity-providers': new NotFoundError('Identity provider'),
  applications: new NotFoundError('Application'),
  members: new NotFoundError('Group member', 'The user is not a member of this group, or either does not exist in this workspace.'),
  // Self-service: a link token nobody issued, or a pool that does not exist.
  token: new NotFoundError('Link', 'This link is not valid. Check that you copied the whole link from the email.'),
  invitation: new NotFoundError('Invitation', 'This invitation link is not valid. Check that you copied the whole link.'),
  poolId: new NotFoundError('Pool'),
};

/** Which NOT_FOUND entry a path's 404 is about: its last id, or for self-service what the body names. */
function resourceOf(path: string): string | null {
  const segments = path.split('/').filter(Boolean);
  for (let i = segments.length - 1; i >= 0; i -= 1) {
    const param = /^\{(\w+)\}$/.exec(segments[i])?.[1];
    if (!param) continue;
    const collection = segments[i - 1];
    return param === 'id' || collection === 'members' ? collection : param;
  }
  if (path.startsWith('/v1/self-service/invitations')) return 'invitation';
  if (path.startsWith('/v1/self-service/')) return path.endsWith('/registrations') ? 'poolId' : 'token';
  return null;
}

/** Rewrites each operation's 404 example into the problem the operation really answers for its own resource. */
export function exampleNotFoundProblems(document: OpenAPIObject): void {
  for (const [path, operations] of Object.entries(document.paths)) {
    const error = NOT_FOUND[resourceOf(path) ?? ''];
    if (!error) continue;
    for (const operation of Object.values(operations) as OperationObject[]) {
      const media = (operation?.responses?.['404'] as ResponseObject | undefined)?.content?.['application/problem+json'];
      if (media) media.example = problemFromAppError(error);
    }
  }
}
