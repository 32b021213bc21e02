import { isEmail } from 'class-validator';
import { ATTRIBUTES_DEPTH_LIMIT } from '../platform/http/json-depth';
import { fitsJsonSize } from '../platform/http/max-json-size';
import { findUnstorable, unstorableText } from '../platform/text/storable-text';
import { ImportRecord } from './dto/import-record.dto';
import { E164, normalizeEmail } from './user-fields';

export { ImportRecord };

export interface RecordProblem {
  code: 'invalid_json' | 'line_too_long' | 'invalid_record' | 'unsupported_hash' | 'weak_password' | 'conflict';
  message: string;
}

export const EMAIL_OR_MOBILE_REQUIRED = 'email or mobile is required';

export type ParsedRecord = { record: ImportRecord; problem?: undefined } | { record?: undefined; problem: RecordProblem };

const FIELDS = new Set(['externalId', 'email', 'mobile', 'givenName', 'familyName', 'name', 'emailVerified', 'status', 'attributes', 'groups', 'password', 'passwordHash']);
const MAX_ATTRIBUTES_BYTES = 16 * 1024;
const MAX_GROUPS = 50;

const isString = (value: unknown, min: number, max: number): value is string => typeof value === 'string' && value.length >= min && value.length <= max;
const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
// isEmail throws URIError on an unpaired surrogate, so it only sees storable text.
const isEmailAddress = (value: unknown): boolean => isString(value, 1, 320) && !unstorableText(value) && isEmail(value.trim());

/**
 * Validates a record without class-validator's per-object overhead: a million records
 * must parse in seconds. The rules mirror CreateUserDto's; every bad field is named.
 */
export function parseImportRecord(raw: unknown): ParsedRecord {
  if (!isPlainObject(raw)) return invalid(['a record must be a JSON object']);
  const problems: string[] = [];
  for (const key of Object.keys(raw)) if (!FIELDS.has(key)) problems.push(`${key} is not a known field`);

  const r = raw as Record<string, unknown>;
  const check = (field: string, ok: boolean, message: string) => {
    if (r[field] === undefined || r[field] === null) return;
    // PostgreSQL would refuse the whole chunk over it, so it is this record's problem.
    if (findUnstorable(r[field]) !== null) problems.push(`${field} must not contain NUL characters or unpaired surrogates`);
    else if (!ok) problems.push(`${field} ${message}`);
  };
  check('externalId', isString(r.externalId, 1, 255), 'must be a string of 1 to 255 characters');
  check('email', isEmailAddress(r.email), 'must be an email address');
  check('mobile', typeof r.mobile === 'string' && E164.test(r.mobile.trim()), 'must be an E.164 number such as +14155550100');
  for (const field of ['givenName', 'familyName', 'name']) check(field, isString(r[field], 1, 200), 'must be a string of 1 to 200 characters');
  check('emailVerified', typeof r.emailVerified === 'boolean', 'must be true or false');
  check('status', r.status === 'active' || r.status === 'disabled', 'must be active or disabled');
  check('attributes', isPlainObject(r.attributes) && fitsJsonSize(r.attributes, MAX_ATTRIBUTES_BYTES), `must be a JSON object of at most 16 KB, nested at most ${ATTRIBUTES_DEPTH_LIMIT} deep`);
  check(
    'groups',
    Array.isArray(r.groups) && r.groups.length <= MAX_GROUPS && r.groups.every((g) => isString(g, 1, 100) && g.trim().length > 0),
    `must be a list of at most ${MAX_GROUPS} group names of 1 to 100 characters`,
  );
  check('password', isString(r.password, 1, 4096), 'must be a string of at most 4096 characters');
  check('passwordHash', isString(r.passwordHash, 1, 1024), 'must be a string of at most 1024 characters');
  if (r.password != null && r.passwordHash != null) problems.push('give password or passwordHash, not both');
  // A record with only an externalId can update the user it matches; whether it would create one is known only then (user-importer).
  if (r.email == null && r.mobile == null && r.externalId == null) problems.push(EMAIL_OR_MOBILE_REQUIRED);
  if (problems.length) return invalid(problems);

  const text = (value: unknown) => (value == null ? undefined : String(value));
  return {
    record: {
      externalId: text(r.externalId),
      email: r.email == null ? undefined : normalizeEmail(String(r.email)),
      mobile: r.mobile == null ? undefined : String(r.mobile).trim(),
      givenName: text(r.givenName),
      familyName: text(r.familyName),
      name: text(r.name),
      emailVerified: r.emailVerified == null ? undefined : Boolean(r.emailVerified),
      status: r.status == null ? undefined : (r.status as 'active' | 'disabled'),
      attributes: r.attributes == null ? undefined : (r.attributes as Record<string, unknown>),
      groups: r.groups == null ? undefined : [...new Set((r.groups as string[]).map((g) => g.trim()))],
      password: text(r.password),
      // Hashes copied from a tool's output often end in a newline; no format holds whitespace.
      passwordHash: r.passwordHash == null ? undefined : String(r.passwordHash).trim(),
    },
  };
}

/** What an error row shows to name a record: never a secret. */
export function recordIdentifier(raw: unknown): string | null {
  if (!isPlainObject(raw)) return null;
  for (const field of ['externalId', 'email', 'mobile']) {
    const value = raw[field];
    // The identifier is stored with the error, so it must be storable too.
    if (typeof value === 'string' && value && !unstorableText(value)) return value.slice(0, 320);
  }
  return null;
}

function invalid(problems: string[]): ParsedRecord {
  return { problem: { code: 'invalid_record', message: problems.join('; ') } };
}
