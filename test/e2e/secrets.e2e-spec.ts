import { randomBytes } from 'node:crypto';
import { freshDatabaseUrl, ServerProcess, startServer, waitUntilListening } from '../support/server-process';

/**
 * Secrets never leave the service: every route is exercised against the built server
 * (with passwords, keys and tokens in bodies, headers and URLs, in valid and invalid
 * requests), then every response body and header, and every line the process logged,
 * are searched for them. The one exception is the create-key response, once.
 */
const ROOT_KEY = `root-${randomBytes(24).toString('base64url')}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const secret = (label: string) => `${label}-${randomBytes(9).toString('base64url')}`;

interface Exchange {
  label: string;
  status: number;
  headers: string;
  body: string;
}

describe('secrets in responses and logs', () => {
  let server: ServerProcess;
  const exchanges: Exchange[] = [];
  /** Every secret the test sent or received, with the one exchange (if any) allowed to show it. */
  const secrets = new Map<string, string | null>([[ROOT_KEY, null]]);
  const passwords: string[] = [];
  let logLines: Record<string, unknown>[] = [];
  let log = '';

  const call = async (label: string, method: string, path: string, options: { key?: string | null; body?: unknown; raw?: string; type?: string } = {}) => {
    const headers: Record<string, string> = {};
    const key = options.key === undefined ? ROOT_KEY : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.raw !== undefined || options.body !== undefined) {
      headers['content-type'] = options.type ?? 'application/json';
      body = options.raw ?? JSON.stringify(options.body);
    }
    const res = await fetch(`${server.baseUrl}${path}`, { method: method.toUpperCase(), headers, body });
    const text = await res.text();
    exchanges.push({ label, status: res.status, headers: JSON.stringify([...res.headers.entries()]), body: text });
    return { status: res.status, json: () => JSON.parse(text), text };
  };
  const expectStatus = async (expected: number, promise: ReturnType<typeof call>) => {
    const res = await promise;
    if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}: ${res.text}`);
    return res;
  };
  const password = (label: string) => {
    const value = secret(`pw-${label}`);
    passwords.push(value);
    secrets.set(value, null);
    return value;
  };

  beforeAll(async () => {
    server = await startServer({ NODE_ENV: 'development', LOG_LEVEL: 'info', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: freshDatabaseUrl(), REDIS_URL });
    await waitUntilListening(server);

    // Workspaces and keys
    const ws = (await expectStatus(201, call('create workspace', 'post', '/v1/workspaces', { body: { name: 'Secrets Inc' } }))).json();
    const w = `/v1/workspaces/${ws.id}`;
    const createdKey = (await expectStatus(201, call('create key 1', 'post', `${w}/api-keys`, { body: { name: 'ci' } }))).json();
    secrets.set(createdKey.key, 'create key 1');
    const otherKey = (await expectStatus(201, call('create key 2', 'post', `${w}/api-keys`, { body: { name: 'to revoke' } }))).json();
    secrets.set(otherKey.key, 'create key 2');
    await expectStatus(200, call('list keys', 'get', `${w}/api-keys`));
    await expectStatus(200, call('list workspaces', 'get', '/v1/workspaces'));
    await expectStatus(200, call('get workspace with key', 'get', w, { key: createdKey.key }));
    await expectStatus(200, call('patch workspace with key', 'patch', w, { key: createdKey.key, body: { description: 'has secrets' } }));
    await expectStatus(200, call('list workspaces with key', 'get', '/v1/workspaces', { key: createdKey.key }));
    await expectStatus(403, call('create workspace with key', 'post', '/v1/workspaces', { key: createdKey.key, body: { name: 'nope' } }));

    // Wrong credentials of every shape.
    const wrongKey = `ipk_${randomBytes(32).toString('base64url')}`;
    secrets.set(wrongKey, null);
    await expectStatus(401, call('wrong key', 'get', w, { key: wrongKey }));
    // The last character changed (never to itself: a random key ends in x one time in 64).
    const almostRoot = `${ROOT_KEY.slice(0, -1)}${ROOT_KEY.endsWith('x') ? 'y' : 'x'}`;
    secrets.set(almostRoot, null);
    await expectStatus(401, call('almost root', 'get', '/v1/workspaces', { key: almostRoot }));
    await expectStatus(401, call('no key', 'get', '/v1/workspaces', { key: null }));

    // Pools
    const pool = (await expectStatus(201, call('create pool', 'post', `${w}/pools`, { body: { name: 'Customers', passwordPolicy: { minLength: 12 } } }))).json();
    const p = `${w}/pools/${pool.id}`;
    await expectStatus(200, call('list pools', 'get', `${w}/pools`));
    await expectStatus(200, call('get pool', 'get', p));
    await expectStatus(200, call('patch pool', 'patch', p, { body: { description: 'people' } }));

    // Users: valid, invalid and duplicate, each with its own password.
    const users = `${p}/users`;
    const ada = (
      await expectStatus(201, call('create user with password', 'post', users, { body: { email: 'ada@example.com', credential: { mode: 'password', password: password('ada') } } }))
    ).json();
    await expectStatus(201, call('create mobile user', 'post', users, { body: { mobile: '+14155550100', credential: { mode: 'password', password: password('mobile') } } }));
    const invited = (await expectStatus(201, call('create invited user', 'post', users, { body: { email: 'grace@example.com', credential: { mode: 'invitation' } } }))).json();
    await expectStatus(400, call('password too short', 'post', users, { body: { email: 'short@example.com', credential: { mode: 'password', password: password('s').slice(0, 11) } } }));
    secrets.set(passwords[passwords.length - 1].slice(0, 11), null);
    await expectStatus(400, call('password too long', 'post', users, { body: { email: 'long@example.com', credential: { mode: 'password', password: password('l').repeat(20) } } }));
    secrets.set(passwords[passwords.length - 1].repeat(20), null);
    await expectStatus(400, call('password with invitation', 'post', users, { body: { email: 'mixed@example.com', credential: { mode: 'invitation', password: password('mixed') } } }));
    await expectStatus(400, call('password of wrong type', 'post', users, { body: { email: 'num@example.com', credential: { mode: 'password', password: [password('array')] } } }));
    await expectStatus(400, call('password at the top level', 'post', users, { body: { email: 'top@example.com', password: password('top'), credential: { mode: 'invitation' } } }));
    await expectStatus(400, call('password in an invalid body', 'post', users, { body: { email: 'not an email', credential: { mode: 'password', password: password('invalid') } } }));
    await expectStatus(409, call('duplicate with password', 'post', users, { body: { email: 'ADA@example.com', credential: { mode: 'password', password: password('dup') } } }));
    await expectStatus(400, call('malformed JSON with password', 'post', users, { raw: `{"email":"x@example.com","credential":{"mode":"password","password":"${password('malformed')}"` }));
    await expectStatus(415, call('form with password', 'post', users, { raw: `email=x%40example.com&password=${password('form')}`, type: 'application/x-www-form-urlencoded' }));
    await expectStatus(400, call('password in a query', 'get', `${users}?password=${password('query')}`));

    await expectStatus(200, call('list users', 'get', users));
    await expectStatus(200, call('search users', 'get', `${users}?search=ada`));
    await expectStatus(200, call('get user', 'get', `${users}/${ada.id}`));
    await expectStatus(200, call('patch user', 'patch', `${users}/${ada.id}`, { body: { givenName: 'Ada', attributes: { note: 'no secrets here' } } }));
    await expectStatus(204, call('set password', 'put', `${users}/${ada.id}/password`, { body: { password: password('new') } }));
    await expectStatus(400, call('set bad password', 'put', `${users}/${ada.id}/password`, { body: { password: password('x').slice(0, 9) } }));
    secrets.set(passwords[passwords.length - 1].slice(0, 9), null);
    await expectStatus(204, call('set password with key', 'put', `${users}/${invited.id}/password`, { key: createdKey.key, body: { password: password('invited') } }));
    const reinvitee = (await expectStatus(201, call('create second invited user', 'post', users, { body: { email: 'linus@example.com', credential: { mode: 'invitation' } } }))).json();
    await expectStatus(202, call('re-send invitation', 'post', `${users}/${reinvitee.id}/invitations`));
    await expectStatus(409, call('re-send to active user', 'post', `${users}/${ada.id}/invitations`));

    // Groups
    const group = (await expectStatus(201, call('create group', 'post', `${w}/groups`, { body: { name: 'admins' } }))).json();
    const g = `${w}/groups/${group.id}`;
    await expectStatus(200, call('list groups', 'get', `${w}/groups`));
    await expectStatus(200, call('get group', 'get', g));
    await expectStatus(200, call('patch group', 'patch', g, { body: { description: 'root' } }));
    await expectStatus(200, call('add members', 'post', `${g}/members`, { body: { userIds: [ada.id, invited.id] } }));
    await expectStatus(200, call('list members', 'get', `${g}/members`));
    await expectStatus(200, call('user groups', 'get', `${users}/${ada.id}/groups`));
    await expectStatus(204, call('remove member', 'delete', `${g}/members/${invited.id}`));

    // Tokens in URLs are logged redacted, whatever route they reach.
    const token = secret('token');
    secrets.set(token, null);
    await call('token in a link', 'get', `/v1/self-service/invitations?token=${token}`, { key: null });
    await call('token on an unknown page', 'get', `/self-service/accept-invitation?token=${token}&lang=en`, { key: null });
    await call('token in a management query', 'get', `${w}/pools?limit=5&token=${token}`);

    // Revocation, then the revoked key.
    await expectStatus(204, call('revoke key', 'delete', `${w}/api-keys/${otherKey.id}`));
    await expectStatus(401, call('revoked key', 'get', w, { key: otherKey.key }));

    // Deleting everything.
    await expectStatus(204, call('delete user', 'delete', `${users}/${ada.id}`));
    await expectStatus(204, call('delete group', 'delete', g));
    await expectStatus(204, call('delete pool', 'delete', p));
    await expectStatus(204, call('delete workspace', 'delete', w));

    // Stopping flushes the log.
    await server.stop();
    log = server.output();
    logLines = log
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line));
  }, 60_000);
  afterAll(() => server?.stop());

  it('exercised the routes and captured the request log', () => {
    expect(exchanges.length).toBeGreaterThan(50);
    // pino-http logs one line per request. Bodies the JSON parser refuses (malformed, wrong
    // type) are answered before the request logger runs, so those two are not in the log.
    const requestLines = logLines.filter((line) => (line.req as { url?: string } | undefined)?.url);
    expect(requestLines.length).toBeGreaterThanOrEqual(exchanges.length - 2);
  });

  it('never answers with a password, a hash or a key, except the new key in its create response', () => {
    const leaks: string[] = [];
    for (const exchange of exchanges) {
      const text = `${exchange.headers}\n${exchange.body}`;
      if (/\$argon2|\$2[aby]\$|password_?hash/i.test(text)) leaks.push(`${exchange.label}: a hash`);
      for (const [value, allowedIn] of secrets) {
        if (text.includes(value) && exchange.label !== allowedIn) leaks.push(`${exchange.label}: ${value}`);
      }
    }
    expect(leaks).toEqual([]);
    // And the create responses did show them, once.
    for (const [value, allowedIn] of secrets) {
      if (allowedIn) expect(exchanges.filter((e) => e.body.includes(value)).map((e) => e.label)).toEqual([allowedIn]);
    }
  });

  it('never logs the Authorization header, a key, a password or a hash', () => {
    const leaks = [...secrets.keys()].filter((value) => log.includes(value));
    expect(leaks).toEqual([]);
    expect(log).not.toMatch(/\$argon2/);
    expect(log).not.toMatch(/Bearer\s+\S/i);
    expect(log).not.toMatch(/"authorization"\s*:\s*"(?!\[Redacted\])/i);
  });

  it('logs URLs with ?token= redacted', () => {
    const urls = logLines.map((line) => (line.req as { url?: string } | undefined)?.url).filter((url): url is string => !!url);
    const withToken = urls.filter((url) => /[?&]token=/.test(url));
    expect(withToken.length).toBeGreaterThanOrEqual(3);
    for (const url of withToken) expect(url).toMatch(/[?&]token=\[Redacted\](&|$)/);
    // Other parameters stay readable.
    expect(withToken.some((url) => url.includes('lang=en'))).toBe(true);
    const withPassword = urls.filter((url) => /[?&]password=/.test(url));
    expect(withPassword.length).toBeGreaterThan(0);
    for (const url of withPassword) expect(url).toMatch(/[?&]password=\[Redacted\]/);
  });
});
