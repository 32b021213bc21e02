import { Transform } from 'class-transformer';
import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only an absent field is skipped: `null` is validated like any
 * other value (and fails), for optional fields whose stored value can never be null.
 */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);

/**
 * For query parameters: `?search=` (an emptied search box, a template filled in part) means
 * the parameter is not given, as it does for `cursor`, rather than a value to refuse.
 */
export const EmptyAsAbsent = () => Transform(({ obj, key, value }) => (obj[key] === '' ? undefined : value));
