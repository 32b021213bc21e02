import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { FieldError, ValidationFailedError } from '../problem/app-error';
import { flattenValidationErrors, machineryKeyFields, unstorableFields } from './validation';

export interface ValidatePlainOptions {
  forbidUnknown?: boolean;
  recordsChecked?: string;
}

/**
 * Validates a plain object with a DTO's rules, as the global pipe does for JSON bodies:
 * for bodies a route reads itself (form posts, a body that may be JSON or a stream).
 * `recordsChecked` names a field whose items the route checks one by one later (a
 * migration's records: one bad record must not refuse the others), left out of the
 * check for text PostgreSQL cannot store.
 */
export async function validatePlain<T extends object>(
  type: ClassConstructor<T>,
  plain: unknown,
  options: ValidatePlainOptions = {},
): Promise<T> {
  if (!isJsonObject(plain)) {
    throw new ValidationFailedError([{ field: '', message: 'the body must be a JSON object' }]);
  }
  const records = options.recordsChecked;
  const checked = Object.fromEntries(Object.entries(plain).filter(([key]) => key !== records));
  const unstorable = [...unstorableFields(checked), ...machineryKeyFields(checked)];
  // Such text is the whole answer when a rule throws on it (validator's isEmail runs encodeURI),
  // and such keys when class-transformer would (it builds `new value.constructor()`).
  if (unstorable.length) throw new ValidationFailedError(unstorable);
  // The records reach their own checks as sent: class-transformer would drop some of their keys,
  // fail on others, and copy every one of up to 10,000 records for nothing.
  const instance = plainToInstance(type, checked);
  if (records && records in plain) Object.assign(instance, { [records]: plain[records] });
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: options.forbidUnknown ?? false });
  if (errors.length) throw new ValidationFailedError(flattenValidationErrors(errors));
  return instance;
}

/**
 * The problems of a body that a DTO's rules cannot see: those needing a database lookup or a
 * rule across fields. `body` is the JSON object as sent; `reported` what the rules found in it
 * already (empty when it passed them), which a check reads to judge no field twice, or to add
 * nothing when only a refused body is to be judged at once.
 */
export type MoreProblems = (body: Record<string, unknown>, reported: FieldError[]) => FieldError[] | Promise<FieldError[]>;

/**
 * validatePlain, then `moreProblems`, so that one 400 names every bad field: its problems follow
 * the rules' own, or are the whole answer for a body that passed the rules. A body that is not a
 * JSON object, or a failure other than a validation one, has nothing further to judge.
 */
export async function validatePlainWith<T extends object>(type: ClassConstructor<T>, body: unknown, moreProblems: MoreProblems, options: ValidatePlainOptions = {}): Promise<T> {
  // Refused as a whole: nothing in it to judge further.
  if (!isJsonObject(body)) return validatePlain(type, body, options);
  let reported: FieldError[] = [];
  const valid = await validatePlain(type, body, options).catch((error: unknown) => {
    if (!(error instanceof ValidationFailedError)) throw error;
    reported = error.errors ?? [];
    return null;
  });
  const problems = [...reported, ...(await moreProblems(body, reported))];
  if (!valid || problems.length) throw new ValidationFailedError(problems);
  return valid;
}

function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
