import { createRemoteJWKSet, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import request from 'supertest';
import { connectPool, createApplication, createPool, createUser, createWorkspace, pkceAuthorization, REDIRECT_URI, unique } from '../factories';
import { CookieJar } from '../support/browserless-login';
import { databaseUrl } from '../support/databases';
import { freePort, PrivateBuild, PrivateRedis, privateBuild, ServiceProcess, startPrivateRedis, startService } from '../support/service-processes';
import { SmtpSink } from '../support/smtp-sink';
import { cloneDatabase, ROOT_KEY, TestApp } from '../support/test-app';

/**
 * The service run as it is deployed: two api processes (A and B) behind one public URL
 * and one worker process, on one database and one Redis. What is done through one
 * replica holds at the other at once: applications, connections, API keys, sign-in
 * sessions, codes, refresh tokens, failure counts, user status, invitations.
 *
 * PUBLIC_URL, the same for all, is the address a load balancer would have: nothing
 * listens there. Every request the test sends to it goes to the replica it names,
 * same path, so the issuer is one and the same at A and B.
 */

const PASSWORD = 'correct horse battery'; // what createUser gives its users
const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };
const FAILURES_PER_IDENTIFIER = 8;
const FULL_SCOPE = 'openid email offline_access';

/** One api process, with a TestApp view of it so the factories work through it. */
interface Replica {
  baseUrl: string;
  t: TestApp;
}

type App = { clientId: string; clientSecret: string };
/** An OAuth answer: 200, or the error's status and code. */
type Outcome = { status: number; error?: string };

