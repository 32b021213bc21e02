import type { OpenAPIObject } from '@nestjs/swagger';
import { createHash } from 'node:crypto';
import type {
  OperationObject,
  ParameterObject,
  PathItemObject,
  RequestBodyObject,
  ResponseObject,
  SchemaObject,
  SecurityRequirementObject,
} from '@nestjs/swagger/dist/interfaces/open-api-spec.interface';
import { NotFoundError } from '../problem/app-error';
import { problemFromAppError } from '../problem/problem';

/**
 * The per-workspace OpenID Connect issuer (oidc-provider, mounted outside Nest, so the
 * Swagger scanner never sees it) as path items under `/oidc/{workspaceId}`: the paths its
 * discovery document lists, and the hosted login page it sends browsers to. Its answers
 * follow OAuth (form bodies, `{error, error_description}`), not the management API's
 * problem+json, which only an unknown issuer gets.
 */
const TAG = 'OpenID Connect';
const ISSUER = 'http://localhost:3000/oidc/6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b';
const CLIENT_ID = 'app_k3J9xQ2mV8pL4tR7wZ1nB5cH';
const REDIRECT_URI = 'https://app.example.com/callback';
const UID = 'Kmw58ssls1NnquSLGVdgodFUHfEkbAppAmfReVxS3y';
const FORM = 'application/x-www-form-urlencoded';

/** Readable but unusable: the signature part says what it is (RFC 9068 access token, OIDC Core §2 ID token). */
const exampleJwt = (header: object, payload: object) =>
  [header, payload].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.example-signature';
const CLAIMS = { sub: '5a4b3c2d-1e0f-4a9b-8c7d-6e5f4a3b2c1d', iss: ISSUER, iat: 1795909084, exp: 1795912684 };
const ACCESS_TOKEN = exampleJwt({ alg: 'RS256', typ: 'at+jwt', kid: 'ff488bb8' }, { ...CLAIMS, aud: ISSUER, client_id: CLIENT_ID, scope: 'openid profile email offline_access' });
const ID_TOKEN = exampleJwt({ alg: 'RS256', kid: 'ff488bb8' }, { ...CLAIMS, aud: CLIENT_ID, email: 'ada@example.com' });
// RFC 6749's own examples, marked as such so that no one takes them for real ones.
const REFRESH_TOKEN = 'example-tGzv3JOkF0XG5Qx2TlKWIA';
const CODE = 'example-SplxlOBeZQQYbYS6WxSbIA';
const CODE_VERIFIER = 'example-code-verifier-the-application-keeps-0123456789';
const CODE_CHALLENGE = createHash('sha256').update(CODE_VERIFIER).digest('base64url');

const string = (description: string, example: unknown, extra: SchemaObject = {}): SchemaObject => ({ type: 'string', description, example, ...extra });
const query = (name: string, schema: SchemaObject, required = false): ParameterObject => ({ name, in: 'query', required, description: schema.description, schema });
const path = (name: string, schema: SchemaObject): ParameterObject => ({ name, in: 'path', required: true, description: schema.description, schema });
const WORKSPACE = path('workspaceId', string('The workspace whose issuer this is', '6f1c2b9e-3d4a-4e8f-9b1a-2c3d4e5f6a7b', { format: 'uuid' }));
const INTERACTION = path('uid', string('The sign-in in progress, as the authorization endpoint named it in its redirect', UID));

const OAUTH_ERROR: SchemaObject = {
  type: 'object',
  required: ['error'],
  properties: { error: string('RFC 6749 §5.2 error code', 'invalid_grant'), error_description: string('What went wrong, for developers', 'grant request is invalid') },
};
const json = (example: unknown, schema?: SchemaObject) => ({ 'application/json': { ...(schema && { schema }), example } });
const oauthError = (description: string, error: string, error_description: string, headers?: ResponseObject['headers']): ResponseObject => ({
  description,
  ...(headers && { headers }),
  content: json({ error, error_description }, OAUTH_ERROR),
});
const htmlPage = (example: string) => ({ 'text/html': { schema: { type: 'string' }, example } });
const html = (description: string, example: string): ResponseObject => ({ description, content: htmlPage(example) });
const header = (description: string, example: string) => ({ schema: { type: 'string' }, description, example });
const redirect = (description: string, location: string): ResponseObject => ({ description, headers: { Location: header('Where the browser goes next', location) } });
const form = (properties: Record<string, SchemaObject>, required: string[], examples: Record<string, Record<string, string>>): RequestBodyObject => ({
  required: true,
  content: { [FORM]: { schema: { type: 'object', required, properties }, examples: Object.fromEntries(Object.entries(examples).map(([name, value]) => [name, { summary: name, value }])) } },
});

