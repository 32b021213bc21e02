import { Param, ParseUUIDPipe, PipeTransform } from '@nestjs/common';
import { NotFoundError } from '../problem/app-error';

/**
 * Upper case names the same UUID (RFC 9562), and PostgreSQL's uuid columns agree; but a UUID
 * kept as text (the issuer's account ids) would not match it, so an id goes on lower-cased.
 */
const lowerCase: PipeTransform<string, string> = { transform: (value) => value.toLowerCase() };

/**
 * A path id. Something that is not a UUID cannot name a resource, so it is answered
 * like any unknown id: 404, not 400.
 */
export function IdParam(name: string, what: string): ParameterDecorator {
  return Param(name, new ParseUUIDPipe({ version: undefined, exceptionFactory: () => new NotFoundError(what) }), lowerCase);
}
