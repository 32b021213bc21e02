import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { urlencoded } from 'express';
import { AppError, BadRequestError, PayloadTooLargeError, UnsupportedMediaTypeError } from '../problem/app-error';
import { BodyRefusalWriter, describeSize, hasBody, mediaType, refuseBody, SMALL_BODY_LIMIT_BYTES } from './json-body.middleware';

/** The hosted pages post a token, a password and names: nothing near this. */
export const FORM_BODY_LIMIT = SMALL_BODY_LIMIT_BYTES;
export const FORM_TYPE = 'application/x-www-form-urlencoded';

/**
 * Parses the hosted pages' urlencoded forms. What the parser refuses gets its own answer
 * (413 over the limit), written by `write` (a page, for a browser), instead of reaching
 * the problem filter as an unknown error (500).
 */
export function formBody(write: BodyRefusalWriter): RequestHandler {
  const parse = urlencoded({ extended: false, limit: FORM_BODY_LIMIT });
  const refuse = (req: Request, res: Response, error: AppError) => refuseBody(req, res, error, write);
  return (req: Request, res: Response, next: NextFunction) => {
    // The parser would skip any other body, and the page would then complain of empty fields.
    if (hasBody(req) && mediaType(req).toLowerCase() !== FORM_TYPE) {
      return refuse(req, res, new UnsupportedMediaTypeError(`Send the form as ${FORM_TYPE}, as a browser does.`));
    }
    return parse(req, res, (error?: { type?: string }) => {
      if (!error) return next();
      switch (error.type) {
        case 'entity.too.large':
          return refuse(req, res, new PayloadTooLargeError(`The form is larger than ${describeSize(FORM_BODY_LIMIT)}. Go back and shorten what you typed.`));
        case 'charset.unsupported':
        case 'encoding.unsupported':
          return refuse(req, res, new UnsupportedMediaTypeError('Send the form encoded as UTF-8, without content encoding.'));
        default:
          return refuse(req, res, new BadRequestError('The form could not be read.'));
      }
    });
  };
}
