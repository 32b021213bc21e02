import * as bcrypt from 'bcryptjs';
import { randomUUID } from 'node:crypto';
import { GRANT_TYPES, AUTH_METHODS } from '../../src/auth/applications/application.entity';
import { IMPORT_STATUSES } from '../../src/imports/import-job.entity';
import { USER_STATUSES } from '../../src/users/user.entity';
import { createPool, createWorkspace, createWorkspaceKey, Method } from '../factories';
import { eventually } from '../support/eventually';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * /docs-json read as a client generator and a developer trying the examples in /docs would:
 * every operation of API.md with its description, security, parameters and defaults; each
 * documented request example sent to the real app and accepted; each success schema holding
 * the fields the real answer has; and every error the app really gives documented as
 * problem+json. openapi.e2e-spec.ts covers the document's skeleton; this covers its truth.
 */
interface Schema {
  type?: string;
  $ref?: string;
  example?: unknown;
  default?: unknown;
  enum?: unknown[];
  format?: string;
  minimum?: number;
  maximum?: number;
  properties?: Record<string, Schema>;
  items?: Schema;
  required?: string[];
  allOf?: Schema[];
  anyOf?: Schema[];
}
interface MediaType {
  schema?: Schema;
  example?: unknown;
}
interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  description?: string;
  schema: Schema;
}
interface Operation {
  summary?: string;
  description?: string;
  tags?: string[];
  security?: unknown[];
  parameters?: Parameter[];
  requestBody?: { content: Record<string, MediaType> };
  responses: Record<string, { description: string; headers?: Record<string, unknown>; content?: Record<string, MediaType> }>;
}
interface Doc {
  info: { description: string };
  paths: Record<string, Record<string, Operation>>;
  components: { schemas: Record<string, Schema> };
}
interface Op {
  method: Method;
  path: string;
  op: Operation;
  where: string;
}

const WS = '/v1/workspaces/{ws}';
const POOL = `${WS}/pools/{pool}`;
const USER = `${POOL}/users/{user}`;
const JOB = `${POOL}/imports/{job}`;

/** Every operation API.md names, with the success status it gives. */
const CONTRACT: [Method, string, number][] = [
  ['post', '/v1/workspaces', 201], ['get', '/v1/workspaces', 200], ['get', WS, 200], ['patch', WS, 200], ['delete', WS, 204],
  ['post', `${WS}/api-keys`, 201], ['get', `${WS}/api-keys`, 200], ['delete', `${WS}/api-keys/{id}`, 204],
  ['post', `${WS}/pools`, 201], ['get', `${WS}/pools`, 200], ['get', POOL, 200], ['patch', POOL, 200], ['delete', POOL, 204],
  ['post', `${POOL}/users`, 201], ['get', `${POOL}/users`, 200], ['get', USER, 200], ['patch', USER, 200], ['delete', USER, 204],
  ['put', `${USER}/password`, 204], ['post', `${USER}/invitations`, 202], ['get', `${USER}/groups`, 200],
  ['post', `${WS}/groups`, 201], ['get', `${WS}/groups`, 200], ['get', `${WS}/groups/{group}`, 200], ['patch', `${WS}/groups/{group}`, 200],
  ['delete', `${WS}/groups/{group}`, 204], ['post', `${WS}/groups/{group}/members`, 200], ['get', `${WS}/groups/{group}/members`, 200],
  ['delete', `${WS}/groups/{group}/members/{user}`, 204],
  ['post', `${POOL}/imports`, 202], ['get', `${POOL}/imports`, 200], ['get', JOB, 200], ['get', `${JOB}/errors`, 200], ['post', `${JOB}/cancel`, 202],
  ['post', `${WS}/identity-providers`, 201], ['get', `${WS}/identity-providers`, 200],
  ['patch', `${WS}/identity-providers/{id}`, 200], ['delete', `${WS}/identity-providers/{id}`, 204],
  ['post', `${WS}/applications`, 201], ['get', `${WS}/applications`, 200], ['get', `${WS}/applications/{id}`, 200],
  ['patch', `${WS}/applications/{id}`, 200], ['delete', `${WS}/applications/{id}`, 204],
  ['get', '/v1/self-service/invitations', 200], ['post', '/v1/self-service/invitations/accept', 200],
  ['post', '/v1/self-service/registrations', 202], ['post', '/v1/self-service/verifications', 200],
  ['post', '/v1/self-service/password-resets', 202], ['post', '/v1/self-service/password-resets/confirm', 204],
  ['get', '/health/live', 200], ['get', '/health/ready', 200],
];

