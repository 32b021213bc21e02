import { ClassConstructor, plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { ValidationFailedError } from '../problem/app-error';
import { flattenValidationErrors } from './validation';

/**
 * Validates a plain object with a DTO's rules, as the global pipe does for JSON bodies:
 * for bodies a route reads itself (form posts, a body that may be JSON or a stream).
 */
export async function validatePlain<T extends object>(type: ClassConstructor<T>, plain: unknown, options: { forbidUnknown?: boolean } = {}): Promise<T> {
  if (typeof plain !== 'object' || plain === null || Array.isArray(plain)) {
    throw new ValidationFailedError([{ field: '', message: 'the body must be a JSON object' }]);
  }
  const instance = plainToInstance(type, plain);
  const errors = await validate(instance, { whitelist: true, forbidNonWhitelisted: options.forbidUnknown ?? false });
  if (errors.length) throw new ValidationFailedError(flattenValidationErrors(errors));
  return instance;
}