describe('replicas audit: two api processes and a worker on one database and one Redis', () => {
  let build: PrivateBuild;
  let redis: PrivateRedis;
  let smtp: SmtpSink;
  let publicUrl: string;
  const services: ServiceProcess[] = [];
  let a: Replica;
  let b: Replica;
  let ws: string;
  let issuer: string;

  beforeAll(async () => {
    let dbName: string;
    [build, redis, smtp, dbName] = await Promise.all([privateBuild(), startPrivateRedis(), new SmtpSink().start(), cloneDatabase()]);
    publicUrl = `http://127.0.0.1:${await freePort()}`;
    const env = {
      ...CHEAP_ARGON2,
      NODE_ENV: 'test',
      LOG_LEVEL: 'warn',
      ROOT_API_KEY: ROOT_KEY,
      DATABASE_URL: databaseUrl(dbName),
      REDIS_URL: redis.url,
      SMTP_URL: smtp.url,
      PUBLIC_URL: publicUrl,
      RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: String(FAILURES_PER_IDENTIFIER),
      MAIL_RETRY_DELAY_MS: '100',
      MAIL_SWEEP_INTERVAL_MS: '500',
    };
    const start = async (role: string, extra: Record<string, string> = {}) => {
      const service = await startService(build.main, { ...env, ROLE: role, ...extra });
      services.push(service);
      return service;
    };
    // The worker says it is ready at level info only.
    const [first, second] = await Promise.all([start('api'), start('api'), start('worker', { LOG_LEVEL: 'info' })]);
    a = replica(first, env.DATABASE_URL);
    b = replica(second, env.DATABASE_URL);
    ws = (await createWorkspace(a.t)).id;
    issuer = `${publicUrl}/oidc/${ws}`;
  }, 180_000);

  afterAll(async () => {
    await Promise.all(services.map((service) => service.stop()));
    await Promise.all([smtp?.stop(), redis?.stop()]);
    build?.remove();
  });

  function replica(service: ServiceProcess, dbUrl: string): Replica {
    const http = request(service.baseUrl);
    const as = (key: string, method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => http[method](path).set('Authorization', `Bearer ${key}`);
    const t: TestApp = { app: undefined as never, http, as, root: (method, path) => as(ROOT_KEY, method, path), databaseUrl: dbUrl, baseUrl: service.baseUrl, close: async () => undefined };
    return { baseUrl: service.baseUrl, t };
  }

  /** A URL under PUBLIC_URL, sent to `via` instead (same path and query). */
  function at(via: Replica, url: string | URL): string {
    const href = url.toString();
    if (!href.startsWith(publicUrl)) throw new Error(`not under PUBLIC_URL: ${href}`);
    return via.baseUrl + href.slice(publicUrl.length);
  }

  /** A relying party whose every request to the issuer goes to `via`. */
  function relyingParty(via: Replica, app: App): Promise<oidc.Configuration> {
    return oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
      execute: [oidc.allowInsecureRequests],
      [oidc.customFetch]: (url, options) => fetch(at(via, url), options as RequestInit),
    });
  }

  /** A new application created through A, and relying parties of it at A and at B. */
  async function application() {
    const app = await createApplication(a.t, ws, { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'] });
    const [atA, atB] = await Promise.all([relyingParty(a, app), relyingParty(b, app)]);
    return { app, atA, atB };
  }

  /** A pool created through A and connected to the workspace, with one active user. */
  async function connectedPoolWithUser(body: Record<string, unknown> = {}) {
    const pool = (await createPool(a.t, ws, body)).id;
    const provider = (await connectPool(a.t, ws, pool)).id;
    const user = await createUser(a.t, ws, pool);
    return { pool, provider, user };
  }

  const userPath = (pool: string, userId: string) => `/v1/workspaces/${ws}/pools/${pool}/users/${userId}`;

  /** How an issuer request ended; a 401 with WWW-Authenticate has its code in the challenge. */
  async function outcome(grant: Promise<unknown>): Promise<Outcome> {
    try {
      await grant;
      return { status: 200 };
    } catch (e) {
      if (e instanceof oidc.WWWAuthenticateChallengeError) return { status: e.status, error: e.cause[0]?.parameters.error };
      const error = e as oidc.ResponseBodyError;
      if (typeof error.status !== 'number') throw e;
      return { status: error.status, error: error.error };
    }
  }

  const passwordGrant = (config: oidc.Configuration, username: string, password = PASSWORD) =>
    oidc.genericGrantRequest(config, 'password', { username, password, scope: FULL_SCOPE });
  const signIn = (config: oidc.Configuration, username: string, password = PASSWORD) => outcome(passwordGrant(config, username, password));
  const refresh = (config: oidc.Configuration, token: string) => outcome(oidc.refreshTokenGrant(config, token));
  const userinfo = (config: oidc.Configuration, tokens: oidc.TokenEndpointResponse) => outcome(oidc.fetchUserInfo(config, tokens.access_token, oidc.skipSubjectCheck));

  const OK: Outcome = { status: 200 };
  const INVALID_GRANT: Outcome = { status: 400, error: 'invalid_grant' };
  const THROTTLED: Outcome = { status: 429, error: expect.any(String) };

  /**
   * A browser's hops without a browser: the first request goes to `first`, every redirect
   * after it to `then`, until the issuer sends it to the redirect URI or shows a page.
   */
  async function browse(jar: CookieJar, first: Replica, then: Replica, url: string, init: RequestInit = {}): Promise<{ redirectedTo?: string; status: number; body: string }> {
    let via = first;
    for (let hop = 0; hop < 20; hop++) {
      const res = await fetch(at(via, url), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: jar.header() } });
      jar.store(res);
      const location = res.headers.get('location');
      if (!location) return { status: res.status, body: await res.text() };
      const next = new URL(location, url).toString();
      if (next.startsWith(REDIRECT_URI)) return { redirectedTo: next, status: res.status, body: '' };
      [via, url, init] = [then, next, {}];
    }
    throw new Error('too many redirects');
  }

  /** Authorization code + PKCE: the login page shown by `start`, the form posted to `post`, the redirects after it followed at `finish`. */
  async function codeFlow(config: oidc.Configuration, replicas: { start: Replica; post: Replica; finish: Replica }, identifier: string) {
    const jar = new CookieJar();
    const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: FULL_SCOPE });
    const page = await browse(jar, replicas.start, replicas.start, url.href);
    const form = /<form method="post" action="([^"]+)"/.exec(page.body);
    if (!form) throw new Error(`no login form (${page.status}): ${page.body.slice(0, 500)}`);
    const action = new URL(form[1].replace(/&amp;/g, '&'), url).toString();
    const done = await browse(jar, replicas.post, replicas.finish, action, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ identifier, password: PASSWORD }).toString(),
    });
    if (!done.redirectedTo) throw new Error(`the sign-in did not reach the redirect URI (${done.status}): ${done.body.slice(0, 500)}`);
    return { callback: new URL(done.redirectedTo), verifier, state };
  }

  it('1. an application created through A works at B’s issuer at once: password grant and client credentials', async () => {
    const { user } = await connectedPoolWithUser();
    // Both replicas build the new workspace's issuer at the same moment: one set of signing keys must come out of it.
    const { app, atA, atB } = await application();
    const [fromB, fromA] = await Promise.all([passwordGrant(atB, user.email), passwordGrant(atA, user.email)]);
    const machine = await oidc.clientCredentialsGrant(atB);

    // Whatever one replica signs, the other's JWKS verifies, and the other's userinfo accepts.
    const jwks = (via: Replica) => createRemoteJWKSet(new URL(at(via, `${issuer}/jwks`)));
    for (const [token, via] of [[fromB.access_token, a], [fromA.access_token, b], [machine.access_token, a]] as const) {
      const { payload } = await jwtVerify(token, jwks(via), { issuer, audience: issuer });
      expect(payload.client_id).toBe(app.clientId);
    }
    expect(fromB.claims()!.sub).toBe(user.id);
    expect([await userinfo(atA, fromB), await userinfo(atB, fromA)]).toEqual([OK, OK]);
  });

  it('2. disabling or deleting the identity provider through A blocks the next sign-in at B at once; re-enabling works at once', async () => {
    const { user, provider, pool } = await connectedPoolWithUser();
    const { atB } = await application();
    const providerPath = (id: string) => `/v1/workspaces/${ws}/identity-providers/${id}`;
    expect(await signIn(atB, user.email)).toEqual(OK);

    await a.t.root('patch', providerPath(provider)).send({ enabled: false }).expect(200);
    expect(await signIn(atB, user.email)).toEqual(INVALID_GRANT);
    await a.t.root('patch', providerPath(provider)).send({ enabled: true }).expect(200);
    expect(await signIn(atB, user.email)).toEqual(OK);

    await a.t.root('delete', providerPath(provider)).expect(204);
    expect(await signIn(atB, user.email)).toEqual(INVALID_GRANT);
    await connectPool(a.t, ws, pool);
    expect(await signIn(atB, user.email)).toEqual(OK);
  });

  it('3. an API key revoked through A is refused by B at once', async () => {
    const created = await a.t.root('post', `/v1/workspaces/${ws}/api-keys`).send({ name: unique('key') }).expect(201);
    const listPools = (via: Replica) => via.t.as(created.body.key, 'get', `/v1/workspaces/${ws}/pools`);
    await listPools(b).expect(200);
    await a.t.root('delete', `/v1/workspaces/${ws}/api-keys/${created.body.id}`).expect(204);
    await listPools(b).expect(401);
    await listPools(a).expect(401);
  });

  it('4. authorization code + PKCE: login page at A, form posted to B, finished at either, code exchanged at B', async () => {
    const { user } = await connectedPoolWithUser();
    const { atA, atB } = await application();
    for (const finish of [a, b]) {
      const { callback, verifier, state } = await codeFlow(atA, { start: a, post: b, finish }, user.email);
      const tokens = await oidc.authorizationCodeGrant(atB, callback, { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.claims()!.sub).toBe(user.id);
      expect(await userinfo(atA, tokens)).toEqual(OK);
      expect(await refresh(atA, tokens.refresh_token!)).toEqual(OK);
    }
  });

  it('5. a refresh token rotated at A and reused at B is refused, and the whole grant is revoked', async () => {
    const { user } = await connectedPoolWithUser();
    const { atA, atB } = await application();
    const first = await passwordGrant(atA, user.email);
    const second = await oidc.refreshTokenGrant(atA, first.refresh_token!);
    expect(await refresh(atB, first.refresh_token!)).toEqual(INVALID_GRANT);
    expect(await refresh(atB, second.refresh_token!)).toEqual(INVALID_GRANT);
    expect(await refresh(atA, second.refresh_token!)).toEqual(INVALID_GRANT);
    expect((await userinfo(atA, second)).status).toBe(401);
  });

  it('6. failed sign-ins count across replicas: the pool’s lockout, and the per-identifier throttle in Redis', async () => {
    const { atA, atB } = await application();
    // Lockout (PostgreSQL): three failures, split between A and B, lock the account for both.
    const locked = await connectedPoolWithUser({ lockout: { maxFailedAttempts: 3, durationSeconds: 600 } });
    for (const config of [atA, atB, atA]) expect(await signIn(config, locked.user.email, 'wrong password')).toEqual(INVALID_GRANT);
    expect([await signIn(atA, locked.user.email), await signIn(atB, locked.user.email)]).toEqual([INVALID_GRANT, INVALID_GRANT]);
    const user = await b.t.root('get', userPath(locked.pool, locked.user.id)).expect(200);
    expect(new Date(user.body.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 500_000);

    // Throttle (Redis): the identifier's failures, split between A and B, reach the limit for both.
    const throttled = await connectedPoolWithUser({ lockout: { maxFailedAttempts: 100 } });
    for (let i = 0; i < FAILURES_PER_IDENTIFIER; i++) expect(await signIn(i % 2 ? atB : atA, throttled.user.email, 'wrong password')).toEqual(INVALID_GRANT);
    expect([await signIn(atA, throttled.user.email), await signIn(atB, throttled.user.email)]).toEqual([THROTTLED, THROTTLED]);
  });

  it('7. a user disabled through A: its refresh token stops working at B, and B’s userinfo refuses its access token', async () => {
    const { user, pool } = await connectedPoolWithUser();
    const { atA, atB } = await application();
    const tokens = await passwordGrant(atA, user.email);
    expect(await userinfo(atB, tokens)).toEqual(OK);
    await a.t.root('patch', userPath(pool, user.id)).send({ status: 'disabled' }).expect(200);
    expect(await refresh(atB, tokens.refresh_token!)).toEqual(INVALID_GRANT);
    expect((await userinfo(atB, tokens)).status).toBe(401);
    expect(await signIn(atB, user.email)).toEqual(INVALID_GRANT);
  });

  it('8. an invitation created through A is sent by the worker exactly once and accepted through B', async () => {
    const { pool } = await connectedPoolWithUser();
    const { atB } = await application();
    const email = `${unique('invited')}@example.com`;
    const invited = await a.t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
    const mail = await smtp.waitFor((m) => m.to === email, 15_000);
    const link = new URL(mail.links[0]);
    expect(link.origin).toBe(publicUrl);
    const token = link.searchParams.get('token')!;

    await b.t.http.get('/v1/self-service/invitations').query({ token }).expect(200);
    const accepted = await b.t.http.post('/v1/self-service/invitations/accept').send({ token, password: PASSWORD }).expect(200);
    expect(accepted.body).toMatchObject({ id: invited.body.id, status: 'active' });
    expect(await signIn(atB, email)).toEqual(OK);
    const user = await a.t.root('get', userPath(pool, invited.body.id)).expect(200);
    expect(user.body.invitation.status).toBe('accepted');

    // Long enough for a second send (a sweep, a retry, another process) to show up.
    await new Promise((r) => setTimeout(r, 2000));
    expect(smtp.to(email)).toHaveLength(1);
  });
});
