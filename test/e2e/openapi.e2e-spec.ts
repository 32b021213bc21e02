import Ajv from 'ajv';
import { addMembers, connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, REDIRECT_URI } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * /docs and /docs-json describe the management API of API.md: every path and method,
 * each with a summary, its responses and request schemas with examples; and the
 * OpenID Connect issuer's endpoints, as a live issuer's discovery document lists them.
 */
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  parameters?: { name: string; in: string; description?: string; example?: unknown; schema?: { example?: unknown } }[];
  requestBody?: { content: Record<string, { schema: Schema; example?: unknown; examples?: Record<string, unknown> }> };
  responses: Record<string, { description: string; content?: Record<string, { schema?: unknown; example?: unknown; examples?: Record<string, unknown> }> }>;
  security?: unknown[];
}
interface Schema {
  type?: string;
  $ref?: string;
  example?: unknown;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
}
interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string };
  servers: { url: string }[];
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema>; securitySchemes: Record<string, { type: string; scheme: string }> };
}

/** API.md: "Workspaces and keys", "Identity pools", "Users", "Groups", and the health checks of "Operations". */
const CONTRACT: [string, string][] = [
  ['post', '/v1/workspaces'],
  ['get', '/v1/workspaces'],
  ['get', '/v1/workspaces/{ws}'],
  ['patch', '/v1/workspaces/{ws}'],
  ['delete', '/v1/workspaces/{ws}'],
  ['post', '/v1/workspaces/{ws}/api-keys'],
  ['get', '/v1/workspaces/{ws}/api-keys'],
  ['delete', '/v1/workspaces/{ws}/api-keys/{id}'],
  ['post', '/v1/workspaces/{ws}/pools'],
  ['get', '/v1/workspaces/{ws}/pools'],
  ['get', '/v1/workspaces/{ws}/pools/{pool}'],
  ['patch', '/v1/workspaces/{ws}/pools/{pool}'],
  ['delete', '/v1/workspaces/{ws}/pools/{pool}'],
  ['post', '/v1/workspaces/{ws}/pools/{pool}/users'],
  ['get', '/v1/workspaces/{ws}/pools/{pool}/users'],
  ['get', '/v1/workspaces/{ws}/pools/{pool}/users/{user}'],
  ['patch', '/v1/workspaces/{ws}/pools/{pool}/users/{user}'],
  ['delete', '/v1/workspaces/{ws}/pools/{pool}/users/{user}'],
  ['put', '/v1/workspaces/{ws}/pools/{pool}/users/{user}/password'],
  ['post', '/v1/workspaces/{ws}/pools/{pool}/users/{user}/invitations'],
  ['get', '/v1/workspaces/{ws}/pools/{pool}/users/{user}/groups'],
  ['post', '/v1/workspaces/{ws}/groups'],
  ['get', '/v1/workspaces/{ws}/groups'],
  ['get', '/v1/workspaces/{ws}/groups/{group}'],
  ['patch', '/v1/workspaces/{ws}/groups/{group}'],
  ['delete', '/v1/workspaces/{ws}/groups/{group}'],
  ['post', '/v1/workspaces/{ws}/groups/{group}/members'],
  ['get', '/v1/workspaces/{ws}/groups/{group}/members'],
  ['delete', '/v1/workspaces/{ws}/groups/{group}/members/{user}'],
  ['get', '/health/live'],
  ['get', '/health/ready'],
];

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const FORM = 'application/x-www-form-urlencoded';

/** The issuer's endpoints speak OAuth, not the management API's conventions: form bodies, `{error}` answers, redirects. */
const ISSUER = '/oidc/{workspaceId}';
const isIssuer = (path: string) => path.startsWith(`${ISSUER}/`);
/** Pages for a browser, the issuer's and the hosted ones emails link to: forms in, HTML out. */
const isForBrowsers = (path: string) => isIssuer(path) || path.startsWith('/self-service/');

