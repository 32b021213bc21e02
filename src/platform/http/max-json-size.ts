import { ValidateBy, ValidationOptions } from 'class-validator';
import { ATTRIBUTES_DEPTH_LIMIT, nestedDeeperThan } from './json-depth';

/** Whether a free-form JSON value fits: at most `bytes` serialised, nested at most ATTRIBUTES_DEPTH_LIMIT deep. */
export function fitsJsonSize(value: unknown, bytes: number): boolean {
  return !nestedDeeperThan(value, ATTRIBUTES_DEPTH_LIMIT) && Buffer.byteLength(JSON.stringify(value) ?? '') <= bytes;
}

/** Caps the serialised size and the depth of a free-form JSON value. */
export function MaxJsonSize(bytes: number, options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'maxJsonSize',
      validator: {
        validate: (value: unknown) => value === undefined || fitsJsonSize(value, bytes),
        defaultMessage: (args) => `${args?.property} must be at most ${bytes / 1024} KB as JSON, nested at most ${ATTRIBUTES_DEPTH_LIMIT} deep`,
      },
    },
    options,
  );
}
