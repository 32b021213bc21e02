import type Redis from 'ioredis';
import * as oidc from 'openid-client';
import { redisNamespace } from '../../src/platform/redis/namespace';
import { REDIS } from '../../src/platform/redis/redis.module';
import { connectPool, createApplication, createPool, createUser, createWorkspace, pkceAuthorization, REDIRECT_URI, sql, unique } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Attack audit of what an anonymous end user reaches: the hosted login page and the pages
 * beside it, the self-service pages and API, sign-in throttling and lockout. Each test
 * proves a defect found by probing the running app (it failed until fixed), or pins a
 * defence no other spec covers. The first app does not trust X-Forwarded-For (no
 * TRUST_PROXY), the second one does.
 */

const PASSWORD = 'correct horse battery';
const PER_IDENTIFIER = 4;
const PER_IP = 12;
const LOCKOUT = { maxFailedAttempts: 3, durationSeconds: 900 };

describe('attack audit', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;
  let config: oidc.Configuration;
  let client: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp(
      {
        SMTP_URL: smtp.url,
        RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: String(PER_IDENTIFIER),
        RATE_LIMIT_SIGNIN_FAILURES_PER_IP: String(PER_IP),
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      },
      { listen: true },
    );
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { name: unique('Customers'), lockout: LOCKOUT, selfRegistration: { enabled: true, requireEmailVerification: false } })).id;
    await connectPool(t, ws, pool);
    client = await createApplication(t, ws);
    config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), client.clientId, undefined, oidc.ClientSecretBasic(client.clientSecret), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  /** Forgets every failure counted: the tests all come from one address. */
  async function forgetCounts(): Promise<void> {
    const redis = t.app.get<Redis>(REDIS);
    const keys = await redis.keys(`${redisNamespace(t.databaseUrl)}:ratelimit:*`);
    if (keys.length) await redis.del(...keys);
  }
  beforeEach(forgetCounts);

  async function authorizationUrl(relyingParty = config): Promise<string> {
    return (await pkceAuthorization(relyingParty, { redirect_uri: REDIRECT_URI, scope: 'openid' })).url.href;
  }

  /** Follows the authorization request to the login page, as a browser would. */
  async function openLoginPage(relyingParty = config) {
    const jar = new CookieJar();
    let next = await authorizationUrl(relyingParty);
    for (let hop = 0; hop < 5; hop++) {
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.store(res);
      const location = res.headers.get('location');
      if (!location) return { url: next, res, body: await res.text(), jar };
      next = new URL(location, next).href;
    }
    throw new Error('no login page');
  }

  async function post(url: string, jar: CookieJar, body: string, headers: Record<string, string> = {}) {
    const res = await fetch(url, { method: 'POST', redirect: 'manual', headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', ...headers }, body });
    return { status: res.status, headers: res.headers, body: await res.text() };
  }

  const signIn = async (identifier: string, password: string) => followLogin(await authorizationUrl(), { identifier, password }, REDIRECT_URI);

  describe('malformed login forms', () => {
    it.each([
      ['a repeated identifier', 'identifier=a%40example.com&identifier=b%40example.com&password=x'],
      ['a repeated password', 'identifier=a%40example.com&password=x&password=y'],
    ])('answers %s like a wrong password (401 page), not 500', async (_what, body) => {
      const login = await openLoginPage();
      const res = await post(`${login.url}/login`, login.jar, body);
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/text\/html/);
    });
  });

  describe('account enumeration at the login form', () => {
    const SAMPLES = 15;
    const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

    it('answers an unknown identifier, a wrong password, an invited or disabled user and a locked one (even with its password) alike, in the same time', async () => {
      const users = `/v1/workspaces/${ws}/pools/${pool}/users`;
      const active = await createUser(t, ws, pool);
      const invited = (await t.root('post', users).send({ email: `${unique('invited')}@example.com`, credential: { mode: 'invitation' } }).expect(201)).body as { email: string };
      const disabled = await createUser(t, ws, pool);
      await t.root('patch', `${users}/${disabled.id}`).send({ status: 'disabled' }).expect(200);
      const locked = await createUser(t, ws, pool);
      await sql(t, `UPDATE users SET locked_until = now() + interval '1 hour' WHERE id = $1`, [locked.id]);
      const who: Record<string, () => string> = { unknown: () => `${unique('nobody')}@example.com`, active: () => active.email, invited: () => invited.email, disabled: () => disabled.email, locked: () => locked.email };

      const login = await openLoginPage();
      const answers: Record<string, string> = {};
      const times: Record<string, number[]> = Object.fromEntries(Object.keys(who).map((kind) => [kind, []]));
      for (let i = 0; i < SAMPLES; i++) {
        await forgetCounts();
        for (const [kind, identifier] of Object.entries(who)) {
          const sent = identifier();
          const started = process.hrtime.bigint();
          const res = await post(`${login.url}/login`, login.jar, new URLSearchParams({ identifier: sent, password: kind === 'locked' ? PASSWORD : 'wrong' }).toString());
          times[kind].push(Number(process.hrtime.bigint() - started) / 1e6);
          answers[kind] = JSON.stringify({ status: res.status, cookies: res.headers.getSetCookie(), body: res.body.replace(sent, 'WHO') });
        }
      }
      for (const kind of Object.keys(who)) expect({ kind, answer: answers[kind] }).toEqual({ kind, answer: answers.unknown });
      const baseline = median(times.unknown);
      for (const kind of Object.keys(who)) {
        const ratio = median(times[kind]) / baseline;
        if (ratio < 0.5 || ratio > 2) throw new Error(`a refusal for ${kind} takes ${median(times[kind]).toFixed(1)} ms (median of ${SAMPLES}), an unknown identifier ${baseline.toFixed(1)} ms`);
      }
    }, 60_000);
  });

  describe('lockout and throttling', () => {
    it('counts failures at the login form and the password grant together, whatever the spelling of the identifier', async () => {
      const user = await createUser(t, ws, pool, { email: `${unique('sprayed')}@example.com` });
      const grant = (username: string) =>
        fetch(`${t.baseUrl}/oidc/${ws}/token`, {
          method: 'POST',
          headers: { authorization: `Basic ${Buffer.from(`${client.clientId}:${client.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'password', username, password: 'guess', scope: 'openid' }),
        });
      for (let i = 0; i < PER_IDENTIFIER / 2; i++) expect((await grant(user.email.toUpperCase())).status).toBe(400);
      for (let i = 0; i < PER_IDENTIFIER / 2; i++) expect((await signIn(` ${user.email}\u00a0`, 'guess')).page?.status).toBe(401);
      expect((await signIn(user.email, PASSWORD)).page?.status).toBe(429);
      expect((await grant(user.email)).status).toBe(429);
    });

    it('a password reset by the owner lets them sign in at once, whatever failures others caused', async () => {
      const user = await createUser(t, ws, pool, { email: `${unique('victim')}@example.com`, credential: { mode: 'password', password: PASSWORD } });
      for (let i = 0; i < PER_IDENTIFIER + 1; i++) await signIn(user.email, `wrong ${i}`);
      expect((await signIn(user.email, PASSWORD)).page?.status).toBe(429);

      const login = await openLoginPage();
      await post(`${login.url}/forgot-password`, login.jar, new URLSearchParams({ email: user.email }).toString());
      const mail = await smtp.waitFor((m) => m.to.includes(user.email) && /Reset your/.test(m.subject));
      const token = new URL(mail.links.find((l) => l.includes('/self-service/reset-password?token='))!).searchParams.get('token')!;
      await t.http.post('/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' }).expect(204);

      expect((await signIn(user.email, 'a brand new passphrase')).redirectedTo).toContain('code=');
    });

    it.each([
      ['an unlock (PATCH lockedUntil: null)', (path: string) => t.root('patch', path).send({ lockedUntil: null }).expect(200), PASSWORD],
      ['a new password (PUT .../password)', (path: string) => t.root('put', `${path}/password`).send({ password: 'an admin-set passphrase' }).expect(204), 'an admin-set passphrase'],
    ])('%s by an admin lets the user sign in at once, whatever failures others caused', async (_what, lift, password) => {
      const user = await createUser(t, ws, pool, { email: `${unique('locked')}@example.com`, credential: { mode: 'password', password: PASSWORD } });
      for (let i = 0; i < PER_IDENTIFIER + 1; i++) await signIn(user.email, `wrong ${i}`);
      expect((await signIn(user.email, PASSWORD)).page?.status).toBe(429);

      await lift(`/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`);

      expect((await signIn(user.email, password)).redirectedTo).toContain('code=');
    });

    it('accepting an invitation lets the new user sign in at once, whatever failures were counted against the address before', async () => {
      const email = `${unique('invited')}@example.com`;
      await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
      const link = (await smtp.waitFor((m) => m.to.includes(email) && /invited/.test(m.subject))).links.find((l) => l.includes('token='))!;
      for (let i = 0; i < PER_IDENTIFIER + 1; i++) await signIn(email, `guess ${i}`);

      await t.http.post('/v1/self-service/invitations/accept').send({ token: new URL(link).searchParams.get('token'), password: PASSWORD }).expect(200);

      expect((await signIn(email, PASSWORD)).redirectedTo).toContain('code=');
    });

    it('a post to the login form of no live sign-in (forged, cross-site, expired) checks no password: no lockout, no sign-in recorded', async () => {
      const user = await createUser(t, ws, pool, { email: `${unique('target')}@example.com` });
      const forged = (password: string) => post(`${t.baseUrl}/oidc/${ws}/interaction/no-such-interaction/login`, new CookieJar(), new URLSearchParams({ identifier: user.email, password }).toString());
      for (let i = 0; i < LOCKOUT.maxFailedAttempts; i++) expect((await forged(`guess ${i}`)).status).toBe(400);
      expect((await forged(PASSWORD)).status).toBe(400);

      expect(await sql(t, `SELECT failed_sign_ins, locked_until, last_sign_in_at FROM users WHERE id = $1`, [user.id])).toEqual([{ failed_sign_ins: 0, locked_until: null, last_sign_in_at: null }]);
    });

    it('X-Forwarded-For is not believed without TRUST_PROXY: a new value per attempt is still one address', async () => {
      const login = await openLoginPage();
      const statuses: number[] = [];
      for (let i = 0; i < PER_IP + 1; i++) {
        const res = await post(`${login.url}/login`, login.jar, new URLSearchParams({ identifier: `${unique('nobody')}@example.com`, password: 'x' }).toString(), { 'x-forwarded-for': `198.51.100.${i}` });
        statuses.push(res.status);
      }
      expect(statuses.at(-1)).toBe(429);
    });
  });

  describe('the forms beside the login page', () => {
    it.each(['forgot-password', 'register'])('a post to %s needs the live sign-in, as its form does (a cross-site post carries no SameSite=Lax cookie)', async (page) => {
      const email = `${unique('forged')}@example.com`;
      const res = await post(`${t.baseUrl}/oidc/${ws}/interaction/no-such-interaction/${page}`, new CookieJar(), new URLSearchParams({ poolId: pool, email, password: PASSWORD }).toString());
      expect(res.status).toBe(400);
      expect(res.body).toContain('Sign-in expired');
      expect(await sql(t, `SELECT 1 FROM users WHERE email = $1`, [email])).toEqual([]);
    });

    it('registers in the pool this sign-in offers, whatever pool id the form is made to carry', async () => {
      const elsewhere = (await createWorkspace(t)).id;
      const foreign = (await createPool(t, elsewhere, { selfRegistration: { enabled: true, requireEmailVerification: false } })).id;
      const login = await openLoginPage();
      const email = `${unique('tampered')}@example.com`;
      const res = await post(`${login.url}/register`, login.jar, new URLSearchParams({ poolId: foreign, email, password: PASSWORD }).toString());
      expect(res.status).toBe(200);
      expect(await sql(t, `SELECT pool_id FROM users WHERE email = $1`, [email])).toEqual([{ pool_id: pool }]);
    });
  });

  describe('hosted pages', () => {
    /** What every hosted page must say, as it holds a link token, personal data or a password field. */
    const expectPageHeaders = (name: string, headers: Headers) =>
      expect({ name, cache: headers.get('cache-control'), frame: headers.get('x-frame-options'), referrer: headers.get('referrer-policy'), ancestors: /frame-ancestors 'none'/.test(headers.get('content-security-policy') ?? '') }).toEqual({
        name,
        cache: 'no-store',
        frame: 'DENY',
        referrer: 'no-referrer',
        ancestors: true,
      });

    it('are never cached, framed, or named in a Referer, errors included', async () => {
      const login = await openLoginPage();
      expectPageHeaders('login', login.res.headers);
      const form = (body: Record<string, string>) => new URLSearchParams(body).toString();
      const pages: [string, Promise<{ headers: Headers }>][] = [
        ['refused sign-in', post(`${login.url}/login`, login.jar, form({ identifier: 'nobody@example.com', password: 'x' }))],
        ['forgot password', fetch(`${login.url}/forgot-password`, { headers: { cookie: login.jar.header() } })],
        ['forgot password sent', post(`${login.url}/forgot-password`, login.jar, form({ email: `${unique('nobody')}@example.com` }))],
        ['register', fetch(`${login.url}/register`, { headers: { cookie: login.jar.header() } })],
        ['register refused', post(`${login.url}/register`, login.jar, form({ email: 'nope', password: 'x' }))],
        ['expired sign-in', fetch(`${t.baseUrl}/oidc/${ws}/interaction/no-such-interaction`)],
        ['unknown issuer', fetch(`${t.baseUrl}/oidc/no-such-workspace/interaction/x`)],
        ['self-service register', fetch(`${t.baseUrl}/self-service/register?pool=${pool}`)],
        ...['accept-invitation', 'verify-email', 'reset-password'].map((page): [string, Promise<Response>] => [`dead ${page} link`, fetch(`${t.baseUrl}/self-service/${page}?token=dead`)]),
      ];
      for (const [name, page] of pages) expectPageHeaders(name, (await page).headers);
    });

    it('show names an administrator or a user typed as text, never as markup', async () => {
      const markup = '<img src=x onerror=alert(1)>';
      const place = (await createWorkspace(t, { name: markup })).id;
      const openPool = (await createPool(t, place, { name: markup, selfRegistration: { enabled: true } })).id;
      await connectPool(t, place, openPool);
      const app = await createApplication(t, place, { name: markup });
      const hostile = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${place}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
      const login = await openLoginPage(hostile);
      const register = await (await fetch(`${login.url}/register`, { headers: { cookie: login.jar.header() } })).text();
      const refused = await post(`${login.url}/register`, login.jar, new URLSearchParams({ email: `"${markup}`, password: 'x', givenName: markup, familyName: `"${markup}` }).toString());
      for (const body of [login.body, register, refused.body]) {
        expect(body).not.toContain('<img');
        expect(body).toContain('&lt;img src=x onerror=alert(1)&gt;');
      }
    });
  });

  describe('self-service API', () => {
    it('answers with personal details (looked up by a link token) that no cache may keep', async () => {
      const email = `${unique('invited')}@example.com`;
      await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
      const link = (await smtp.waitFor((m) => m.to.includes(email))).links.find((l) => l.includes('token='))!;
      const token = new URL(link).searchParams.get('token')!;

      const details = await t.http.get('/v1/self-service/invitations').query({ token }).expect(200);
      expect(details.headers['cache-control']).toBe('no-store');
      const accepted = await t.http.post('/v1/self-service/invitations/accept').send({ token, password: PASSWORD }).expect(200);
      expect(accepted.headers['cache-control']).toBe('no-store');
    });
  });
});

