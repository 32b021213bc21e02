import { fitsJsonSize } from '../platform/http/max-json-size';
import { mergePatch } from '../platform/http/merge-patch';
import { validatePlainWith } from '../platform/http/validate-plain';
import { FieldError } from '../platform/problem/app-error';
import { PoolRules } from '../pools/pools.service';
import { CreateUserDto } from './dto/create-user.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { ATTRIBUTES_MAX_BYTES } from './dto/user-profile.dto';
import { passwordPolicyViolation } from './user-fields';
import { User } from './user.entity';

/**
 * The body by CreateUserDto's rules, and by what they cannot see: the credential mode's
 * needs and the pool's password policy. Every problem is in one 400, as API.md asks;
 * a field that is malformed already is not judged again.
 */
export function validNewUser(body: unknown, pool: PoolRules): Promise<CreateUserDto> {
  return validatePlainWith(CreateUserDto, body, (user, reported) => newUserProblems(user, pool, new Set(reported.map(({ field }) => field))), { forbidUnknown: true });
}

/** `user` as sent: a field of the wrong kind is among `invalid`, and not judged again. */
function newUserProblems(user: Partial<CreateUserDto>, pool: PoolRules, invalid: Set<string>): FieldError[] {
  const problems: FieldError[] = [];
  const mode = invalid.has('credential') || invalid.has('credential.mode') ? undefined : user.credential?.mode;
  if (!user.email && !invalid.has('email')) {
    if (mode === 'invitation') problems.push({ field: 'email', message: 'email is required to send an invitation' });
    else if (!user.mobile && !invalid.has('mobile')) problems.push({ field: 'email', message: 'a user needs an email or a mobile number' });
  }
  if (invalid.has('credential.password')) return problems;
  const password = user.credential?.password;
  if (mode === 'invitation' && password !== undefined) problems.push({ field: 'credential.password', message: 'password is only allowed with mode password' });
  if (mode === 'password') {
    const violation = password === undefined ? 'password is required with mode password' : passwordPolicyViolation(pool.passwordPolicy, password);
    if (violation) problems.push({ field: 'credential.password', message: violation });
  }
  return problems;
}

/**
 * The body by UpdateUserDto's rules, and by what they cannot see: what the changes leave of the
 * user as stored. A field the rules reported already is not judged again.
 */
export function validUserChanges(body: unknown, user: User): Promise<UpdateUserDto> {
  return validatePlainWith(UpdateUserDto, body, (changes, reported) => userChangeProblems(changes, user, new Set(reported.map(({ field }) => field))), { forbidUnknown: true });
}

/** `changes` as sent: a field of the wrong kind is among `invalid`, and not judged again. */
function userChangeProblems(changes: Partial<UpdateUserDto>, user: User, invalid: Set<string>): FieldError[] {
  const problems: FieldError[] = [];
  // What either field would be is unknown while one of them is malformed.
  if (!invalid.has('email') && !invalid.has('mobile')) {
    const email = changes.email !== undefined ? changes.email : user.email;
    const mobile = changes.mobile !== undefined ? changes.mobile : user.mobile;
    if (!email && !mobile) problems.push({ field: changes.email === null ? 'email' : 'mobile', message: 'a user needs an email or a mobile number' });
  }
  if (changes.attributes !== undefined && !invalid.has('attributes') && !fitsJsonSize(mergedAttributes(user, changes.attributes), ATTRIBUTES_MAX_BYTES)) {
    const message = `the attributes would take more than ${ATTRIBUTES_MAX_BYTES / 1024} KB once merged into the stored ones; remove some (a member set to null is removed)`;
    problems.push({ field: 'attributes', message });
  }
  return problems;
}

/** The stored attributes with `patch` merged in (RFC 7396); a null patch removes them all. */
export function mergedAttributes(user: User, patch: Record<string, unknown> | null): Record<string, unknown> {
  return (mergePatch(user.attributes, patch) as Record<string, unknown> | null) ?? {};
}

/** The pool's complaint about a password as sent, unless the rules reported it already (missing, not text, too long for any pool). */
export function passwordPolicyProblems(pool: PoolRules, password: unknown, reported: FieldError[]): FieldError[] {
  if (typeof password !== 'string' || reported.some(({ field }) => field === 'password')) return [];
  const violation = passwordPolicyViolation(pool.passwordPolicy, password);
  return violation ? [{ field: 'password', message: violation }] : [];
}
