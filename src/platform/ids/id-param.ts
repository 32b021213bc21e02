import { Param, ParseUUIDPipe } from '@nestjs/common';
import { NotFoundError } from '../problem/app-error';

/**
 * A path id. Something that is not a UUID cannot name a resource, so it is answered
 * like any unknown id: 404, not 400.
 */
export function IdParam(name: string, what: string): ParameterDecorator {
  return Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => new NotFoundError(what) }));
}
