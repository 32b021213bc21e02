import { ArgumentMetadata, ValidationError, ValidationPipe } from '@nestjs/common';
import { FieldError, ValidationFailedError } from '../problem/app-error';
import { findUnstorable, unstorableText } from '../text/storable-text';

/** Flattens class-validator's tree into `field` paths such as `passwordPolicy.minLength`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldError[] {
  return errors.flatMap((error) => {
    const field = parent ? `${parent}.${error.property}` : error.property;
    const own = fieldMessages(error).map((message) => ({ field, message: message.replace(/^property /, '') }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

/** Rules on the kind of value a field holds. */
const KIND_RULES = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'isDefined']);

/**
 * What to tell about one field: every rule it breaks would say "must be at most 4096
 * characters long" of a password that is missing, or "must not be greater than 200" of
 * `limit=abc`. A missing field is required; a value of the wrong kind is only that.
 */
function fieldMessages(error: ValidationError): string[] {
  const broken = Object.entries(error.constraints ?? {});
  if (!broken.length || 'whitelistValidation' in (error.constraints ?? {})) return broken.map(([, message]) => message);
  if (error.value === undefined) return [`${error.property} is required`];
  const kind = broken.filter(([rule]) => KIND_RULES.has(rule));
  return (kind.length ? kind : broken).map(([, message]) => message);
}

const UNSTORABLE_MESSAGE = 'must be text without NUL characters (U+0000) or unpaired surrogates';

/**
 * Every field of a request holding a string, or a key, that PostgreSQL could not store.
 * No DTO rule looks for these, and they would fail the statement (a 500) instead. The
 * field is the request's own (as the DTO names it); the message points inside it.
 */
export function unstorableFields(request: Record<string, unknown>): FieldError[] {
  return Object.entries(request).flatMap(([field, value]) => {
    if (unstorableText(field)) return [{ field: '', message: `${UNSTORABLE_MESSAGE} in its field names` }];
    const where = findUnstorable(value, field);
    return where ? [{ field, message: where === field ? UNSTORABLE_MESSAGE : `${UNSTORABLE_MESSAGE} (at ${where})` }] : [];
  });
}

/**
 * Keys that the transform before validation takes for an object's own machinery rather than
 * data: Nest's pipe deletes them at any depth without a word (a user's attribute lost), and
 * class-transformer calls `new value.constructor()` on an object holding a `constructor` key (a
 * 500). A request holding one is refused instead, naming the field, before either runs.
 */
const MACHINERY_KEYS = new Set(['__proto__', 'constructor', 'prototype']);

/** The path and key of the first machinery key in a parsed JSON value, or null. Own stack, as findUnstorable. */
function findMachineryKey(value: unknown, path: string): { path: string; key: string } | null {
  const pending: { value: unknown; path: string }[] = [{ value, path }];
  while (pending.length) {
    const next = pending.pop()!;
    if (typeof next.value !== 'object' || next.value === null) continue;
    for (const [key, item] of Object.entries(next.value)) {
      if (MACHINERY_KEYS.has(key)) return { path: next.path, key };
      pending.push({ value: item, path: `${next.path}.${key}` });
    }
  }
  return null;
}

/** Every field of a request that is, or holds at any depth, a key the transform would drop or fail on. */
export function machineryKeyFields(request: Record<string, unknown>): FieldError[] {
  return Object.entries(request).flatMap(([field, value]) => {
    if (MACHINERY_KEYS.has(field)) return [{ field, message: `${field} should not exist` }];
    const found = findMachineryKey(value, field);
    if (!found) return [];
    const where = found.path === field ? '' : ` (at ${found.path})`;
    return [{ field, message: `${field} must not use the reserved key "${found.key}"${where}` }];
  });
}

/** Both kinds of problem in one answer, each field once per message. */
function mergeFieldErrors(first: FieldError[], second: FieldError[]): FieldError[] {
  const key = (error: FieldError) => `${error.field}\n${error.message}`;
  const seen = new Set(first.map(key));
  return [...first, ...second.filter((error) => !seen.has(key(error)))];
}

/**
 * Query parameters given more than once (`?limit=1&limit=2`). Express hands them over as an
 * array, which every rule of the field then refuses at once ("must not be greater than 200",
 * "must not be less than 1", ...): contradictory advice. No query parameter of the API takes
 * a list, so the one thing to say is to give it once.
 */
export function repeatedQueryFields(query: Record<string, unknown>): FieldError[] {
  return Object.entries(query)
    .filter(([, value]) => Array.isArray(value))
    .map(([field, value]) => ({ field, message: `${field} must be given once, not ${(value as unknown[]).length} times` }));
}

/** The global pipe: class-validator's rules, and text PostgreSQL can store, in bodies and query strings alike. */
class RequestValidationPipe extends ValidationPipe {
  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    // Only DTO-typed queries: routes taking the raw query (hosted pages) answer in their own way.
    if (metadata.type === 'query' && metadata.metatype && metadata.metatype !== Object && isRecord(value)) {
      const repeated = repeatedQueryFields(value);
      if (repeated.length) throw new ValidationFailedError(repeated);
    }
    // class-transformer maps an array over the DTO, which then reports the DTO's fields as missing.
    if (metadata.type === 'body' && metadata.metatype && metadata.metatype !== Object && Array.isArray(value)) {
      throw new ValidationFailedError([{ field: '', message: 'the body must be a JSON object, not an array' }]);
    }
    const unstorable = (metadata.type === 'body' || metadata.type === 'query') && isRecord(value) ? [...unstorableFields(value), ...machineryKeyFields(value)] : [];
    let transformed: unknown;
    try {
      transformed = await super.transform(value, metadata);
    } catch (error) {
      if (!unstorable.length) throw error;
      // A rule may also throw on such text (validator's isEmail runs encodeURI): the text is then the whole answer.
      throw new ValidationFailedError(error instanceof ValidationFailedError ? mergeFieldErrors(error.errors ?? [], unstorable) : unstorable);
    }
    if (unstorable.length) throw new ValidationFailedError(unstorable);
    return transformed;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Unknown fields are errors, not silently dropped, so a typo never looks like success. */
export function validationPipe(): ValidationPipe {
  return new RequestValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new ValidationFailedError(flattenValidationErrors(errors)),
  });
}
