import { ValidateIf } from 'class-validator';

/**
 * Like `@IsOptional()`, but only an absent field is skipped: `null` is validated like any
 * other value (and fails), for optional fields whose stored value can never be null.
 */
export const IsOmittable = () => ValidateIf((_object, value) => value !== undefined);
