import { applyDecorators } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOperation, ApiProduces, ApiQuery, ApiResponse, ApiTags } from '@nestjs/swagger';

/**
 * OpenAPI for the hosted pages the emails link to. They answer HTML, not JSON: each status is
 * a page saying what happened (a refused form comes back filled in, with the message).
 */
export const HOSTED_PAGES_TAG = ApiTags('Hosted pages');

const EXAMPLE_TOKEN = 'EXAMPLE_token_from_the_emailed_link_0000000';
const EXAMPLE_POOL = '3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b';

const html = (description: string, example: string) => ({ description, content: { 'text/html': { schema: { type: 'string' }, example } } });

const PAGES = {
  tooMany: ApiResponse({ status: 429, ...html('Too many requests from this address or for this email; `Retry-After` says when to try again', '<h1>Too many requests</h1>') }),
  invalidLink: ApiResponse({ status: 404, ...html('The link is not one we sent (mistyped or cut short)', '<h1>Link not recognised</h1>') }),
  spentLink: ApiResponse({ status: 410, ...html('The link was already used, or expired: ask for a new one', '<h1>Link already used</h1>') }),
};

const TOKEN_QUERY = ApiQuery({ name: 'token', required: true, description: 'The token from the emailed link', example: EXAMPLE_TOKEN });

interface FormField {
  description: string;
  example: string;
  required?: boolean;
}

/** A form post (application/x-www-form-urlencoded), as the page's own form sends it. */
function formBody(fields: Record<string, FormField>) {
  const required = Object.entries(fields).filter(([, field]) => field.required !== false).map(([name]) => name);
  const properties = Object.fromEntries(Object.entries(fields).map(([name, { description, example }]) => [name, { type: 'string', description, example }]));
  return applyDecorators(ApiConsumes('application/x-www-form-urlencoded'), ApiBody({ schema: { type: 'object', required, properties } }));
}

const TOKEN_FIELD: FormField = { description: 'The token from the emailed link (a hidden input of the form)', example: EXAMPLE_TOKEN };
const PASSWORD_FIELD: FormField = { description: "The new password, within the pool's password policy", example: 'correct horse battery staple' };
const NAME_FIELDS: Record<string, FormField> = {
  givenName: { description: 'Optional', example: 'Ada', required: false },
  familyName: { description: 'Optional', example: 'Lovelace', required: false },
};

/** A page showing a form: GET with the link's token. */
export function HostedFormPage(summary: string, description: string, shown: string) {
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiProduces('text/html'),
    TOKEN_QUERY,
    ApiResponse({ status: 200, ...html(shown, '<form method="post">…</form>') }),
    ApiResponse({ status: 400, ...html('No token in the link', '<h1>Invalid request</h1>') }),
    PAGES.invalidLink,
    PAGES.spentLink,
    PAGES.tooMany,
  );
}

/** The post of a page's form. */
export function HostedFormPost(summary: string, description: string, fields: 'password' | 'password and names' | 'token', done: string) {
  const posted = { token: TOKEN_FIELD, ...(fields !== 'token' && { password: PASSWORD_FIELD }), ...(fields === 'password and names' && NAME_FIELDS) };
  return applyDecorators(
    ApiOperation({ summary, description }),
    ApiProduces('text/html'),
    formBody(posted),
    ApiResponse({ status: 200, ...html(done, '<h1>Done</h1>') }),
    ApiResponse({ status: 400, ...html('A field is refused: the form again, filled in, with the message', '<form method="post">…<p role="alert">…</p></form>') }),
    PAGES.invalidLink,
    PAGES.spentLink,
    PAGES.tooMany,
  );
}

/** The registration page of a pool and its post. */
export const RegistrationPage = applyDecorators(
  ApiOperation({ summary: 'Registration page of a pool', description: 'The sign-up form of a pool that allows self-registration, for a link of your own (the login page links to its own registration form, under the issuer).' }),
  ApiProduces('text/html'),
  ApiQuery({ name: 'pool', required: true, description: 'The pool to register in', example: EXAMPLE_POOL }),
  ApiResponse({ status: 200, ...html('The registration form', '<form method="post">…</form>') }),
  ApiResponse({ status: 403, ...html('The pool does not allow self-registration', '<h1>Registration is closed</h1>') }),
  ApiResponse({ status: 404, ...html('No such pool', '<h1>Not found</h1>') }),
);

export const RegistrationPost = applyDecorators(
  ApiOperation({
    summary: 'Register through the hosted form',
    description:
      'As `POST /v1/self-service/registrations`: the same answer whether or not the email already has an account (that one gets an email instead). With email verification, the page says to check the inbox.',
  }),
  ApiProduces('text/html'),
  formBody({
    poolId: { description: 'The pool (a hidden input of the form)', example: EXAMPLE_POOL },
    email: { description: 'The email to register', example: 'ada@example.com' },
    password: PASSWORD_FIELD,
    ...NAME_FIELDS,
  }),
  ApiResponse({ status: 200, ...html('Registration received, or check your email', '<h1>Check your email</h1>') }),
  ApiResponse({ status: 400, ...html('A field is refused: the form again, filled in, with the message', '<form method="post">…<p role="alert">…</p></form>') }),
  ApiResponse({ status: 403, ...html('The pool does not allow self-registration', '<h1>Registration is closed</h1>') }),
  ApiResponse({ status: 404, ...html('No such pool', '<h1>Not found</h1>') }),
  PAGES.tooMany,
);
