import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
import { CookieJar, followLogin } from '../support/browserless-login';
import { builtServer, freshDatabaseUrl, ServerProcess, startServer, waitUntilListening } from '../support/server-process';

/**
 * What the service logs, read from a real process at LOG_LEVEL=debug while every flow
 * that carries a secret runs: no secret in any line (the SMTP-less mail lines excepted,
 * as the README says), and lines an operator can use (one per request, with the id the
 * answer carries; jobs with their ids; nothing printed outside the JSON stream).
 */
const ROOT_KEY = `root-${randomBytes(24).toString('base64url')}`;
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const REDIRECT_URI = 'http://127.0.0.1/callback';
const secret = (label: string) => `${label}-${randomBytes(12).toString('base64url')}`;

interface Exchange {
  label: string;
  method: string;
  path: string;
  status: number;
  requestId: string | null;
  contentType: string;
  body: string;
}

type Line = Record<string, unknown> & { msg?: string; level?: number; req?: { id?: string; method?: string; url?: string }; res?: { statusCode?: number } };

describe('logs audit', () => {
  let server: ServerProcess;
  /** Where `call` sends relative paths: the server under test at the time. */
  let baseUrl = '';
  const exchanges: Exchange[] = [];
  const secrets = new Set<string>([ROOT_KEY]);
  let lines: Line[] = [];
  let strayLines: string[] = [];
  const importIds: string[] = [];
  let poolId = '';

  const track = (value: string) => {
    secrets.add(value);
    return value;
  };
  /** Under the pools' 8-character minimum, all random: a refused password is a secret too. */
  const tooShort = () => track(randomBytes(8).toString('base64url').slice(0, 7));

  async function call(label: string, method: string, path: string, options: { key?: string | null; body?: unknown; form?: Record<string, string>; raw?: string; type?: string; headers?: Record<string, string> } = {}) {
    const headers: Record<string, string> = { ...(options.headers ?? {}) };
    const key = options.key === undefined ? ROOT_KEY : options.key;
    if (key) headers.authorization = `Bearer ${key}`;
    let body: string | undefined;
    if (options.form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(options.form).toString();
    } else if (options.raw !== undefined || options.body !== undefined) {
      headers['content-type'] = options.type ?? 'application/json';
      body = options.raw ?? JSON.stringify(options.body);
    }
    const url = path.startsWith('http') ? path : `${baseUrl}${path}`;
    const res = await fetch(url, { method: method.toUpperCase(), headers, body, redirect: 'manual' });
    const text = await res.text();
    exchanges.push({ label, method: method.toUpperCase(), path: new URL(url).pathname, status: res.status, requestId: res.headers.get('x-request-id'), contentType: res.headers.get('content-type') ?? '', body: text });
    return { status: res.status, headers: res.headers, text, json: () => JSON.parse(text) };
  }
  const expectStatus = async (expected: number, promise: ReturnType<typeof call>) => {
    const res = await promise;
    if (res.status !== expected) throw new Error(`expected ${expected}, got ${res.status}: ${res.text}`);
    return res;
  };
  const basic = (id: string, pw: string) => `Basic ${track(Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(pw)}`).toString('base64'))}`;

  /** The newest link of `page` in the mail lines the SMTP-less sender logged, waiting for it. */
  async function mailedToken(page: string, to: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    for (;;) {
      const found = server
        .output()
        .split('\n')
        .filter((line) => line.startsWith('{') && line.includes(to))
        .map((line) => JSON.parse(line) as { text?: string })
        .map((line) => new RegExp(`${page}\\?token=([A-Za-z0-9_-]+)`).exec(line.text ?? '')?.[1])
        .filter((token): token is string => !!token);
      if (found.length) return track(found[found.length - 1]);
      if (Date.now() > deadline) throw new Error(`no ${page} link mailed to ${to}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  // Built (when src changed) before the clock of the flows below starts.
  beforeAll(() => builtServer(), 180_000);

  beforeAll(async () => {
    const dbPassword = track(secret('dbpw'));
    const databaseUrl = freshDatabaseUrl().replace('postgres://postgres@', `postgres://postgres:${dbPassword}@`);
    server = await startServer({ NODE_ENV: 'development', LOG_LEVEL: 'debug', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: databaseUrl, REDIS_URL, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', MAIL_RETRY_DELAY_MS: '50' });
    await waitUntilListening(server);
    baseUrl = server.baseUrl;

    // Keys
    const ws = (await expectStatus(201, call('create workspace', 'post', '/v1/workspaces', { body: { name: 'Logs Inc' } }))).json();
    const w = `/v1/workspaces/${ws.id}`;
    const apiKey = track((await expectStatus(201, call('create key', 'post', `${w}/api-keys`, { body: { name: 'ci' } }))).json().key);
    await expectStatus(200, call('use key', 'get', w, { key: apiKey }));
    await expectStatus(401, call('wrong key', 'get', w, { key: track(`ipk_${randomBytes(32).toString('base64url')}`) }));

    // Pool, provider, users
    const pool = (await expectStatus(201, call('create pool', 'post', `${w}/pools`, { body: { name: 'People', selfRegistration: { enabled: true, requireEmailVerification: true } } }))).json();
    const p = `${w}/pools/${pool.id}`;
    poolId = pool.id;
    await expectStatus(201, call('connect pool', 'post', `${w}/identity-providers`, { body: { type: 'identity_pool', poolId: pool.id, signInMethods: ['password'] } }));
    const adaPassword = track(secret('pw-ada'));
    const ada = (await expectStatus(201, call('create user', 'post', `${p}/users`, { key: apiKey, body: { email: 'ada@example.com', credential: { mode: 'password', password: adaPassword } } }))).json();
    await expectStatus(400, call('short password', 'post', `${p}/users`, { body: { email: 'bad', credential: { mode: 'password', password: tooShort() } } }));
    await expectStatus(201, call('invite user', 'post', `${p}/users`, { body: { email: 'grace@example.com', credential: { mode: 'invitation' } } }));

    // Applications: basic, post, rotated
    const appBody = { redirectUris: [REDIRECT_URI], postLogoutRedirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'] };
    const basicApp = (await expectStatus(201, call('create basic app', 'post', `${w}/applications`, { body: { name: 'basic', ...appBody, tokenEndpointAuthMethod: 'client_secret_basic' } }))).json();
    track(basicApp.clientSecret);
    const postApp = (await expectStatus(201, call('create post app', 'post', `${w}/applications`, { body: { name: 'post', ...appBody, tokenEndpointAuthMethod: 'client_secret_post' } }))).json();
    track(postApp.clientSecret);
    const rotated = (await expectStatus(200, call('rotate secret', 'post', `${w}/applications/${postApp.id}/rotate-secret`))).json();
    track(rotated.clientSecret);
    const postSecret: string = rotated.clientSecret;

    // OIDC: code flow with PKCE and state
    const issuer = `${server.baseUrl}/oidc/${ws.id}`;
    const verifier = track(randomBytes(32).toString('base64url'));
    const state = secret('state');
    const nonce = secret('nonce');
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const authUrl = `${issuer}/auth?${new URLSearchParams({ client_id: basicApp.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid email offline_access', prompt: 'consent', code_challenge: challenge, code_challenge_method: 'S256', state, nonce })}`;
    const jar = new CookieJar();
    const login = await followLogin(authUrl, { identifier: 'ada@example.com', password: adaPassword }, REDIRECT_URI, jar);
    // The session cookies are bearer secrets too; an interaction cookie's value is the uid in the interaction's URL (signed in its .sig).
    for (const [name, value] of jar.header().split('; ').map((cookie) => cookie.split('='))) {
      if (!name.startsWith('_interaction') || name.endsWith('.sig')) track(value);
    }
    if (!login.redirectedTo) throw new Error(`login failed: ${login.page?.status} ${login.page?.body.slice(0, 300)}`);
    const code = track(new URL(login.redirectedTo).searchParams.get('code')!);
    const tokenRes = await expectStatus(200, call('code grant', 'post', `${issuer}/token`, { key: null, headers: { authorization: basic(basicApp.clientId, basicApp.clientSecret) }, form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier } }));
    const tokens = tokenRes.json();
    [tokens.access_token, tokens.refresh_token, tokens.id_token].forEach(track);
    const refreshed = (await expectStatus(200, call('refresh', 'post', `${issuer}/token`, { key: null, headers: { authorization: basic(basicApp.clientId, basicApp.clientSecret) }, form: { grant_type: 'refresh_token', refresh_token: tokens.refresh_token } }))).json();
    [refreshed.access_token, refreshed.refresh_token, refreshed.id_token].forEach(track);
    await expectStatus(200, call('userinfo', 'get', `${issuer}/userinfo`, { key: refreshed.access_token }));
    await expectStatus(400, call('code replay', 'post', `${issuer}/token`, { key: null, headers: { authorization: basic(basicApp.clientId, basicApp.clientSecret) }, form: { grant_type: 'authorization_code', code, redirect_uri: REDIRECT_URI, code_verifier: verifier } }));

    // Password grant with client_secret_post, a wrong secret, introspection, revocation
    const pwGrant = (await expectStatus(200, call('password grant', 'post', `${issuer}/token`, { key: null, form: { grant_type: 'password', username: 'ada@example.com', password: adaPassword, scope: 'openid offline_access', client_id: postApp.clientId, client_secret: postSecret } }))).json();
    [pwGrant.access_token, pwGrant.refresh_token, pwGrant.id_token].forEach(track);
    const wrongPassword = track(secret('pw-wrong'));
    await expectStatus(400, call('password grant wrong', 'post', `${issuer}/token`, { key: null, form: { grant_type: 'password', username: 'ada@example.com', password: wrongPassword, scope: 'openid', client_id: postApp.clientId, client_secret: postSecret } }));
    await expectStatus(401, call('wrong client secret', 'post', `${issuer}/token`, { key: null, form: { grant_type: 'client_credentials', client_id: postApp.clientId, client_secret: track(secret('cs-wrong')) } }));
    await expectStatus(401, call('old client secret', 'post', `${issuer}/token`, { key: null, form: { grant_type: 'client_credentials', client_id: postApp.clientId, client_secret: postApp.clientSecret } }));
    await expectStatus(200, call('introspect', 'post', `${issuer}/token/introspection`, { key: null, form: { token: pwGrant.refresh_token, client_id: postApp.clientId, client_secret: postSecret } }));
    await expectStatus(200, call('revoke', 'post', `${issuer}/token/revocation`, { key: null, form: { token: pwGrant.refresh_token, client_id: postApp.clientId, client_secret: postSecret } }));
    await call('logout', 'get', `${issuer}/session/end?${new URLSearchParams({ id_token_hint: refreshed.id_token, post_logout_redirect_uri: REDIRECT_URI, state })}`, { key: null });

    // Self-service: invitation
    const invitation = await mailedToken('/self-service/accept-invitation', 'grace@example.com');
    await expectStatus(200, call('invitation page', 'get', `/self-service/accept-invitation?token=${invitation}`, { key: null }));
    await expectStatus(200, call('invitation details', 'get', `/v1/self-service/invitations?token=${invitation}`, { key: null }));
    await expectStatus(400, call('accept short', 'post', '/v1/self-service/invitations/accept', { key: null, body: { token: invitation, password: tooShort() } }));
    await expectStatus(200, call('accept', 'post', '/v1/self-service/invitations/accept', { key: null, body: { token: invitation, password: track(secret('pw-grace')) } }));
    await expectStatus(410, call('accept again', 'post', '/v1/self-service/invitations/accept', { key: null, body: { token: invitation, password: track(secret('pw-grace2')) } }));

    // Self-service: registration and verification (hosted page, then its form)
    await expectStatus(202, call('register', 'post', '/v1/self-service/registrations', { key: null, body: { poolId: pool.id, email: 'linus@example.com', password: track(secret('pw-linus')) } }));
    const verification = await mailedToken('/self-service/verify-email', 'linus@example.com');
    await expectStatus(200, call('verify page', 'get', `/self-service/verify-email?token=${verification}`, { key: null }));
    await expectStatus(200, call('verify form', 'post', '/self-service/verify-email', { key: null, form: { token: verification } }));
    await call('verify again', 'post', '/v1/self-service/verifications', { key: null, body: { token: verification } });

    // Self-service: password reset (hosted page, its form, then the API)
    await expectStatus(202, call('reset', 'post', '/v1/self-service/password-resets', { key: null, body: { poolId: pool.id, email: 'ada@example.com' } }));
    const reset = await mailedToken('/self-service/reset-password', 'ada@example.com');
    await expectStatus(200, call('reset page', 'get', `/self-service/reset-password?token=${reset}`, { key: null }));
    await call('reset form short', 'post', '/self-service/reset-password', { key: null, form: { token: reset, password: tooShort() } });
    await expectStatus(204, call('reset confirm', 'post', '/v1/self-service/password-resets/confirm', { key: null, body: { token: reset, password: track(secret('pw-reset')) } }));
    await expectStatus(404, call('unknown token', 'post', '/v1/self-service/password-resets/confirm', { key: null, body: { token: track(secret('tok')), password: track(secret('pw-x')) } }));

    // Imports: JSON and NDJSON, with passwords and hashes
    const hash = track('$2b$10$' + randomBytes(40).toString('base64').replace(/[^A-Za-z0-9]/g, '').slice(0, 53));
    const users = [
      { email: 'imp1@example.com', password: track(secret('pw-imp1')) },
      { email: 'imp2@example.com', passwordHash: hash },
      { email: 'not an email', password: track(secret('pw-imp3')) },
      { email: 'imp4@example.com', passwordHash: track(`$argon2id$v=19$m=1024,t=1,p=1$${randomBytes(8).toString('base64url')}`) },
    ];
    const jsonImport = (await expectStatus(202, call('json import', 'post', `${p}/imports`, { body: { users } }))).json();
    const ndjson = [
      JSON.stringify({ email: 'nd1@example.com', password: track(secret('pw-nd1')) }),
      JSON.stringify({ email: 'nd2@example.com', passwordHash: track(`$6$${randomBytes(6).toString('hex')}$${randomBytes(40).toString('hex')}`) }),
      JSON.stringify({ email: 'nd3@example.com', passwordHash: 'pbkdf2_sha256$1$x' }),
      `{"email": "broken", "password": "${track(secret('pw-broken'))}"`,
    ].join('\n');
    const ndImport = (await expectStatus(202, call('ndjson import', 'post', `${p}/imports`, { raw: ndjson, type: 'application/x-ndjson' }))).json();
    for (const job of [jsonImport, ndImport]) {
      importIds.push(job.id);
      const deadline = Date.now() + 20_000;
      while ((await call('import status', 'get', `${p}/imports/${job.id}`)).json().status !== 'completed') {
        if (Date.now() > deadline) throw new Error(`import ${job.id} did not complete`);
        await new Promise((r) => setTimeout(r, 100));
      }
      await expectStatus(200, call('import errors', 'get', `${p}/imports/${job.id}/errors`));
    }

    // Failed requests echoing input
    await expectStatus(400, call('malformed json', 'post', `${p}/users`, { raw: `{"email":"x@example.com","credential":{"mode":"password","password":"${track(secret('pw-malformed'))}"` }));
    await expectStatus(400, call('unknown field', 'post', `${p}/users`, { body: { email: 'y@example.com', secret: track(secret('unknown')), credential: { mode: 'invitation' } } }));
    await expectStatus(204, call('set password', 'put', `${p}/users/${ada.id}/password`, { body: { password: track(secret('pw-set')) } }));

    // 500s: a table gone under the running service (in this test's own database)
    const db = new Client({ connectionString: databaseUrl });
    await db.connect();
    try {
      await db.query('ALTER TABLE credentials RENAME TO credentials_away');
      await expectStatus(500, call('500 set password', 'put', `${p}/users/${ada.id}/password`, { body: { password: track(secret('pw-500')) } }));
      await db.query('ALTER TABLE credentials_away RENAME TO credentials');
      await db.query('ALTER TABLE api_keys RENAME TO api_keys_away');
      await expectStatus(500, call('500 create key', 'post', `${w}/api-keys`, { body: { name: 'lost' } }));
      await db.query('ALTER TABLE api_keys_away RENAME TO api_keys');
      await db.query('ALTER TABLE oidc_payloads RENAME TO oidc_payloads_away');
      await expectStatus(500, call('500 token', 'post', `${issuer}/token`, { key: null, headers: { authorization: basic(basicApp.clientId, basicApp.clientSecret) }, form: { grant_type: 'refresh_token', refresh_token: refreshed.refresh_token } }));
      await db.query('ALTER TABLE oidc_payloads_away RENAME TO oidc_payloads');
      // PostgreSQL drops the service's connections (a restart, a failover): pg and TypeORM must not print around the log.
      await db.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      await call('after connections dropped', 'get', `${p}/users/${ada.id}`);
      await expectStatus(200, call('after reconnecting', 'get', `${p}/users/${ada.id}`));
    } finally {
      await db.end();
    }

    // Stopping flushes the log.
    await server.stop();
    const all = server.output().split('\n').filter((line) => line.trim() !== '');
    strayLines = all.filter((line) => !line.startsWith('{'));
    lines = all.filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as Line);
  }, 60_000);
  afterAll(() => server?.stop());

  const isMailContent = (line: Line) => line.context === 'MailSender' && /SMTP_URL unset/.test(String(line.msg));
  const requestLinesOf = (id: string | null) => lines.filter((line) => line.req?.id === id && line.res?.statusCode !== undefined);

  it('logs no password, hash, key, client secret, code, verifier or token, in any encoding', () => {
    const forms = (value: string) => [value, Buffer.from(value).toString('base64'), Buffer.from(value).toString('base64url'), encodeURIComponent(value)];
    const leaks: string[] = [];
    lines.forEach((line, index) => {
      // The README's one exception: without SMTP_URL, an email is logged whole, its link included.
      if (isMailContent(line)) return;
      const text = JSON.stringify(line);
      for (const value of secrets) if (forms(value).some((form) => text.includes(form))) leaks.push(`line ${index} (${line.msg}): ${value}`);
      if (/\$argon2|\$2[aby]\$|"parameters"|Bearer\s+[^\s"[]|Basic\s+[A-Za-z0-9+/]/.test(text)) leaks.push(`line ${index} (${line.msg}): ${text.slice(0, 300)}`);
    });
    expect(leaks).toEqual([]);
    expect(strayLines.join('\n')).not.toContain(ROOT_KEY);
  });

  it('answers no error and no import error report with a secret in it', () => {
    // Hosted pages are left out: a refused form is shown again with its link's token, to retry.
    const answers = exchanges.filter((e) => (e.status >= 400 && !e.contentType.startsWith('text/html')) || e.label === 'import errors');
    expect(answers.length).toBeGreaterThan(15);
    const leaks = answers.flatMap((e) => [...secrets].filter((value) => e.body.includes(value)).map((value) => `${e.label}: ${value}`));
    expect(leaks).toEqual([]);
  });

  it('writes emails to the log only as marked warnings, one per email, at start announced', () => {
    const mails = lines.filter(isMailContent);
    expect(mails.map((line) => line.to).sort()).toEqual(['ada@example.com', 'grace@example.com', 'linus@example.com']);
    for (const mail of mails) expect(mail).toMatchObject({ level: 40, msg: 'Email not sent (SMTP_URL unset); its content follows' });
    expect(lines.some((line) => line.level === 40 && /SMTP_URL is not set: emails are written to this log/.test(String(line.msg)))).toBe(true);
  });

  it('gives every answer one request line with its X-Request-Id, method, path, status and duration, issuer and refused bodies included', () => {
    const missing: string[] = [];
    for (const exchange of exchanges) {
      const found = requestLinesOf(exchange.requestId);
      const line = found[0];
      if (found.length !== 1 || line.req?.method !== exchange.method || !line.req?.url?.startsWith(exchange.path) || line.res?.statusCode !== exchange.status || typeof line.responseTime !== 'number') {
        missing.push(`${exchange.label} ${exchange.method} ${exchange.path} ${exchange.status} (${exchange.requestId}): ${found.length} lines`);
      }
    }
    expect(missing).toEqual([]);
    expect(exchanges.filter((e) => e.path.endsWith('/token')).length).toBeGreaterThan(3);
  });

  it('logs redirects with the authorization code redacted from Location', () => {
    const locations = lines.map((line) => (line.res as { headers?: { location?: string } } | undefined)?.headers?.location).filter((l): l is string => !!l);
    const toApp = locations.filter((location) => location.startsWith(REDIRECT_URI));
    expect(toApp.length).toBeGreaterThan(0);
    for (const location of toApp) expect(location).toMatch(/[?&]code=\[Redacted\]/);
  });

  it('ties each error line to its request: unhandled errors, the issuer’s server errors and refused bodies', () => {
    for (const label of ['500 set password', '500 create key', '500 token', 'malformed json']) {
      const exchange = exchanges.find((e) => e.label === label)!;
      const errorLines = lines.filter((line) => line.req?.id === exchange.requestId && line.res === undefined && (line.level ?? 0) >= 40);
      expect({ label, messages: errorLines.map((line) => line.msg) }).toEqual({ label, messages: [expect.any(String)] });
    }
    // The request line of a 500 says so, without an error pino-http made up (its own stack, no cause).
    for (const label of ['500 set password', '500 token']) {
      const exchange = exchanges.find((e) => e.label === label)!;
      expect(requestLinesOf(exchange.requestId)).toEqual([expect.objectContaining({ level: 50, res: expect.objectContaining({ statusCode: 500 }) })]);
      expect(requestLinesOf(exchange.requestId)[0].err).toBeUndefined();
    }
    const unhandled = lines.find((line) => line.msg === 'Unhandled error' && line.req?.id === exchanges.find((e) => e.label === '500 set password')!.requestId)!;
    expect(unhandled.err).toMatchObject({ type: 'QueryFailedError', message: expect.stringContaining('credentials'), query: expect.stringContaining('INSERT') });
  });

  it('logs each import’s start and finish with its id and pool', () => {
    for (const id of importIds) {
      expect(lines.filter((line) => line.importId === id).map((line) => line.msg)).toEqual(expect.arrayContaining(['Import started', 'Import completed']));
      expect(lines.find((line) => line.importId === id && line.msg === 'Import started')).toMatchObject({ poolId });
    }
  });

  it('prints nothing outside the JSON log', () => {
    expect(strayLines).toEqual([]);
  });

  describe('with credentials in SMTP_URL, REDIS_URL and DATABASE_URL', () => {
    it('sends mail through an SMTP server that wants a password, logging the failed and the good attempt without it', async () => {
      const smtpPassword = secret('smtp-pw');
      let refuse = true;
      let delivered = 0;
      const smtp = new SMTPServer({
        allowInsecureAuth: true,
        disabledCommands: ['STARTTLS'],
        logger: false,
        // The first login is refused, so the service logs a failed attempt, then retries.
        onAuth: (auth, _session, done) => {
          if (refuse || auth.username !== 'mailer' || auth.password !== smtpPassword) {
            refuse = false;
            return done(new Error('Invalid username or password'));
          }
          done(null, { user: 'mailer' });
        },
        onData: (stream, _session, done) => {
          stream.resume();
          stream.on('end', () => {
            delivered++;
            done();
          });
        },
      });
      await new Promise<void>((listening) => smtp.listen(0, '127.0.0.1', listening));
      const smtpUrl = `smtp://mailer:${encodeURIComponent(smtpPassword)}@127.0.0.1:${(smtp.server.address() as AddressInfo).port}`;
      const mailer = await startServer({ NODE_ENV: 'development', LOG_LEVEL: 'debug', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: freshDatabaseUrl(), REDIS_URL, SMTP_URL: smtpUrl, MAIL_RETRY_DELAY_MS: '50' });
      try {
        await waitUntilListening(mailer);
        baseUrl = mailer.baseUrl;
        const ws = (await expectStatus(201, call('smtp workspace', 'post', '/v1/workspaces', { body: { name: 'Mailers' } }))).json();
        const pool = (await expectStatus(201, call('smtp pool', 'post', `/v1/workspaces/${ws.id}/pools`, { body: { name: 'People' } }))).json();
        await expectStatus(201, call('smtp invite', 'post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`, { body: { email: 'hedy@example.com', credential: { mode: 'invitation' } } }));
        const deadline = Date.now() + 15_000;
        while (delivered === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
        expect(delivered).toBe(1);
      } finally {
        await mailer.stop();
        await new Promise<void>((closed) => smtp.close(() => closed()));
      }
      const output = mailer.output();
      expect(output).not.toContain(smtpPassword);
      expect(output).not.toContain(encodeURIComponent(smtpPassword));
      expect(output).toContain(`Sending email through smtp://mailer:***@127.0.0.1`);
      const failed = output.split('\n').filter((line) => line.includes('Email attempt failed')).map((line) => JSON.parse(line));
      expect(failed).toEqual([expect.objectContaining({ outboxId: expect.any(String), err: expect.stringContaining('Invalid') })]);
      // At debug, the good attempt names the outbox row and what the relay answered, to find it in the relay's logs.
      const accepted = output.split('\n').filter((line) => line.includes('Email accepted by the SMTP server')).map((line) => JSON.parse(line));
      expect(accepted).toEqual([expect.objectContaining({ outboxId: failed[0].outboxId, attempt: 2, messageId: expect.stringMatching(/^<.+@localhost>$/), response: expect.stringMatching(/^250/) })]);
    });

    it('prints the start-up errors of unreachable PostgreSQL and Redis without the passwords in their URLs', async () => {
      // An @ a hand-written URL left unencoded: the URL still parses (the last @ ends the password).
      const dbPassword = secret('db@pw');
      const redisPassword = secret('redis-pw');
      const [noPostgres, noRedis] = await Promise.all([
        startServer({ ROOT_API_KEY: ROOT_KEY, REDIS_URL, DATABASE_URL: `postgres://postgres:${dbPassword}@127.0.0.1:1/logs` }),
        startServer({ ROOT_API_KEY: ROOT_KEY, DATABASE_URL: freshDatabaseUrl(), REDIS_URL: `redis://:${redisPassword}@127.0.0.1:1` }),
      ]);
      await Promise.all([noPostgres.exited, noRedis.exited]);
      expect(noPostgres.output()).toMatch(/Cannot reach PostgreSQL at 127\.0\.0\.1:1 .*postgres:\/\/postgres:\*\*\*@127\.0\.0\.1:1\/logs/);
      expect(noRedis.output()).toMatch(/Cannot reach Redis at 127\.0\.0\.1:1 .*redis:\/\/:\*\*\*@127\.0\.0\.1:1/);
      for (const value of [dbPassword, ...dbPassword.split('@')]) expect(noPostgres.output()).not.toContain(value);
      expect(noRedis.output()).not.toContain(redisPassword);
    });
  });
});
