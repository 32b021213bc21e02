import { ValidateBy, ValidationOptions } from 'class-validator';

/**
 * class-validator's Length and MaxLength, counting as PostgreSQL counts a varchar(n): code
 * points. Theirs (validator's isLength) skip every variation selector (U+FE0E/U+FE0F), so
 * "a\uFE0F" × 100 passed as 100 characters and then overflowed varchar(100): a 500 where a
 * 400 naming the field was due. Same names and arguments, so the OpenAPI plugin, which
 * recognises these decorators by name, still documents minLength and maxLength.
 */
export function Length(min: number, max?: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'length',
      constraints: [min, max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && within([...value].length, min, max),
        defaultMessage: (args) => `${args?.property} must be ${max === undefined ? `at least ${min}` : `${min} to ${max}`} characters long`,
      },
    },
    options,
  );
}

export function MaxLength(max: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxLength',
      constraints: [max],
      validator: {
        validate: (value: unknown) => typeof value === 'string' && within([...value].length, 0, max),
        defaultMessage: (args) => `${args?.property} must be at most ${max} characters long`,
      },
    },
    options,
  );
}

function within(length: number, min: number, max: number | undefined): boolean {
  return length >= min && (max === undefined || length <= max);
}