/** Operations whose examples carry a link token nobody was sent: a valid body is answered 404 (unknown link), an invalid one 400. */
const TOKEN_OPERATIONS = ['/v1/self-service/invitations', '/v1/self-service/invitations/accept', '/v1/self-service/verifications', '/v1/self-service/password-resets/confirm'];

const NDJSON = 'application/x-ndjson';
const PROBLEM = 'application/problem+json';
const isPublic = (path: string) => !path.startsWith('/v1/workspaces');
/**
 * The OpenID Connect issuer's endpoints speak OAuth rather than this API's conventions (form
 * bodies, `{error}` answers, client credentials, redirects); openapi.e2e-spec.ts checks them
 * against a live issuer, and the hosted pages' forms and HTML answers. The operations below
 * are the management and self-service API's.
 */
const isIssuer = (path: string) => path.startsWith('/oidc/');
const isForBrowsers = (path: string) => isIssuer(path) || path.startsWith('/self-service/');

describe('OpenAPI audit: the document against the contract and the running app', () => {
  let t: TestApp;
  let doc: Doc;
  let ops: Op[];
  /** Ids by the path template of the collection they belong to, as `resolve` fills `{param}`s. */
  const ids: Record<string, string> = {};
  /** A pool that allows self-registration, for the registration example. */
  let openPool: string;
  /** Real answers of the example requests, by operation. */
  const answers = new Map<string, { status: number; body: unknown }>();

  const ref = (s: Schema): Schema => (s.$ref ? doc.components.schemas[s.$ref.split('/').pop()!] : s);
  const resolve = (template: string): string =>
    template.replace(/\{(\w+)\}/g, (_m, _name, offset: number) => {
      const id = ids[template.slice(0, offset - 1)];
      if (!id) throw new Error(`no id for the ${template.slice(0, offset - 1)} of ${template}`);
      return id;
    });
  const send = (method: Method, path: string, key: string | null = ROOT_KEY) => {
    const req = t.http[method](path);
    return key ? req.set('Authorization', `Bearer ${key}`) : req;
  };

  /** The example Swagger UI shows for a schema: the media type's, else one built from the properties' examples. */
  const exampleOf = (s: Schema): unknown => {
    const schema = ref(s);
    if (schema.example !== undefined) return schema.example;
    if (schema.allOf) return Object.assign({}, ...schema.allOf.map((part) => exampleOf(part)));
    if (schema.properties) return Object.fromEntries(Object.entries(schema.properties).map(([name, prop]) => [name, exampleOf(prop)]).filter(([, v]) => v !== undefined));
    if (schema.type === 'array' && schema.items) return [exampleOf(schema.items)].filter((v) => v !== undefined);
    return undefined;
  };
  const successOf = (op: Operation) => Object.keys(op.responses).find((code) => /^2/.test(code))!;

  beforeAll(async () => {
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' });
    doc = (await t.http.get('/docs-json').expect(200)).body;
    ops = Object.entries(doc.paths).filter(([path]) => !isForBrowsers(path)).flatMap(([path, byMethod]) =>
      Object.entries(byMethod)
        .filter(([method]) => ['get', 'post', 'put', 'patch', 'delete'].includes(method))
        .map(([method, op]) => ({ method: method as Method, path, op, where: `${method.toUpperCase()} ${path}` })),
    );
    const ws = (await createWorkspace(t)).id;
    ids['/v1/workspaces'] = ws;
    openPool = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;

    // Each documented request example, sent as it stands (ids and tokens aside) in the document's order:
    // a create's id is then the one later operations on that collection use.
    for (const { method, path, op, where } of ops.filter(({ method, op }) => op.requestBody && method !== 'delete')) {
      for (const [type, media] of Object.entries(op.requestBody!.content)) {
        let body = media.example ?? exampleOf(media.schema!);
        if (typeof body === 'object' && body) {
          body = JSON.parse(JSON.stringify(body));
          const fields = body as Record<string, unknown>;
          if ('poolId' in fields) fields.poolId = path.includes('registrations') ? openPool : ids[`${WS}/pools`] ?? openPool;
          if ('userIds' in fields) fields.userIds = [ids[`${POOL}/users`]];
        }
        const res = await send(method, resolve(path), isPublic(path) ? null : ROOT_KEY).set('Content-Type', type).send(typeof body === 'string' ? body : JSON.stringify(body));
        answers.set(`${where} ${type}`, { status: res.status, body: res.body });
        if (res.status === 201 && res.body.id) ids[path] = res.body.id;
        if (res.status === 202 && path.endsWith('/imports')) ids[path] = res.body.id;
      }
    }
    // The example added this user to the group.
    ids[`${WS}/groups/{group}/members`] = ids[`${POOL}/users`];
    // A user's authorized applications are named by the applications' own ids.
    ids[`${POOL}/users/{user}/applications`] = ids[`${WS}/applications`];
  });
  afterAll(() => t?.close());

  it('documents every operation of API.md, each with a summary, a description and a tag', () => {
    const problems: string[] = [];
    for (const [method, path, status] of CONTRACT) {
      const op = doc.paths[path]?.[method];
      const where = `${method.toUpperCase()} ${path}`;
      if (!op) problems.push(`${where}: missing`);
      else if (!op.responses[status]) problems.push(`${where}: no ${status}`);
    }
    for (const { where, op } of ops) {
      if (!(op.summary && op.summary.length > 5)) problems.push(`${where}: no summary`);
      if (!(op.description && op.description.length > 10)) problems.push(`${where}: no description`);
      if (!op.tags?.length) problems.push(`${where}: no tag`);
    }
    expect(problems).toEqual([]);
  });

  it('serves the UI at /docs with its scripts and styles, without an API key', async () => {
    const page = await t.http.get('/docs').redirects(1).expect(200);
    // As a browser resolves them against the page's address.
    const assets = [...page.text.matchAll(/(?:src|href)="([^"]+\.(?:js|css))"/g)].map((m) => new URL(m[1], 'http://host/docs').pathname);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const url of assets) expect([url, (await t.http.get(url)).status]).toEqual([url, 200]);
    // The init script points the UI at this document.
    expect((await t.http.get('/docs/swagger-ui-init.js').expect(200)).text).toContain('"openapi"');
  });

  it('asks the bearer API key of management operations only: none on self-service and health', () => {
    const wrong = ops.filter(({ path, op }) => JSON.stringify(op.security ?? []) !== JSON.stringify(isPublic(path) ? [] : [{ bearer: [] }])).map(({ where }) => where);
    expect(wrong).toEqual([]);
    // The issuer's endpoints take an application's credentials or a user's access token, never an API key.
    const issuerOps = Object.entries(doc.paths).filter(([path]) => isIssuer(path)).flatMap(([, byMethod]) => Object.values(byMethod));
    expect(issuerOps.length).toBeGreaterThan(0);
    expect(issuerOps.filter((op) => JSON.stringify(op.security).includes('"bearer"'))).toEqual([]);
    // Client libraries read the issuer's discovery document; this one says where it is.
    expect(doc.info.description).toContain('/.well-known/openid-configuration');
  });

  it('documents the query parameters with their types, bounds, enums and defaults', () => {
    const param = (path: string, name: string, method: Method = 'get') => doc.paths[path][method].parameters?.find((p) => p.in === 'query' && p.name === name);
    const lists = ops.filter(({ op }) => op.parameters?.some((p) => p.name === 'cursor'));
    expect(lists.length).toBeGreaterThanOrEqual(10);
    for (const { where, op } of lists) {
      const limit = op.parameters!.find((p) => p.name === 'limit');
      const cursor = op.parameters!.find((p) => p.name === 'cursor');
      expect([where, limit?.schema, limit?.required ?? false]).toEqual([where, expect.objectContaining({ type: 'integer', minimum: 1, maximum: 200, default: 50 }), false]);
      expect([where, cursor?.schema.type, typeof cursor?.description]).toEqual([where, 'string', 'string']);
    }
    const users = `${POOL}/users`;
    expect(param(users, 'search')?.schema.type).toBe('string');
    expect(param(users, 'status')?.schema.enum).toEqual([...USER_STATUSES]);
    expect(param(users, 'groupId')?.schema).toMatchObject({ type: 'string', format: 'uuid' });
    const imports = `${POOL}/imports`;
    expect(param(imports, 'onConflict', 'post')?.schema).toMatchObject({ type: 'string', enum: ['skip', 'update', 'fail'], default: 'skip' });
    expect(param(imports, 'sendInvitations', 'post')?.schema).toMatchObject({ type: 'boolean', default: false });
    const jsonOptions = doc.components.schemas.JsonImportOptionsDto.properties!;
    expect([jsonOptions.onConflict.default, jsonOptions.sendInvitations.default]).toEqual(['skip', false]);
    expect(param('/v1/self-service/invitations', 'token')).toMatchObject({ required: true, schema: { type: 'string' } });
  });

  it('lists the enums the code accepts and answers', () => {
    const schemas = doc.components.schemas;
    const enumOf = (schema: string, property: string) => {
      const prop = schemas[schema].properties![property];
      return [...((prop.type === 'array' ? prop.items!.enum : prop.enum) ?? [])].sort();
    };
    expect(enumOf('UserResponse', 'status')).toEqual([...USER_STATUSES].sort());
    expect(enumOf('UpdateUserDto', 'status')).toEqual(['active', 'disabled']);
    expect(enumOf('InvitationSummaryResponse', 'status')).toEqual(['accepted', 'expired', 'failed', 'queued', 'sent']);
    expect(enumOf('ImportJobResponse', 'status')).toEqual([...IMPORT_STATUSES].sort());
    expect(enumOf('ImportRecord', 'status')).toEqual(['active', 'disabled']);
    for (const schema of ['CreateApplicationDto', 'UpdateApplicationDto', 'ApplicationResponse', 'CreatedApplicationResponse']) {
      expect([schema, enumOf(schema, 'grantTypes'), enumOf(schema, 'tokenEndpointAuthMethod')]).toEqual([schema, [...GRANT_TYPES].sort(), [...AUTH_METHODS].sort()]);
      expect([schema, schemas[schema].properties!.tokenEndpointAuthMethod.type]).toEqual([schema, 'string']);
    }
    for (const [schema, property] of [
      ['CreatePoolDto', 'authenticationMechanisms'],
      ['UpdatePoolDto', 'authenticationMechanisms'],
      ['PoolResponse', 'authenticationMechanisms'],
      ['CreateIdentityProviderDto', 'signInMethods'],
      ['UpdateIdentityProviderDto', 'signInMethods'],
      ['IdentityProviderResponse', 'signInMethods'],
    ]) {
      expect([schema, property, enumOf(schema, property)]).toEqual([schema, property, ['password']]);
    }
    expect([enumOf('CreateIdentityProviderDto', 'type'), enumOf('IdentityProviderResponse', 'type')]).toEqual([['identity_pool'], ['identity_pool']]);
  });

  it('accepts every documented request example (ids aside), for both media types of an import', async () => {
    const refused: string[] = [];
    for (const { method, path, op, where } of ops.filter(({ method, op }) => op.requestBody && method !== 'delete')) {
      for (const type of Object.keys(op.requestBody!.content)) {
        const answer = answers.get(`${where} ${type}`)!;
        const expected = TOKEN_OPERATIONS.includes(path) ? 404 : Number(successOf(op));
        if (answer.status !== expected) refused.push(`${where} ${type}: ${answer.status} ${JSON.stringify(answer.body)}`);
      }
    }
    expect(refused).toEqual([]);
    // The token operations' 404 is the one their 404 example shows.
    const lookup = doc.paths['/v1/self-service/invitations'].get;
    const token = lookup.parameters!.find((p) => p.name === 'token')!.schema.example as string;
    answers.set('GET /v1/self-service/invitations ?token', { status: 0, body: (await t.http.get(`/v1/self-service/invitations?token=${token}`).expect(404)).body });
    for (const { path, op, where } of ops.filter(({ path }) => TOKEN_OPERATIONS.includes(path))) {
      const answer = [...answers.entries()].find(([k]) => k.startsWith(`${where} `))![1].body as { type: string };
      expect([where, answer.type]).toEqual([where, (op.responses['404'].content![PROBLEM].example as { type: string }).type]);
    }
    expect(Object.keys(doc.paths[`${POOL}/imports`].post.requestBody!.content).sort()).toEqual(['application/json', NDJSON]);
  });

  it('gives every field of every response schema an example, and timestamps their format', () => {
    const problems: string[] = [];
    const visit = (s: Schema, at: string) => {
      // A nullable reference is `anyOf: [$ref, null]` (OpenAPI 3.0), a plain one may be `allOf: [$ref]`.
      const schema = ref(s.allOf?.[0] ?? s.anyOf?.[0] ?? s);
      for (const [name, prop] of Object.entries(schema.properties ?? {})) {
        const target = ref(prop.allOf?.[0] ?? prop.anyOf?.[0] ?? prop);
        if (/(At|Until)$/.test(name) && target.format !== 'date-time') problems.push(`${at}.${name}: not a date-time`);
        if (prop.example !== undefined) continue;
        if (prop.$ref || target.properties) visit(prop, `${at}.${name}`);
        else if (target.type === 'array' && target.items && ref(target.items).properties) visit(target.items, `${at}.${name}[]`);
        else problems.push(`${at}.${name}: no example`);
      }
    };
    for (const [name, schema] of Object.entries(doc.components.schemas).filter(([name]) => name.endsWith('Response'))) visit(schema, name);
    expect(problems).toEqual([]);
  });

  it('answers with the fields each success schema documents', async () => {
    const problems: string[] = [];
    /** Compares a real value with its schema: same field set (optional ones may be absent), recursively. */
    const compare = (value: unknown, s: Schema, at: string) => {
      // A nullable reference is `anyOf: [$ref, null]` (OpenAPI 3.0), a plain one may be `allOf: [$ref]`.
      const schema = ref(s.allOf?.[0] ?? s.anyOf?.[0] ?? s);
      if (value === null || value === undefined) return;
      if (schema.type === 'array' || Array.isArray(value)) {
        if (Array.isArray(value) && schema.items) for (const item of value.slice(0, 1)) compare(item, schema.items, `${at}[]`);
        return;
      }
      if (!schema.properties || typeof value !== 'object') return;
      const real = Object.keys(value as object).sort();
      const documented = Object.keys(schema.properties).sort();
      const undocumented = real.filter((k) => !documented.includes(k));
      const missing = (schema.required ?? []).filter((k) => !real.includes(k));
      if (undocumented.length || missing.length) problems.push(`${at}: undocumented ${undocumented}; documented but absent ${missing}`);
      for (const [name, prop] of Object.entries(schema.properties)) compare((value as Record<string, unknown>)[name], prop, `${at}.${name}`);
    };
    // The operations with no body left: answered on the ids the examples created.
    for (const { method, path, op, where } of ops.filter(({ method, op, path }) => method !== 'delete' && !op.requestBody && !path.endsWith('/invitations'))) {
      const res = await send(method, resolve(path), isPublic(path) ? null : ROOT_KEY);
      answers.set(`${where} -`, { status: res.status, body: res.body });
    }
    let compared = 0;
    for (const { path, op, where } of ops) {
      const code = successOf(op);
      const media = op.responses[code].content?.['application/json'];
      const answer = [...answers.entries()].find(([k]) => k.startsWith(`${where} `))?.[1];
      if (!answer || answer.status !== Number(code) || TOKEN_OPERATIONS.includes(path)) continue;
      const hasBody = answer.body && typeof answer.body === 'object' && Object.keys(answer.body).length > 0;
      if (hasBody && !media) problems.push(`${where}: answers a body its ${code} does not document`);
      if (!media) continue;
      compared += 1;
      if (media.schema) compare(answer.body, media.schema, where);
      else if (media.example !== undefined) compare(answer.body, { properties: Object.fromEntries(Object.keys(media.example as object).map((k) => [k, {}])) }, where);
      else problems.push(`${where}: ${code} without schema or example`);
    }
    expect(problems).toEqual([]);
    expect(compared).toBeGreaterThanOrEqual(30);
  });

  it('imports the documented import examples without a failed record', async () => {
    const jobs = [...answers.entries()].filter(([k]) => k.startsWith(`POST ${POOL}/imports `)).map(([k, v]) => [k, (v.body as { id: string }).id]);
    expect(jobs).toHaveLength(2);
    for (const [type, id] of jobs) {
      const job = await eventually(async () => {
        const res = await send('get', `${resolve(`${POOL}/imports`)}/${id}`).expect(200);
        expect(res.body.status).not.toMatch(/queued|running/);
        return res.body;
      });
      const errors = (await send('get', `${resolve(`${POOL}/imports`)}/${id}/errors`).expect(200)).body.items;
      expect([type, job.status, job.failed, errors]).toEqual([type, 'completed', 0, []]);
    }
  });

  it('documents, as problem+json with the problem schema, each error the app really gives', async () => {
    const undocumented: string[] = [];
    let probes = 0;
    const otherKey = await createWorkspaceKey(t, (await createWorkspace(t)).id);
    const check = async (o: Op, why: string, res: { status: number; headers: Record<string, string>; body: Record<string, unknown> }) => {
      probes += 1;
      const documented = o.op.responses[res.status]?.content?.[PROBLEM];
      if (!documented) undocumented.push(`${o.where} ${why}: ${res.status} undocumented`);
      // A client switches on `type`: the example of an unknown id shows the one this operation answers.
      else if (why === 'unknown id' || [401, 413, 415, 429].includes(res.status)) {
        const example = documented.example as { type: string; title: string };
        if (example.type !== res.body.type || example.title !== res.body.title) undocumented.push(`${o.where} ${why}: answers ${res.body.type}, the example shows ${example.type}`);
      }
      if (res.status >= 400) expect([o.where, why, res.headers['content-type'], Object.keys(res.body).sort()]).toEqual([o.where, why, expect.stringContaining(PROBLEM), expect.arrayContaining(['detail', 'status', 'title', 'type'])]);
    };
    for (const o of ops.filter(({ path }) => !path.startsWith('/health'))) {
      const { method, path, op } = o;
      const url = resolve(path);
      const key = isPublic(path) ? null : ROOT_KEY;
      if (!isPublic(path)) {
        await check(o, 'without a key', await send(method, url, null));
        // A workspace key of another workspace: 404 (or 403 where only the root key may act).
        const other = await send(method, url, otherKey);
        if (other.status >= 400) await check(o, 'with another workspace key', other);
      }
      const params = [...path.matchAll(/\{(\w+)\}/g)];
      if (params.length) {
        const last = params[params.length - 1];
        const withId = (id: string) => resolve(path.slice(0, last.index)) + id + path.slice(last.index! + last[0].length);
        await check(o, 'unknown id', await send(method, withId(randomUUID()), key));
        await check(o, 'not a UUID', await send(method, withId('not-a-uuid'), key));
      }
      if (op.parameters?.some((p) => p.name === 'limit')) await check(o, 'limit=0', await send(method, `${url}?limit=0`, key));
      if (op.requestBody) {
        await check(o, 'malformed JSON', await send(method, url, key).set('Content-Type', 'application/json').send('{"name":'));
        await check(o, 'text/plain', await send(method, url, key).set('Content-Type', 'text/plain').send('hello'));
        // A POST that creates, sent again: a duplicate is either accepted or a documented conflict.
        const example = answers.get(`${o.where} application/json`);
        if (method === 'post' && example && /^20/.test(String(example.status)) && !path.includes('/self-service/')) {
          const again = await send(method, url, key).send(JSON.parse(JSON.stringify(op.requestBody.content['application/json'].example ?? exampleOf(op.requestBody.content['application/json'].schema!)), (k, v) => (k === 'poolId' ? ids[`${WS}/pools`] : k === 'userIds' ? [ids[`${POOL}/users`]] : v)));
          if (again.status >= 400) await check(o, 'the example again', again);
        }
      }
      for (const [code, response] of Object.entries(op.responses).filter(([code]) => /^[45]/.test(code))) {
        const media = response.content?.[PROBLEM];
        expect([o.where, code, media?.schema?.$ref, (media?.example as { status?: number })?.status]).toEqual([o.where, code, '#/components/schemas/ProblemSchema', Number(code)]);
        if (code === '429') expect([o.where, Object.keys(response.headers ?? {})]).toEqual([o.where, ['Retry-After']]);
      }
    }
    // Over the 10 MB limit: once is enough to see the status, every body operation documents it.
    const big = ops.find(({ path, method }) => method === 'post' && path === `${WS}/groups`)!;
    // Self-service is throttled per email: the reset example, sent until it is.
    const reset = ops.find(({ path }) => path === '/v1/self-service/password-resets')!;
    const resetBody = { ...(exampleOf(reset.op.requestBody!.content['application/json'].schema!) as object), poolId: openPool };
    let throttled;
    for (let i = 0; i < 20 && throttled?.status !== 429; i += 1) throttled = await send('post', '/v1/self-service/password-resets', null).send(resetBody);
    await check(reset, 'again and again', throttled!);
    expect(throttled!.headers['retry-after']).toMatch(/^\d+$/);
    expect(probes).toBeGreaterThan(150);
    await check(big, 'over 10 MB', await send('post', resolve(big.path)).set('Content-Type', 'application/json').send(`{"name":"${'x'.repeat(10.5 * 1024 * 1024)}"}`));
    expect(undocumented).toEqual([]);
  });

  it('says in each 415 and 413 what the operation takes', () => {
    const imports = doc.paths[`${POOL}/imports`].post.responses;
    expect((imports['415'].content![PROBLEM].example as { detail: string }).detail).toContain(NDJSON);
    expect((imports['413'].content![PROBLEM].example as { detail: string }).detail).toMatch(/10,000|NDJSON/);
  });

  it('shows no example secret that could pass for a real one', () => {
    const found: string[] = [];
    // Keys, client secrets and link tokens: an example of the real shape would pass a secret scanner's eye.
    const secretName = /^(key|clientSecret|token)$/;
    const looksReal = (v: unknown) => typeof v === 'string' && /[A-Za-z0-9_-]{20,}/.test(v) && !/example|x{6}|0{8}/i.test(v);
    const visit = (value: unknown, at: string) => {
      if (Array.isArray(value)) value.forEach((item, i) => visit(item, `${at}[${i}]`));
      else if (value && typeof value === 'object') {
        for (const [k, v] of Object.entries(value)) {
          if (secretName.test(k) && looksReal(v)) found.push(`${at}.${k}`);
          if (k === 'properties' && v && typeof v === 'object') {
            for (const [name, prop] of Object.entries(v as Record<string, Schema>)) if (secretName.test(name) && looksReal(prop.example)) found.push(`${at}.${name}`);
          }
          if (k === 'parameters' && Array.isArray(v)) for (const p of v as Parameter[]) if (secretName.test(p.name) && looksReal(p.schema?.example)) found.push(`${at}?${p.name}`);
          visit(v, `${at}.${k}`);
        }
      }
    };
    visit(doc, '');
    expect([...new Set(found)]).toEqual([]);
    // The example hash is one a reader can check: bcrypt of the example password the other examples use.
    const hash = doc.components.schemas.ImportRecord.properties!.passwordHash.example as string;
    const password = doc.components.schemas.SetPasswordDto.properties!.password.example as string;
    expect(bcrypt.compareSync(password, hash)).toBe(true);
    const upload = doc.paths[`${POOL}/imports`].post.requestBody!.content['application/json'].example as { users: { passwordHash?: string }[] };
    expect(upload.users.map((u) => u.passwordHash).filter(Boolean)).toEqual([hash]);
  });
});
