import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../problem/app-error';
import { flattenValidationErrors, machineryKeyFields, unstorableFields } from './validation';

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
  options: { forbidUnknown?: boolean; recordsChecked?: string } = {},
): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
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
  if (records && records in plain) Object.assign(instance, { [records]: (plain as Record<string, unknown>)[records] });
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: options.forbidUnknown ?? false });
  if (errors.length) throw new ValidationFailedError(flattenValidationErrors(errors));
  return instance;
}