const UNKNOWN_ISSUER: ResponseObject = {
  description: 'No workspace has this issuer',
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/ProblemSchema' }, example: problemFromAppError(new NotFoundError('Issuer')) } },
};
const INVALID_CLIENT = oauthError('Client authentication failed (RFC 6749 §5.2)', 'invalid_client', 'client authentication failed', {
  'WWW-Authenticate': header('The Basic challenge, with the error', `Basic realm="${ISSUER}", error="invalid_client", error_description="client authentication failed"`),
});
/** The application authenticates with Basic (client_secret_basic), or with client_id and client_secret in the form (client_secret_post); a public one sends only client_id. */
const CLIENT_AUTH: SecurityRequirementObject[] = [{ clientSecretBasic: [] }, {}];
const CLIENT_FIELDS: Record<string, SchemaObject> = {
  client_id: string('The application (client_secret_post, or a public application)', CLIENT_ID),
  client_secret: string('client_secret_post only', 'sec_EXAMPLE_secret_shown_once_store_it_00000000'),
};
const TOKEN_FIELDS = { token: string('The token', ACCESS_TOKEN), token_type_hint: string('What the token is', 'access_token', { enum: ['access_token', 'refresh_token'] }) };

const AUTHORIZATION_FIELDS: Record<string, SchemaObject> = {
  client_id: string("The application's client id", CLIENT_ID),
  response_type: string('The authorization code flow', 'code', { enum: ['code'] }),
  redirect_uri: string('One of the application’s redirect URIs', REDIRECT_URI),
  scope: string('`openid` plus any of `profile email phone groups offline_access` (offline_access: a refresh token)', 'openid profile email offline_access'),
  state: string('Returned unchanged with the code, against CSRF', 'af0ifjsldkj'),
  nonce: string('Copied into the ID token, against replay', 'n-0S6_WzA2Mj'),
  code_challenge: string('RFC 7636: BASE64URL(SHA-256(code_verifier)); required for public applications', CODE_CHALLENGE),
  code_challenge_method: string('RFC 7636: S256 only', 'S256', { enum: ['S256'] }),
  prompt: string('`none` fails with login_required rather than show the login page; `login` and `select_account` show it even when signed in', 'login', { enum: ['none', 'login', 'consent', 'select_account'] }),
  login_hint: string('Prefills the identifier on the login page', 'ada@example.com'),
  response_mode: string('How the code comes back', 'query', { enum: ['query', 'form_post', 'fragment'] }),
};

const DISCOVERY: OperationObject = {
  summary: "The issuer's discovery document",
  description:
    'OpenID Connect Discovery 1.0 §4 (RFC 8414): the endpoints below as absolute URLs, and the grants, scopes, claims and signing algorithms the issuer supports. Client libraries configure themselves from it given the issuer, `{PUBLIC_URL}/oidc/{workspaceId}`.',
  responses: {
    200: {
      description: 'The discovery document (excerpt)',
      content: json({
        issuer: ISSUER,
        authorization_endpoint: `${ISSUER}/auth`,
        token_endpoint: `${ISSUER}/token`,
        userinfo_endpoint: `${ISSUER}/userinfo`,
        jwks_uri: `${ISSUER}/jwks`,
        introspection_endpoint: `${ISSUER}/token/introspection`,
        revocation_endpoint: `${ISSUER}/token/revocation`,
        end_session_endpoint: `${ISSUER}/session/end`,
        pushed_authorization_request_endpoint: `${ISSUER}/request`,
        grant_types_supported: ['authorization_code', 'refresh_token', 'client_credentials', 'password'],
        response_types_supported: ['code'],
        scopes_supported: ['openid', 'offline_access', 'profile', 'email', 'phone', 'groups'],
        code_challenge_methods_supported: ['S256'],
        token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post', 'none'],
        id_token_signing_alg_values_supported: ['RS256', 'ES256'],
      }),
    },
  },
};

