import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { urlencoded } from 'express';
import { BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../problem/app-error';
import { refuseBody } from './json-body.middleware';

/** The hosted pages post a token, a password and names: nothing near this. */
const FORM_BODY_LIMIT = '16kb';

/**
 * Parses the hosted pages' urlencoded forms. What the parser refuses gets its own answer
 * (413 over the limit) instead of reaching the problem filter as an unknown error (500).
 */
export function formBody(): RequestHandler {
  const parse = urlencoded({ extended: false, limit: FORM_BODY_LIMIT });
  return (req: Request, res: Response, next: NextFunction) =>
    parse(req, res, (error?: { type?: string }) => {
      if (!error) return next();
      switch (error.type) {
        case 'entity.too.large':
          return refuseBody(req, res, new PayloadTooLargeError(`The form is larger than ${FORM_BODY_LIMIT}.`));
        case 'charset.unsupported':
        case 'encoding.unsupported':
          return refuseBody(req, res, new UnsupportedMediaTypeError('Send the form encoded as UTF-8, without content encoding.'));
        default:
          return refuseBody(req, res, new BadRequestError('The form could not be read.'));
      }
    });
}