describe('attack audit behind a proxy (TRUST_PROXY)', () => {
  const PER_IP = 3;
  let t: TestApp;
  let loginUrl: string;
  let jar: CookieJar;

  beforeAll(async () => {
    t = await startTestApp({ TRUST_PROXY: '1', RATE_LIMIT_SIGNIN_FAILURES_PER_IP: String(PER_IP), ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }, { listen: true });
    const ws = (await createWorkspace(t)).id;
    await connectPool(t, ws, (await createPool(t, ws)).id);
    const app = await createApplication(t, ws);
    const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
    jar = new CookieJar();
    const login = await followLogin((await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid' })).url.href, { identifier: '', password: '' }, REDIRECT_URI, jar);
    loginUrl = /<form method="post" action="([^"]+)"/.exec(login.page!.body)![1];
  });
  afterAll(() => t.close());

  const failFrom = async (address: string) =>
    (
      await fetch(loginUrl, {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': address },
        body: new URLSearchParams({ identifier: `${unique('nobody')}@example.com`, password: 'x' }),
      })
    ).status;

  it('counts the failures of one IPv6 network (a /64, what one subscriber gets) as those of one address', async () => {
    const statuses = [];
    for (let host = 1; host <= PER_IP + 1; host++) statuses.push(await failFrom(`2001:db8:1:2::${host.toString(16)}`));
    expect(statuses).toEqual([...Array(PER_IP).fill(401), 429]);
    // Another network, and IPv4 clients (as a dual-stack listener sees them), are not held back.
    expect(await failFrom('2001:db8:1:3::1')).toBe(401);
    expect(await failFrom('::ffff:198.51.100.7')).toBe(401);
  });
});