const AUTHORIZATION: OperationObject = {
  summary: 'Start a sign-in (authorization code flow)',
  description:
    'OIDC Core §3.1.2, RFC 6749 §4.1.1, with RFC 7636 PKCE (S256, required for public applications). The browser is sent here; without a session it is redirected to the hosted login page, then back to `redirect_uri` with `code`, `state` and `iss` (RFC 9207), or with `error` (RFC 6749 §4.1.2.1). An unknown application or redirect URI gets an error page instead: there is nowhere safe to redirect to.',
  parameters: Object.entries(AUTHORIZATION_FIELDS).map(([name, schema]) => query(name, schema, ['client_id', 'response_type', 'redirect_uri', 'scope'].includes(name))),
  responses: {
    303: redirect('To the hosted login page, or back to the application with a code or an error', `${ISSUER}/interaction/${UID}`),
    400: html('The application or its redirect URI is unknown', '<h1>Sign-in error</h1>\n<p>invalid_redirect_uri: redirect_uri did not match any of the client\'s registered redirect_uris</p>'),
  },
};

const PUSHED_AUTHORIZATION: OperationObject = {
  summary: 'Push an authorization request (PAR)',
  description: 'RFC 9126: the authorization request\'s parameters sent server to server; the browser then goes to the authorization endpoint with only `client_id` and the `request_uri` answered here.',
  security: CLIENT_AUTH,
  requestBody: form({ ...AUTHORIZATION_FIELDS, client_secret: CLIENT_FIELDS.client_secret }, ['client_id', 'response_type', 'redirect_uri', 'scope'], {
    authorization: { client_id: CLIENT_ID, response_type: 'code', redirect_uri: REDIRECT_URI, scope: 'openid profile email', state: 'af0ifjsldkj', code_challenge: CODE_CHALLENGE, code_challenge_method: 'S256' },
  }),
  responses: {
    201: { description: 'Use `request_uri` within `expires_in` seconds', content: json({ request_uri: 'urn:ietf:params:oauth:request_uri:Q1F0Y2Y5dGhJcmVXbUF0bQ', expires_in: 60 }) },
    400: oauthError('The request is invalid', 'invalid_request', "missing required parameter 'client_id'"),
    401: INVALID_CLIENT,
  },
};

const TOKEN_RESPONSE: SchemaObject = {
  type: 'object',
  required: ['access_token', 'token_type', 'expires_in'],
  properties: {
    access_token: string('An RFC 9068 JWT, verifiable with the JWKS', ACCESS_TOKEN),
    token_type: string('Always Bearer', 'Bearer'),
    expires_in: { type: 'integer', description: 'Seconds until the access token expires', example: 3600 },
    scope: string('The scopes granted', 'openid profile email offline_access'),
    id_token: string('OIDC Core §2, with scope openid and a user', ID_TOKEN),
    refresh_token: string('With offline_access when the application may refresh; a new one at every refresh', REFRESH_TOKEN),
  },
};

