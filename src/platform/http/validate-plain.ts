import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../problem/app-error';
import { flattenValidationErrors } from './validation';

/**
 * Validates a plain object (a form post, a parsed NDJSON line) with a DTO's rules, as
 * the global pipe does for JSON bodies.
 */
export async function validatePlain<T extends object>(type: ClassConstructor<T>, plain: unknown): Promise<T> {
  const instance = plainToInstance(type, plain ?? {});
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: false });
  if (errors.length) throw new ValidationFailedError(flattenValidationErrors(errors));
  return instance;
}
