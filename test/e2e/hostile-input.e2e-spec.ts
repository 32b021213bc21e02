import request from 'supertest';
import { connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, errorFields, REDIRECT_URI, unique } from '../factories';
import { followLogin } from '../support/browserless-login';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Hostile but well-formed input: every one must be answered with a 4xx naming what is
 * wrong (problem+json on the API, an error page or an OAuth error elsewhere), never a 500,
 * and a bad import record must never stop the job. Each case here failed when written.
 */

const NUL = 'a\u0000b';
/** JSON.stringify writes a lone surrogate as the escape `\ud800`, which JSON.parse turns back into one. */
const LONE_SURROGATE = 'a\ud800b';
const PASSWORD = 'correct horse battery';

function expectProblem(res: request.Response, status: number, field?: string): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  if (field) expect(errorFields(res)).toContain(field);
}

describe('hostile input', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let user: string;
  let group: string;
  let app: { id: string; clientId: string; clientSecret: string };
  let provider: string;

  beforeAll(async () => {
    t = await startTestApp(
      {
        RATE_LIMIT_SELF_SERVICE_PER_IP: '100000',
        RATE_LIMIT_SELF_SERVICE_PER_EMAIL: '100000',
        RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000',
        RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '100000',
      },
      { listen: true },
    );
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
    user = (await createUser(t, ws, pool, { email: 'ada@example.com', credential: { mode: 'password', password: PASSWORD } })).id;
    group = (await createGroup(t, ws)).id;
    provider = (await connectPool(t, ws, pool)).id;
    app = await createApplication(t, ws, { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'], tokenEndpointAuthMethod: 'client_secret_post' });
  });
  afterAll(() => t.close());

  const base = () => `/v1/workspaces/${ws}`;
  const users = () => `${base()}/pools/${pool}/users`;

  describe('NUL characters in JSON strings (PostgreSQL text refuses U+0000)', () => {
    const cases: [string, 'post' | 'patch', () => string, () => Record<string, unknown>, string][] = [
      ['workspace name', 'post', () => '/v1/workspaces', () => ({ name: NUL }), 'name'],
      ['workspace description', 'patch', () => base(), () => ({ description: NUL }), 'description'],
      ['API key name', 'post', () => `${base()}/api-keys`, () => ({ name: NUL }), 'name'],
      ['pool name', 'post', () => `${base()}/pools`, () => ({ name: NUL }), 'name'],
      ['pool description', 'patch', () => `${base()}/pools/${pool}`, () => ({ description: NUL }), 'description'],
      ['user givenName', 'post', () => users(), () => ({ email: `${unique('nul')}@example.com`, givenName: NUL, credential: { mode: 'password', password: PASSWORD } }), 'givenName'],
      ['user externalId', 'post', () => users(), () => ({ email: `${unique('nul')}@example.com`, externalId: NUL, credential: { mode: 'password', password: PASSWORD } }), 'externalId'],
      ['user familyName (PATCH)', 'patch', () => `${users()}/${user}`, () => ({ familyName: NUL }), 'familyName'],
      ['group name', 'post', () => `${base()}/groups`, () => ({ name: NUL }), 'name'],
      ['group description', 'patch', () => `${base()}/groups/${group}`, () => ({ description: NUL }), 'description'],
      ['application name', 'post', () => `${base()}/applications`, () => ({ name: NUL, redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code'] }), 'name'],
      ['application redirect URI', 'post', () => `${base()}/applications`, () => ({ name: unique('app'), redirectUris: ['myapp:/\u0000cb'], grantTypes: ['authorization_code'] }), 'redirectUris'],
      ['application name (PATCH)', 'patch', () => `${base()}/applications/${app.id}`, () => ({ name: NUL }), 'name'],
    ];

    it.each(cases)('answers 400 naming the field to a NUL in the %s', async (_what, method, path, body, field) => {
      expectProblem(await t.root(method, path()).send(body()), 400, field);
    });

    it('answers 400 naming search to a NUL in the user search', async () => {
      expectProblem(await t.root('get', `${users()}?search=a%00`), 400, 'search');
    });

    it('answers 400 naming givenName to a NUL in a self-service registration', async () => {
      const res = await t.http.post('/v1/self-service/registrations').send({ poolId: pool, email: `${unique('reg')}@example.com`, password: PASSWORD, givenName: NUL });
      expectProblem(res, 400, 'givenName');
    });

    it('answers the hosted registration form with 400 (the form again) to a NUL in a name, not 500', async () => {
      const res = await t.http
        .post('/self-service/register')
        .type('form')
        .send(new URLSearchParams({ poolId: pool, email: `${unique('reg')}@example.com`, password: PASSWORD, givenName: NUL }).toString());
      expect(res.status).toBe(400);
    });
  });

  describe('text longer than its column once variation selectors count (validator.isLength skips U+FE0F)', () => {
    const long = (characters: number) => 'a\uFE0F'.repeat(characters / 2);
    const cases: [string, 'post' | 'patch', () => string, () => Record<string, unknown>, string][] = [
      ['workspace name', 'post', () => '/v1/workspaces', () => ({ name: long(102) }), 'name'],
      ['pool description', 'patch', () => `${base()}/pools/${pool}`, () => ({ description: long(502) }), 'description'],
      ['user givenName', 'post', () => users(), () => ({ email: `${unique('vs')}@example.com`, givenName: long(202), credential: { mode: 'password', password: PASSWORD } }), 'givenName'],
      ['application name (PATCH)', 'patch', () => `${base()}/applications/${app.id}`, () => ({ name: long(102) }), 'name'],
    ];

    it.each(cases)('answers 400 naming the field to a %s over its length', async (_what, method, path, body, field) => {
      expectProblem(await t.root(method, path()).send(body()), 400, field);
    });

    it('stores a value exactly at its length as sent', async () => {
      const res = await t.root('patch', `${base()}/pools/${pool}`).send({ description: long(500) }).expect(200);
      expect(res.body.description).toBe(long(500));
    });
  });

  describe('attributes PostgreSQL jsonb cannot store', () => {
    it.each([
      ['a NUL in a value', { note: NUL }],
      ['a NUL in a key', { [NUL]: 1 }],
      ['a lone surrogate in a value', { note: LONE_SURROGATE }],
      ['a lone surrogate in a nested array', { tags: ['\udfff'] }],
    ])('answers 400 naming attributes to %s, on create and on update', async (_what, attributes) => {
      const created = await t.root('post', users()).send({ email: `${unique('attr')}@example.com`, attributes, credential: { mode: 'password', password: PASSWORD } });
      expectProblem(created, 400, 'attributes');
      expectProblem(await t.root('patch', `${users()}/${user}`).send({ attributes }), 400, 'attributes');
    });
  });

  describe('lone surrogates in emails (validator.isEmail throws URIError)', () => {
    const email = `ad${LONE_SURROGATE}@example.com`;

    it('answers 400 naming email when creating and updating a user', async () => {
      expectProblem(await t.root('post', users()).send({ email, credential: { mode: 'password', password: PASSWORD } }), 400, 'email');
      expectProblem(await t.root('patch', `${users()}/${user}`).send({ email }), 400, 'email');
    });

    it('answers 400 naming email on self-service registration and password reset', async () => {
      expectProblem(await t.http.post('/v1/self-service/registrations').send({ poolId: pool, email, password: PASSWORD }), 400, 'email');
      expectProblem(await t.http.post('/v1/self-service/password-resets').send({ poolId: pool, email }), 400, 'email');
    });
  });

  describe('null for fields that cannot be null', () => {
    it.each([
      ['workspace name', () => base(), { name: null }, 'name'],
      ['application name', () => `${base()}/applications/${app.id}`, { name: null }, 'name'],
      ['identity provider enabled', () => `${base()}/identity-providers/${provider}`, { enabled: null }, 'enabled'],
      ['identity provider priority', () => `${base()}/identity-providers/${provider}`, { priority: null }, 'priority'],
    ])('answers 400 naming the field to PATCH %s: null', async (_what, path, body, field) => {
      expectProblem(await t.root('patch', path()).send(body), 400, field);
    });
  });

  describe('JSON nested deeper than the call stack allows (JSON.stringify and recursive walks overflow)', () => {
    const deep = (depth: number, leaf = '1') => '['.repeat(depth) + leaf + ']'.repeat(depth);

    it('answers 400 to a body nested 100,000 deep', async () => {
      const res = await t.root('post', `${base()}/groups`).set('content-type', 'application/json').send(`{"name":"deep","description":${deep(100_000)}}`);
      expectProblem(res, 400);
    });

    it('answers 400 naming attributes to attributes nested deeper than 32, on create and on update', async () => {
      const attributes = JSON.parse(`{"a":${deep(40)}}`);
      expectProblem(await t.root('post', users()).send({ email: `${unique('deep')}@example.com`, attributes, credential: { mode: 'password', password: PASSWORD } }), 400, 'attributes');
      expectProblem(await t.root('patch', `${users()}/${user}`).send({ attributes }), 400, 'attributes');
    });
  });

  describe('bulk migration', () => {
    const imports = () => `${users().replace(/\/users$/, '')}/imports`;

    async function finished(jobId: string, timeoutMs = 20_000) {
      return eventually(async () => {
        const res = await t.root('get', `${imports()}/${jobId}`).expect(200);
        expect(['completed', 'failed', 'cancelled']).toContain(res.body.status);
        return res.body;
      }, timeoutMs);
    }

    it('answers 400 naming cursor to an errors cursor beyond the line numbers it can issue', async () => {
      const job = await t.root('post', imports()).send({ users: [{ email: 'nope' }] }).expect(202);
      await finished(job.body.id);
      for (const line of [2 ** 31, 1e10, 1e308]) {
        const cursor = Buffer.from(JSON.stringify({ line })).toString('base64url');
        expectProblem(await t.root('get', `${imports()}/${job.body.id}/errors?cursor=${cursor}`), 400, 'cursor');
      }
    });

    it('stages an NDJSON upload with a raw NUL byte in a line, reporting that line as invalid JSON', async () => {
      const body = Buffer.concat([Buffer.from(`{"email":"${unique('good')}@example.com"}\n{"email":"x`), Buffer.from([0]), Buffer.from('y@example.com"}\n')]);
      const res = await t.root('post', imports()).set('content-type', 'application/x-ndjson').send(body);
      expect(res.status).toBe(202);
      const job = await finished(res.body.id);
      expect(job).toMatchObject({ status: 'completed', total: 2, created: 1, failed: 1 });
      const errors = await t.root('get', `${imports()}/${job.id}/errors`).expect(200);
      expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'invalid_json' })]);
    });

    it.each([
      ['a NUL in givenName', { givenName: NUL }],
      ['a NUL in externalId', { externalId: NUL }],
      ['a NUL in a group name', { groups: [NUL] }],
      ['a NUL in attributes', { attributes: { note: NUL } }],
      ['a lone surrogate in attributes', { attributes: { note: LONE_SURROGATE } }],
    ])('reports a record with %s as that line’s error and imports the others', async (_what, fields) => {
      const good = `${unique('good')}@example.com`;
      const body = `${JSON.stringify({ email: good })}\n${JSON.stringify({ email: `${unique('bad')}@example.com`, ...fields })}\n`;
      const res = await t.root('post', imports()).set('content-type', 'application/x-ndjson').send(body).expect(202);
      const job = await finished(res.body.id);
      expect(job).toMatchObject({ status: 'completed', total: 2, processed: 2, created: 1, failed: 1 });
      const errors = await t.root('get', `${imports()}/${job.id}/errors`).expect(200);
      expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'invalid_record' })]);
    });

    it('reports a record whose attributes nest thousands deep as that line’s error and imports the others', async () => {
      const good = `${unique('good')}@example.com`;
      const body = `${JSON.stringify({ email: good })}\n{"email":"${unique('deep')}@example.com","attributes":{"a":${'['.repeat(20_000)}1${']'.repeat(20_000)}}}\n`;
      const res = await t.root('post', imports()).set('content-type', 'application/x-ndjson').send(body).expect(202);
      const job = await finished(res.body.id);
      expect(job).toMatchObject({ status: 'completed', total: 2, created: 1, failed: 1 });
      const errors = await t.root('get', `${imports()}/${job.id}/errors`).expect(200);
      expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'invalid_record' })]);
    });

    it('reports a record whose email holds a lone surrogate as that line’s error and imports the others', async () => {
      const good = `${unique('good')}@example.com`;
      const body = `${JSON.stringify({ email: good })}\n${JSON.stringify({ email: `x${LONE_SURROGATE}@example.com` })}\n`;
      const res = await t.root('post', imports()).set('content-type', 'application/x-ndjson').send(body).expect(202);
      const job = await finished(res.body.id);
      expect(job).toMatchObject({ status: 'completed', total: 2, created: 1, failed: 1 });
    });
  });

  describe('OpenID Connect endpoints', () => {
    const oidc = () => `/oidc/${ws}`;
    const form = (path: string, body: Record<string, string>) => t.http.post(path).type('form').send(new URLSearchParams(body).toString());
    const credentials = () => ({ client_id: app.clientId, client_secret: app.clientSecret });

    it.each([
      ['a NUL in the password grant username', () => ({ grant_type: 'password', ...credentials(), username: 'ada@example.com\u0000', password: PASSWORD })],
      ['a NUL in the refresh token', () => ({ grant_type: 'refresh_token', ...credentials(), refresh_token: NUL })],
      ['a NUL in the authorization code', () => ({ grant_type: 'authorization_code', ...credentials(), code: NUL, redirect_uri: REDIRECT_URI })],
      ['a NUL in client_id', () => ({ grant_type: 'client_credentials', client_id: NUL, client_secret: 'x' })],
    ])('answers the token endpoint with a 4xx OAuth error to %s', async (_what, body) => {
      const res = await form(`${oidc()}/token`, body());
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(res.body.error).not.toBe('server_error');
    });

    it('answers introspection and revocation with a 4xx or 200, never 500, to a NUL token', async () => {
      for (const endpoint of ['token/introspection', 'token/revocation']) {
        const res = await form(`${oidc()}/${endpoint}`, { token: NUL, ...credentials() });
        expect([200, 400, 401]).toContain(res.status);
      }
    });

    it('answers the authorization and end-session endpoints with 400 to a NUL client_id', async () => {
      const auth = await t.http.get(`${oidc()}/auth`).query({ client_id: NUL, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid' });
      expect(auth.status).toBe(400);
      const logout = await t.http.get(`${oidc()}/session/end`).query({ client_id: NUL });
      expect(logout.status).toBe(400);
    });

    function authorizationUrl(): string {
      const params = new URLSearchParams({
        client_id: app.clientId,
        redirect_uri: REDIRECT_URI,
        response_type: 'code',
        scope: 'openid',
        code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
        code_challenge_method: 'S256',
      });
      return `${t.baseUrl}${oidc()}/auth?${params}`;
    }

    it('answers the login page like a wrong password to an identifier with a NUL', async () => {
      const result = await followLogin(authorizationUrl(), { identifier: 'ada@example.com\u0000', password: PASSWORD }, REDIRECT_URI);
      expect(result.redirectedTo).toBeNull();
      expect(result.page?.status).toBe(401);
    });

    it('answers 413 to a login form over the 16 kB limit', async () => {
      const result = await followLogin(authorizationUrl(), { identifier: 'ada@example.com', password: 'x'.repeat(17 * 1024) }, REDIRECT_URI);
      expect(result.page?.status).toBe(413);
      expect(result.page?.body).toContain('<h1>Payload too large</h1>');
    });
  });

  describe('hosted self-service pages', () => {
    it.each(['accept-invitation', 'verify-email', 'reset-password'])('answers 413 to a form over the 16 kB limit posted to /self-service/%s', async (page) => {
      const res = await t.http
        .post(`/self-service/${page}`)
        .type('form')
        .send(new URLSearchParams({ token: 'abc', password: 'x'.repeat(17 * 1024) }).toString());
      expect(res.status).toBe(413);
      // A page the browser shows, with the hosted pages' headers, not a problem document.
      expect(res.headers['content-type']).toMatch(/^text\/html/);
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.text).toContain('The form is larger than 16 KB');
    });

    it.each(['/v1/self-service/registrations', '/v1/self-service/password-resets', '/v1/self-service/invitations/accept'])(
      'answers 413 to a JSON body over 16 KB posted to %s without a key: no 10 MB parse for anyone who asks',
      async (path) => {
        const res = await t.http.post(path).set('Content-Type', 'application/json').send(JSON.stringify({ email: 'ada@example.com', password: 'x'.repeat(17 * 1024) }));
        expect(res.status).toBe(413);
        expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(res.body.detail).toBe('The body is larger than 16 KB, the most this endpoint takes.');
      },
    );

    it('answers the registration page with 404 to a pool that is not a UUID, and 400/404 without one', async () => {
      expect((await t.http.get('/self-service/register?pool=not-a-uuid')).status).toBe(404);
      expect((await t.http.get(`/self-service/register?pool=${pool}&pool=${pool}`)).status).toBeLessThan(500);
      expect([400, 404]).toContain((await t.http.get('/self-service/register')).status);
    });
  });
});