const TOKEN: OperationObject = {
  summary: 'Exchange a grant for tokens',
  description:
    'RFC 6749 §3.2: the authorization code (§4.1.3, with the RFC 7636 `code_verifier`), a refresh token (§6; refresh tokens rotate, and reusing one revokes its grant), client credentials (§4.4), or, for applications that list it, the user\'s password (§4.3). Access tokens are RFC 9068 JWTs; an ID token (OIDC Core §3.1.3) comes with scope `openid` and a user.',
  security: CLIENT_AUTH,
  requestBody: form(
    {
      grant_type: string('The grant', 'authorization_code', { enum: ['authorization_code', 'refresh_token', 'client_credentials', 'password'] }),
      code: string('authorization_code: the code from the redirect', CODE),
      redirect_uri: string('authorization_code: the redirect_uri of the authorization request', REDIRECT_URI),
      code_verifier: string('authorization_code: RFC 7636 verifier of the code_challenge', CODE_VERIFIER),
      refresh_token: string('refresh_token: the latest refresh token', REFRESH_TOKEN),
      username: string('password: the user\'s email or mobile number', 'ada@example.com'),
      password: string('password: the user\'s password', 'correct horse battery staple'),
      scope: string('password, client_credentials, refresh_token: the scopes asked for', 'openid profile email offline_access'),
      ...CLIENT_FIELDS,
    },
    ['grant_type'],
    {
      authorization_code: { grant_type: 'authorization_code', code: CODE, redirect_uri: REDIRECT_URI, code_verifier: CODE_VERIFIER },
      refresh_token: { grant_type: 'refresh_token', refresh_token: REFRESH_TOKEN },
      client_credentials: { grant_type: 'client_credentials' },
      password: { grant_type: 'password', username: 'ada@example.com', password: 'correct horse battery staple', scope: 'openid profile email offline_access' },
    },
  ),
  responses: {
    200: {
      description: 'The tokens',
      headers: { 'Cache-Control': header('Tokens are never cached', 'no-store') },
      content: json({ access_token: ACCESS_TOKEN, token_type: 'Bearer', expires_in: 3600, scope: 'openid profile email offline_access', id_token: ID_TOKEN, refresh_token: REFRESH_TOKEN }, TOKEN_RESPONSE),
    },
    400: oauthError('The grant is invalid, expired, used or revoked, or the wrong password (RFC 6749 §5.2)', 'invalid_grant', 'grant request is invalid'),
    401: INVALID_CLIENT,
    429: oauthError('password grant: too many failed sign-ins', 'rate_limited', 'too many failed sign-ins; retry later', { 'Retry-After': header('Seconds to wait', '60') }),
  },
};

