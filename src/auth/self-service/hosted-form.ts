import type { Request, Response } from 'express';
import { AppError } from '../../platform/problem/app-error';
import { formPageSecurityHeaders, renderMessagePage } from '../interaction/pages';
import { FormError } from './self-service.pages';

/** Every form here posts back to its own page and is answered with a page: no redirect to allow. */
const FORM_PAGE_HEADERS = formPageSecurityHeaders();

/**
 * Answers a hosted form with the page `build` returns. A 400 (a field the user can fix)
 * re-renders the form through `retry` with the message and the fields at fault; anything
 * else is a page saying what happened.
 */
export async function sendPage(res: Response, build: () => Promise<string>, retry?: (error: FormError) => Promise<string>): Promise<void> {
  res.set(FORM_PAGE_HEADERS).type('html');
  try {
    res.status(200).send(await build());
  } catch (error) {
    if (!(error instanceof AppError)) throw error;
    for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
    const formError = toFormError(error);
    if (error.status === 400 && retry) {
      try {
        res.status(400).send(await retry(formError));
        return;
      } catch {
        // The form itself cannot be shown any more (link expired meanwhile): fall through.
      }
    }
    // Errors meant for these pages carry a heading in plain words ("Link already used");
    // the others show their problem title.
    const heading = 'heading' in error && typeof error.heading === 'string' ? error.heading : error.title;
    res.status(error.status).send(renderMessagePage(heading, error.status === 400 ? formError.message : error.detail));
  }
}

/** One sentence per field at fault (its first problem), or the error's detail. */
function toFormError(error: AppError): FormError {
  const firstPerField = new Map<string, string>();
  for (const e of error.errors ?? []) if (!firstPerField.has(e.field)) firstPerField.set(e.field, e.message);
  const sentences = firstPerField.size ? [...firstPerField.values()] : [error.detail];
  return { message: sentences.map(sentence).join(' '), fields: [...firstPerField.keys()] };
}

function sentence(text: string): string {
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

/** A posted form field as a string ("" when missing). */
export function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

export function names(req: Request): { givenName: string; familyName: string } {
  return { givenName: field(req, 'givenName'), familyName: field(req, 'familyName') };
}

/**
 * What a hosted form posted, as the API's body: only the form's own `fields`. A browser
 * extension or a password manager may add others, which the JSON API refuses by name, in
 * words the person at the page cannot act on. Empty optional name fields arrive as "" and
 * mean "not given"; a blank password or email stays "", so its message is the policy's
 * ("at least 10 characters"), not a type error.
 */
export function postedFields(req: Request, fields: readonly string[]): Record<string, unknown> {
  const body: Record<string, unknown> = req.body ?? {};
  return Object.fromEntries(fields.filter((name) => name in body && !(OPTIONAL_NAMES.has(name) && body[name] === '')).map((name) => [name, body[name]]));
}

const OPTIONAL_NAMES = new Set(['givenName', 'familyName', 'name']);