describe('OpenAPI document and UI', () => {
  let t: TestApp;
  let doc: OpenApiDocument;
  const schema = (ref: string): Schema => doc.components.schemas[ref.replace('#/components/schemas/', '')];
  const operations = () =>
    Object.entries(doc.paths).flatMap(([path, ops]) =>
      Object.entries(ops)
        .filter(([method]) => HTTP_METHODS.includes(method))
        .map(([method, op]) => ({ method, path, op })),
    );

  beforeAll(async () => {
    t = await startTestApp();
    const res = await t.http.get('/docs-json').expect(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    doc = res.body;
  });
  afterAll(() => t.close());

  it('serves the UI at /docs as HTML without an API key', async () => {
    const res = await t.http.get('/docs').expect(200);
    expect(res.headers['content-type']).toMatch(/^text\/html/);
    expect(res.text).toMatch(/<html/i);
    expect(res.text).toMatch(/swagger-ui/i);
  });

  it('serves an OpenAPI 3 document', () => {
    expect(doc.openapi).toMatch(/^3\./);
    expect(doc.info.title).toBe('Identity Pools');
    expect(doc.components.securitySchemes.bearer).toMatchObject({ type: 'http', scheme: 'bearer' });
    // API keys are opaque, not JWTs.
    expect(doc.components.securitySchemes.bearer).not.toHaveProperty('bearerFormat', 'JWT');
  });

  it('defines every schema it refers to', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1]);
    expect([...new Set(refs)].filter((name) => !doc.components.schemas[name])).toEqual([]);
  });

  it('describes the answers it gives, as an OpenAPI 3.0 validator reads the schemas (a null invitation too)', async () => {
    // OpenAPI 3.0's dialect: `nullable` beside `type`, examples and formats as annotations.
    const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false });
    for (const [name, definition] of Object.entries(doc.components.schemas)) ajv.addSchema(definition, `#/components/schemas/${name}`);
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    await createUser(t, ws, pool);
    await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
    const { body } = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).expect(200);
    expect(body.items.map((user: { invitation: unknown }) => user.invitation === null)).toEqual([true, false]);
    const validate = ajv.getSchema('#/components/schemas/UserPageResponse')!;
    expect([validate(body), validate.errors ?? null]).toEqual([true, null]);
  });

  it('documents every management path of the contract and the health checks', () => {
    const missing = CONTRACT.filter(([method, path]) => !doc.paths[path]?.[method]).map(([m, p]) => `${m.toUpperCase()} ${p}`);
    expect(missing).toEqual([]);
  });

  it('gives each operation a summary, its responses with a description each, and its parameters, each described', () => {
    for (const { method, path, op } of operations()) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, typeof op.summary === 'string' && op.summary.length > 5]).toEqual([where, true]);
      expect([where, Object.keys(op.responses).length]).toEqual([where, expect.any(Number)]);
      expect(Object.keys(op.responses).length).toBeGreaterThan(0);
      const success = Object.keys(op.responses).filter((code) => (isForBrowsers(path) ? /^[23]\d\d$/ : /^2\d\d$/).test(code));
      expect([where, success.length]).toEqual([where, 1]);
      for (const [code, response] of Object.entries(op.responses)) {
        expect([where, code, typeof response.description === 'string' && response.description.length > 0]).toEqual([where, code, true]);
        if (isForBrowsers(path)) continue;
        // Errors are problem+json; a success with a body says what the body is.
        if (/^[45]/.test(code)) expect([where, code, Object.keys(response.content ?? {})]).toEqual([where, code, ['application/problem+json']]);
        if (/^20[01]$/.test(code)) expect([where, code, Boolean(response.content)]).toEqual([where, code, true]);
      }
      const params = [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();
      const documented = (op.parameters ?? []).filter((p) => p.in === 'path').map((p) => p.name).sort();
      expect([where, documented]).toEqual([where, params]);
      for (const parameter of op.parameters ?? []) expect([where, parameter.name, Boolean(parameter.description)]).toEqual([where, parameter.name, true]);
    }
  });

  it('declares the formats of the conventions: UUID ids, ISO-8601 timestamps, integer numbers', () => {
    const user = schema('UserResponse') as Schema & { properties: Record<string, Schema & { format?: string }> };
    expect([user.properties.id.format, user.properties.poolId.format, user.properties.createdAt.format, user.properties.lastSignInAt.format]).toEqual(['uuid', 'uuid', 'date-time', 'date-time']);
    // An externalId is the customer's own, not necessarily a UUID.
    expect(user.properties.externalId).not.toHaveProperty('format');
    expect(schema('ImportJobResponse').properties?.total.type).toBe('integer');
    const numbers = JSON.stringify(doc).match(/"type":"number"/g) ?? [];
    expect(numbers).toEqual([]);
    for (const { method, path, op } of operations()) {
      // A sign-in's uid is oidc-provider's own id, not a UUID.
      for (const parameter of (op.parameters ?? []).filter((p) => p.in === 'path' && p.name !== 'uid')) {
        expect([method, path, parameter.name, parameter.schema]).toEqual([method, path, parameter.name, expect.objectContaining({ format: 'uuid' })]);
      }
    }
  });

  it('marks management operations as needing the bearer key, and documents 401', () => {
    for (const { method, path, op } of operations().filter(({ path }) => path.startsWith('/v1/workspaces'))) {
      const where = `${method.toUpperCase()} ${path}`;
      expect([where, op.security]).toEqual([where, [{ bearer: [] }]]);
      expect([where, Object.keys(op.responses)]).toEqual([where, expect.arrayContaining(['401'])]);
    }
  });

  it('documents the errors the contract names: 404 on ids, 409 on duplicates, 400/413/415 on bodies', () => {
    for (const { method, path, op } of operations().filter(({ path }) => path.startsWith('/v1/workspaces/{ws}'))) {
      expect([method, path, Object.keys(op.responses)]).toEqual([method, path, expect.arrayContaining(['404'])]);
      if (op.requestBody) expect([method, path, Object.keys(op.responses)]).toEqual([method, path, expect.arrayContaining(['400', '413', '415'])]);
    }
    for (const path of ['/v1/workspaces/{ws}/pools', '/v1/workspaces/{ws}/pools/{pool}/users', '/v1/workspaces/{ws}/groups']) {
      expect(Object.keys(doc.paths[path].post.responses)).toContain('409');
    }
    expect(Object.keys(doc.paths['/health/ready'].get.responses).sort()).toEqual(['200', '503']);
  });

  it('gives every request body a schema whose fields have examples', () => {
    const withoutExample: string[] = [];
    const visit = (s: Schema, at: string, seen: Set<string>) => {
      if (s.$ref) {
        if (seen.has(s.$ref)) return;
        return visit(schema(s.$ref), at, new Set([...seen, s.$ref]));
      }
      for (const part of s.allOf ?? []) visit(part, at, seen);
      for (const [name, prop] of Object.entries(s.properties ?? {})) {
        if (prop.$ref) visit(prop, `${at}.${name}`, seen);
        else if (prop.type === 'array' && prop.items?.$ref && prop.example === undefined) visit(prop.items, `${at}.${name}[]`, seen);
        else if (prop.example === undefined) withoutExample.push(`${at}.${name}`);
      }
    };
    for (const { method, path, op } of operations()) {
      if (!op.requestBody) continue;
      // The issuer (RFC 6749 §3.2) and the hosted pages take forms, described in place.
      if (isForBrowsers(path)) {
        visit(op.requestBody.content[FORM].schema, `${method} ${path}`, new Set());
        continue;
      }
      // A named DTO schema for JSON.
      const ref = op.requestBody.content['application/json']?.schema?.$ref;
      expect([method, path, typeof ref]).toEqual([method, path, 'string']);
      visit({ $ref: ref! }, ref!.split('/').pop()!, new Set());
    }
    expect(withoutExample).toEqual([]);
  });

  it('describes each media type of an import upload with its own schema and example', () => {
    const { content } = doc.paths['/v1/workspaces/{ws}/pools/{pool}/imports'].post.requestBody!;
    expect(content['application/json']).toMatchObject({ schema: { $ref: '#/components/schemas/JsonImportDto' }, example: { users: expect.any(Array) } });
    expect(content['application/x-ndjson']).toMatchObject({ schema: { type: 'string' }, example: expect.stringMatching(/^\{.*\}\n\{.*\}\n$/) });
  });

  it('describes CreateUserDto and CreatePoolDto with examples and the required fields', () => {
    const user = doc.components.schemas.CreateUserDto;
    expect(user.required).toEqual(['credential']);
    expect(user.properties!.email).toMatchObject({ type: 'string', example: expect.stringContaining('@') });
    expect(user.properties!.mobile.example).toMatch(/^\+\d+$/);
    expect(user.properties!.credential.$ref).toBe('#/components/schemas/CredentialDto');
    expect(doc.components.schemas.CredentialDto.properties!.mode).toMatchObject({ example: expect.stringMatching(/^(password|invitation)$/) });

    const pool = doc.components.schemas.CreatePoolDto;
    expect(pool.required).toEqual(['name']);
    expect(pool.properties!.name.example).toEqual(expect.any(String));
    expect(pool.properties!.authenticationMechanisms.example).toEqual(['password']);
    expect(schema(pool.properties!.passwordPolicy.$ref!).properties!.minLength.example).toEqual(expect.any(Number));
    expect(schema(pool.properties!.lockout.$ref!).properties!.maxFailedAttempts.example).toEqual(expect.any(Number));
  });

  it('shows the API key once: in the create response schema only', () => {
    const created = doc.paths['/v1/workspaces/{ws}/api-keys'].post.responses['201'].content!['application/json'].schema as Schema;
    expect(schema(created.$ref!).properties).toHaveProperty('key');
    const listed = doc.paths['/v1/workspaces/{ws}/api-keys'].get.responses['200'].content!['application/json'].schema as Schema;
    const item = schema(schema(listed.$ref!).properties!.items.items!.$ref!);
    expect(item.properties).not.toHaveProperty('key');
    // No response schema has a password or hash field.
    const leaky = Object.entries(doc.components.schemas)
      .filter(([name]) => /Response$/.test(name))
      .flatMap(([name, s]) => Object.keys(s.properties ?? {}).filter((p) => /password(?!Policy)|hash/i.test(p)).map((p) => `${name}.${p}`));
    expect(leaky).toEqual([]);
  });

  describe('the OpenID Connect issuer', () => {
    let ws: string;
    let discovery: Record<string, string>;
    type Media = { example?: unknown; examples?: Record<string, unknown> };
    /** The documented path a live URL of the issuer is an instance of: under the document's server, with this workspace's id. */
    const documentedAt = (url: string): string | undefined => {
      const pathname = new URL(url, t.baseUrl).pathname.slice(new URL(doc.servers[0].url).pathname.replace(/\/$/, '').length);
      const matches = (template: string) => new RegExp(`^${template.replace(/\./g, '\\.').replace('{workspaceId}', ws).replace(/\{\w+\}/g, '[^/]+')}$`).test(pathname);
      return Object.keys(doc.paths).find(matches);
    };
    const at = (url: string, method: string) => doc.paths[documentedAt(url)!][method];
    const example = (url: string, method: string, status: number, type = 'application/json') => at(url, method).responses[status].content![type].example as Record<string, unknown>;
    const local = (url: string) => new URL(url).pathname + new URL(url).search;

    beforeAll(async () => {
      ws = (await createWorkspace(t)).id;
      discovery = (await t.http.get(`/oidc/${ws}/.well-known/openid-configuration`).expect(200)).body;
    });

    it('documents every endpoint of a live discovery document, with the methods the issuer answers', async () => {
      const listed = Object.keys(discovery).filter((field) => field.endsWith('_endpoint') || field === 'jwks_uri');
      expect(listed).toEqual(expect.arrayContaining(['authorization_endpoint', 'token_endpoint', 'userinfo_endpoint', 'jwks_uri', 'introspection_endpoint', 'revocation_endpoint', 'end_session_endpoint']));
      for (const url of [`${discovery.issuer}/.well-known/openid-configuration`, ...listed.map((field) => discovery[field])]) {
        const path = documentedAt(url);
        const documented = Object.keys(doc.paths[path!] ?? {}).filter((method) => HTTP_METHODS.includes(method));
        // The issuer answers a method it does not serve at a path with 404.
        const answered: string[] = [];
        for (const method of ['get', 'post'] as const) if ((await t.http[method](local(url))).status !== 404) answered.push(method);
        expect([url, path, documented.sort()]).toEqual([url, expect.stringMatching(/^\/oidc\/\{workspaceId\}\//), answered]);
      }
    });

    it('gives each issuer operation its tag, the spec it implements, its credentials and an example answer', () => {
      const issuerOps = operations().filter(({ path }) => isIssuer(path));
      expect(issuerOps.length).toBeGreaterThanOrEqual(12);
      for (const { method, path, op } of issuerOps) {
        const examples = Object.values(op.responses).flatMap((response) => Object.values((response.content ?? {}) as Record<string, Media>).filter((media) => media.example !== undefined || media.examples));
        expect([method, path, op.tags, op.description, examples.length > 0]).toEqual([method, path, ['OpenID Connect'], expect.stringMatching(/OIDC Core|OpenID Connect|RFC \d+/), true]);
      }
      expect(doc.components.securitySchemes).toMatchObject({ clientSecretBasic: { type: 'http', scheme: 'basic' }, accessToken: { type: 'http', scheme: 'bearer' } });
      for (const field of ['token_endpoint', 'introspection_endpoint', 'revocation_endpoint']) {
        const op = at(discovery[field], 'post');
        // Basic, or the client in the form (client_secret_post, public applications).
        expect([field, op.security, Object.keys(op.requestBody!.content)]).toEqual([field, [{ clientSecretBasic: [] }, {}], [FORM]]);
      }
      for (const method of ['get', 'post']) expect(at(discovery.userinfo_endpoint, method).security).toEqual([{ accessToken: [] }]);
      for (const field of ['authorization_endpoint', 'end_session_endpoint']) {
        const op = at(discovery[field], 'get');
        expect([field, op.security, op.requestBody, op.parameters!.filter((p) => p.in === 'query').length > 2]).toEqual([field, [], undefined, true]);
      }
    });

    it('shows the discovery document, JWKS, tokens, claims and errors the issuer really answers', async () => {
      const documented = example(`${discovery.issuer}/.well-known/openid-configuration`, 'get', 200);
      const issuer = documented.issuer as string;
      for (const [field, value] of Object.entries(documented)) {
        expect([field, typeof value === 'string' ? value.replace(issuer, '') : value]).toEqual([field, typeof value === 'string' ? discovery[field].replace(discovery.issuer, '') : expect.arrayContaining(value as unknown[])]);
      }
      const kinds = (jwks: { keys: { kty: string }[] }) => jwks.keys.map((key) => key.kty).sort();
      expect(kinds(example(discovery.jwks_uri, 'get', 200, 'application/jwk-set+json') as never)).toEqual(kinds((await t.http.get(local(discovery.jwks_uri)).expect(200)).body));

      const pool = (await createPool(t, ws)).id;
      await connectPool(t, ws, pool);
      const user = await createUser(t, ws, pool, { givenName: 'Ada', familyName: 'Lovelace', name: 'Ada Lovelace', mobile: '+14155550100' });
      await addMembers(t, ws, (await createGroup(t, ws)).id, [user.id]);
      const app = await createApplication(t, ws);
      const token = (form: Record<string, string>) => t.http.post(local(discovery.token_endpoint)).auth(app.clientId, app.clientSecret).type('form').send(form);
      const tokens = (await token({ grant_type: 'password', username: user.email, password: 'correct horse battery', scope: 'openid profile email phone groups offline_access' }).expect(200)).body;
      expect(Object.keys(tokens).sort()).toEqual(Object.keys(example(discovery.token_endpoint, 'post', 200)).sort());
      const refused = await token({ grant_type: 'refresh_token', refresh_token: 'unknown-refresh-token' }).expect(400);
      expect(refused.body).toEqual(example(discovery.token_endpoint, 'post', 400));
      const claims = (await t.http.get(local(discovery.userinfo_endpoint)).set('Authorization', `Bearer ${tokens.access_token}`).expect(200)).body;
      // API.md: sub, email, email_verified, given_name, family_name, name, phone_number, groups.
      expect(Object.keys(claims).sort()).toEqual(Object.keys(example(discovery.userinfo_endpoint, 'get', 200)).sort());
    });

    it('documents the hosted login page the authorization endpoint sends the browser to, and its form', async () => {
      const app = await createApplication(t, ws);
      const authorization = at(discovery.authorization_endpoint, 'get');
      // The documented request, for this application.
      const mine: Record<string, string> = { client_id: app.clientId, redirect_uri: REDIRECT_URI };
      const query = new URLSearchParams(authorization.parameters!.filter((p) => p.in === 'query').map((p): [string, string] => [p.name, mine[p.name] ?? String(p.schema!.example)]));
      const started = await t.http.get(`${local(discovery.authorization_endpoint)}?${query}`);
      expect(Object.keys(authorization.responses)).toContain(String(started.status));
      const cookies = (started.headers['set-cookie'] as unknown as string[]).map((cookie) => cookie.split(';')[0]).join('; ');
      const loginPage = started.headers.location;
      const page = await t.http.get(local(loginPage)).set('Cookie', cookies).expect(200);
      expect(at(loginPage, 'get').responses).toHaveProperty('200');
      const action = /<form method="post" action="([^"]+)"/.exec(page.text)![1].replace(/&amp;/g, '&');
      const login = at(action, 'post');
      const form = Object.values(login.requestBody!.content[FORM].examples!)[0] as { value: Record<string, string> };
      const answered = await t.http.post(local(action)).set('Cookie', cookies).type('form').send(form.value);
      // The example user has no account here: refused, with the documented page.
      expect([answered.status, Object.keys(login.responses)]).toEqual([401, expect.arrayContaining(['303', '401', '429'])]);
    });
  });
});