const USERINFO: OperationObject = {
  summary: "The signed-in user's claims",
  description:
    'OIDC Core §5.3 (GET or POST), with the RFC 9068 access token the token endpoint handed out, as `Authorization: Bearer` (RFC 6750 §2.1; a POST may send it as `access_token` in its form instead, §2.2, never both). Claims follow the token\'s scopes: profile (given_name, family_name, name), email (email, email_verified), phone (phone_number), groups (group names).',
  security: [{ accessToken: [] }],
  responses: {
    200: {
      description: 'The claims',
      content: json({ sub: CLAIMS.sub, email: 'ada@example.com', email_verified: true, given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', phone_number: '+14155550100', groups: ['admins'] }),
    },
    400: oauthError('The token sent both ways, or a form that cannot be read', 'invalid_request', 'send the access token one way only: in the Authorization header or in the form, not both'),
    401: oauthError('No access token (the challenge is then a bare `Bearer`, RFC 6750 §3.1), or one that is invalid, expired or revoked', 'invalid_token', 'the access token is invalid or expired', {
      'WWW-Authenticate': header('The Bearer challenge, with the error', 'Bearer error="invalid_token", error_description="the access token is invalid or expired"'),
    }),
    403: oauthError('The access token lacks the openid scope', 'insufficient_scope', 'the access token lacks the openid scope'),
  },
};

const JWKS: OperationObject = {
  summary: "The issuer's public signing keys",
  description: 'RFC 7517 JSON Web Key Set: verifies ID tokens and the RFC 9068 JWT access tokens offline, by their `kid`. Cache it, and fetch it again on an unknown `kid`.',
  responses: {
    200: {
      description: 'The public keys, RS256 and ES256',
      content: {
        'application/jwk-set+json': {
          example: {
            keys: [
              { kty: 'RSA', use: 'sig', kid: 'ff488bb8', alg: 'RS256', e: 'AQAB', n: '7gJ13J3anM2Q0bYHCw56HH63xkK3U-bhsF__blDRzBObK5XBbeJm6Ew0tJKJvQFsa6KnRqQ-JDI-YIDDwgvtHBFUvKPVZYwA5veZb19YYIagzz4lWGcLTdyaWXlHwjBZYtJZW1k2-ctLYWrSvabjqhSTO_Sj9zJUfGIGD8Z-8dsPKC-WaYEyItr6dMyDJItFb1xjSpzav94H7wa1lAcKYdlD-s1ipMCIt-PJ1_lye6drXdtFxQRaK53z_e_sPv1GmhQxLSCWe7lkzGrrZwAZ8gQfK0bX955_dYViOIeuw7oqQFNxZS-mABApqZSKJDDOvckOhQPvGIUNI4Ah-wmNiw' },
              { kty: 'EC', use: 'sig', kid: 'b0572ce6', alg: 'ES256', crv: 'P-256', x: 'xBbametzOvptEv0pSP0bajtknLU9lWimzAiODd4BcLU', y: '9nBX4bVnqnxEyH38q42_5WEgfTWlr2S2EKfzIi2kwuE' },
            ],
          },
        },
      },
    },
  },
};

const INTROSPECTION: OperationObject = {
  summary: 'Ask whether a token is active',
  description:
    "RFC 7662: a token's own application may introspect it; any confidential application of the workspace may introspect an access token (a resource server checking one sent to it); a refresh token is its application's alone. A revoked, expired or unknown token is `{\"active\": false}`.",
  security: CLIENT_AUTH,
  requestBody: form({ ...TOKEN_FIELDS, ...CLIENT_FIELDS }, ['token'], { access_token: { token: ACCESS_TOKEN, token_type_hint: 'access_token' } }),
  responses: {
    200: {
      description: 'Whether the token is active, and if so its claims',
      content: json({ active: true, sub: CLAIMS.sub, client_id: CLIENT_ID, scope: 'openid profile email offline_access', exp: CLAIMS.exp, iat: CLAIMS.iat, iss: ISSUER, aud: ISSUER, token_type: 'Bearer' }),
    },
    401: INVALID_CLIENT,
  },
};

const REVOCATION: OperationObject = {
  summary: 'Revoke a token',
  description:
    "RFC 7009, by the token's own application: revoking a refresh token ends its grant, and the access tokens of that grant then fail at userinfo and introspection. An unknown or already revoked token is answered 200 too.",
  security: CLIENT_AUTH,
  requestBody: form({ ...TOKEN_FIELDS, ...CLIENT_FIELDS }, ['token'], { refresh_token: { token: REFRESH_TOKEN, token_type_hint: 'refresh_token' } }),
  responses: {
    200: { description: 'Revoked (an empty body)' },
    400: oauthError('The request is invalid', 'invalid_request', "missing required parameter 'token'"),
    401: INVALID_CLIENT,
  },
};

const END_SESSION: OperationObject = {
  summary: 'Sign out (RP-initiated logout)',
  description:
    'OpenID Connect RP-Initiated Logout 1.0: ends the browser\'s session at this issuer. With an `id_token_hint` naming the signed-in user the page signs out at once; otherwise it asks. Then the browser goes to `post_logout_redirect_uri` (one the application registered) with `state`, or to a "Signed out" page.',
  parameters: [
    query('id_token_hint', string('An ID token the issuer gave the application', ID_TOKEN)),
    query('post_logout_redirect_uri', string("One of the application's post-logout redirect URIs", 'https://app.example.com/')),
    query('state', string('Returned with the redirect', 'af0ifjsldkj')),
    query('client_id', string('The application, when no id_token_hint is sent', CLIENT_ID)),
  ],
  responses: {
    200: html('The sign-out page', '<h1>Sign out?</h1>\n<form method="post" action="' + ISSUER + '/session/end/confirm" id="op.logoutForm">…</form>\n<button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button>'),
    400: {
      description: 'An unregistered post_logout_redirect_uri, or an invalid id_token_hint: an error page for a browser, else JSON',
      content: {
        ...htmlPage('<h1>Sign-in error</h1>\n<p>invalid_request: post_logout_redirect_uri not registered</p>'),
        ...json({ error: 'invalid_request', error_description: 'post_logout_redirect_uri not registered' }, OAUTH_ERROR),
      },
    },
  },
};

/** The hosted page's own answer to a workspace with no issuer. */
const NO_LOGIN_PAGE = html('No workspace has this issuer', '<h1>Unknown issuer</h1>\n<p>No workspace has this sign-in page.</p>');
const EXPIRED_SIGN_IN = html('The sign-in expired or the browser lost its cookie', '<h1>Sign-in expired</h1>\n<p>This sign-in page has expired. Go back to the application you came from and start signing in again.</p>');

const LOGIN_PAGE: OperationObject = {
  summary: 'The hosted login page',
  description:
    'OIDC Core §3.1.2.3 (the authorization server authenticates the user): the page the authorization endpoint redirects to, with one form posting `identifier` (email or mobile number) and `password`, and links to reset a password or, where a pool allows it, register. It needs the interaction cookie set by that redirect.',
  parameters: [INTERACTION],
  responses: {
    200: html('The login page', `<form method="post" action="${ISSUER}/interaction/${UID}/login" novalidate>\n  <input id="identifier" name="identifier" type="text" autocomplete="username" required>\n  <input id="password" name="password" type="password" autocomplete="current-password" required>\n  <button type="submit">Sign in</button>\n</form>`),
    400: EXPIRED_SIGN_IN,
    404: NO_LOGIN_PAGE,
  },
};

const LOGIN: OperationObject = {
  summary: 'Sign in on the hosted login page',
  description:
    'The login form\'s action (OIDC Core §3.1.2.3). A wrong password, an unknown identifier, a locked or a disabled user all get the same page; failures are throttled per identifier and per IP. On success the browser returns to the authorization endpoint, which redirects to the application with the code.',
  parameters: [INTERACTION],
  requestBody: form(
    { identifier: string('Email or mobile number', 'ada@example.com'), password: string("The user's password", 'correct horse battery staple') },
    ['identifier', 'password'],
    { sign_in: { identifier: 'ada@example.com', password: 'correct horse battery staple' } },
  ),
  responses: {
    303: redirect('Signed in: back to the authorization endpoint', `${ISSUER}/auth/${UID}`),
    400: EXPIRED_SIGN_IN,
    404: NO_LOGIN_PAGE,
    401: html('Refused: the login page again, with the reason', '<p class="alert" role="alert">The email, mobile number or password is incorrect, or this account cannot sign in right now.</p>'),
    429: { ...html('Too many failed attempts: the login page again, saying how long to wait', '<p class="alert" role="alert">Too many failed attempts. Try again in 1 minute.</p>'), headers: { 'Retry-After': header('Seconds to wait', '60') } },
  },
};

const BACK_TO_SIGN_IN = 'a link back to the login page';
const TOO_MANY_PAGE: ResponseObject = { ...html('Too many requests from this address or for this email: the page says how long to wait', '<h1>Too many requests</h1>'), headers: { 'Retry-After': header('Seconds to wait', '60') } };
const REFUSED_FIELD = html('A field is refused: the form again, filled in, with the message', '<form method="post">…<p class="alert" role="alert">…</p></form>');
const REGISTRATION_CLOSED = html('No pool connected to this workspace allows self-registration (the login page then shows no link here)', '<h1>Registration closed</h1>');

const FORGOT_PASSWORD_PAGE: OperationObject = {
  summary: 'The login page’s “forgot your password” form',
  description: `Part of the sign-in (OIDC Core §3.1.2.3), linked from the login page: one form posting \`email\`, with ${BACK_TO_SIGN_IN}. Needs the sign-in's interaction cookie, as the login page does.`,
  parameters: [INTERACTION],
  responses: { 200: html('The form', `<form method="post" action="${ISSUER}/interaction/${UID}/forgot-password">…</form>`), 400: EXPIRED_SIGN_IN, 404: NO_LOGIN_PAGE },
};

const FORGOT_PASSWORD: OperationObject = {
  summary: 'Ask for a password reset link from the login page',
  description:
    'Part of the sign-in (OIDC Core §3.1.2.3). As `POST /v1/self-service/password-resets`, for the pools connected to the workspace that offer password sign-in: the same page whether or not the address has an account, and an email with a link to `/self-service/reset-password` where it has one. Counted per IP and per email.',
  parameters: [INTERACTION],
  requestBody: form({ email: string('The account’s email', 'ada@example.com') }, ['email'], { reset: { email: 'ada@example.com' } }),
  responses: { 200: html('Check your email', '<h1>Check your email</h1>'), 400: { ...REFUSED_FIELD, description: `${REFUSED_FIELD.description}; or the sign-in expired` }, 404: NO_LOGIN_PAGE, 429: TOO_MANY_PAGE },
};

const REGISTRATION_PAGE: OperationObject = {
  summary: 'The login page’s “create an account” form',
  description: `Part of the sign-in (OIDC Core §3.1.2.3), linked from the login page when a pool connected to the workspace allows self-registration (the first such pool by priority): email, password (within that pool's policy) and optional names, with ${BACK_TO_SIGN_IN}.`,
  parameters: [INTERACTION],
  responses: { 200: html('The registration form', `<form method="post" action="${ISSUER}/interaction/${UID}/register">…</form>`), 400: EXPIRED_SIGN_IN, 404: REGISTRATION_CLOSED },
};

const REGISTRATION: OperationObject = {
  summary: 'Register from the login page',
  description:
    'Part of the sign-in (OIDC Core §3.1.2.3). As `POST /v1/self-service/registrations`, in the pool the page offers (a pool id in the form is not trusted): the same answer whether or not the email already has an account (that one gets an email instead). With email verification, the page says to check the inbox.',
  parameters: [INTERACTION],
  requestBody: form(
    { email: string('The email to register', 'ada@example.com'), password: string("Within the pool's password policy", 'correct horse battery staple'), givenName: string('Optional', 'Ada'), familyName: string('Optional', 'Lovelace') },
    ['email', 'password'],
    { register: { email: 'ada@example.com', password: 'correct horse battery staple' } },
  ),
  responses: { 200: html('Registration received, or check your email', '<h1>Check your email</h1>'), 400: { ...REFUSED_FIELD, description: `${REFUSED_FIELD.description}; or the sign-in expired` }, 404: REGISTRATION_CLOSED, 429: TOO_MANY_PAGE },
};

/** Under the issuer: oidc-provider's default routes, our userinfo (oidc.http.ts) and the login page's controller. */
const ISSUER_PATHS: Record<string, PathItemObject> = {
  '/.well-known/openid-configuration': { get: DISCOVERY },
  '/auth': { get: AUTHORIZATION },
  '/request': { post: PUSHED_AUTHORIZATION },
  '/token': { post: TOKEN },
  '/userinfo': {
    get: USERINFO,
    post: { ...USERINFO, requestBody: { ...form({ access_token: string('The access token, when not in the Authorization header', ACCESS_TOKEN) }, ['access_token'], { access_token: { access_token: ACCESS_TOKEN } }), required: false } },
  },
  '/jwks': { get: JWKS },
  '/token/introspection': { post: INTROSPECTION },
  '/token/revocation': { post: REVOCATION },
  '/session/end': { get: END_SESSION },
  '/interaction/{uid}': { get: LOGIN_PAGE },
  '/interaction/{uid}/login': { post: LOGIN },
  '/interaction/{uid}/forgot-password': { get: FORGOT_PASSWORD_PAGE, post: FORGOT_PASSWORD },
  '/interaction/{uid}/register': { get: REGISTRATION_PAGE, post: REGISTRATION },
};

/** Adds the issuer's endpoints, their tag and the credentials they take to the document. */
export function addOidcPaths(document: OpenAPIObject): void {
  document.tags = [
    ...(document.tags ?? []),
    {
      name: TAG,
      description:
        "Each workspace's issuer, `{PUBLIC_URL}/oidc/{workspaceId}`. Errors are OAuth's `{error, error_description}` (RFC 6749 §5.2), or HTML pages where a browser is sent; a workspace with no issuer is a problem+json 404. While PostgreSQL is unreachable an endpoint may answer 503 `temporarily_unavailable` with `Retry-After`.",
    },
  ];
  document.components = {
    ...document.components,
    securitySchemes: {
      ...document.components?.securitySchemes,
      clientSecretBasic: { type: 'http', scheme: 'basic', description: "The application's client_id and client_secret (client_secret_basic, RFC 6749 §2.3.1)" },
      accessToken: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token the issuer handed out (RFC 9068)' },
    },
  };
  for (const [route, item] of Object.entries(ISSUER_PATHS)) {
    const operations = Object.entries(item).map(([method, operation]: [string, OperationObject]) => [
      method,
      { tags: [TAG], security: [], ...operation, parameters: [WORKSPACE, ...(operation.parameters ?? [])], responses: { 404: UNKNOWN_ISSUER, ...operation.responses } },
    ]);
    document.paths[`/oidc/{workspaceId}${route}`] = Object.fromEntries(operations);
  }
}
