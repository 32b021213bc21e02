import { ValidateBy, ValidationOptions } from 'class-validator';

/** Caps the serialised size of a free-form JSON value. */
export function MaxJsonSize(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonSize',
      validator: {
        validate: (value: unknown) => value === undefined || Buffer.byteLength(JSON.stringify(value) ?? '') <= bytes,
        defaultMessage: (args) => `${args?.property} must be at most ${bytes / 1024} KB as JSON`,
      },
    },
    options,
  );
}
