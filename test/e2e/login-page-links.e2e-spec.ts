import * as oidc from 'openid-client';
import { connectPool, createApplication, createPool, createUser, createWorkspace, pkceAuthorization, REDIRECT_URI, sql, unique } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The ways out of the hosted login page that Keycloak, Auth0 and Cognito users expect:
 * "Forgot your password?" for every pool that signs in there, "Create an account" where a
 * connected pool allows registration, each linking back to the same sign-in; and
 * login_hint prefilling the identifier.
 */

const PASSWORD = 'correct horse battery';

describe('login page links', () => {
  let t: TestApp;
  let smtp: SmtpSink;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp({ SMTP_URL: smtp.url, ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }, { listen: true });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  /** A workspace whose issuer has an application, with the given pools connected. */
  async function workspace(pools: Record<string, unknown>[]) {
    const ws = (await createWorkspace(t)).id;
    const poolIds: string[] = [];
    for (const [index, body] of pools.entries()) {
      const pool = (await createPool(t, ws, body)).id;
      await connectPool(t, ws, pool, { priority: index });
      poolIds.push(pool);
    }
    const app = await createApplication(t, ws);
    const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
    return { ws, poolIds, config };
  }

  /** Follows the authorization request to the login page, as a browser would. */
  async function openLoginPage(config: oidc.Configuration, params: Record<string, string> = {}, jar = new CookieJar()) {
    const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', ...params });
    let next = url.href;
    for (let hop = 0; hop < 5; hop++) {
      const res = await fetch(next, { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.store(res);
      const location = res.headers.get('location');
      if (!location) return { url: next, body: await res.text(), status: res.status, jar };
      next = new URL(location, next).href;
    }
    throw new Error('no login page');
  }

  const links = (body: string) => Object.fromEntries([...body.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => [m[2], m[1].replace(/&amp;/g, '&')]));
  const formAction = (body: string) => /<form method="post" action="([^"]+)"/.exec(body)?.[1];

  async function page(url: string, jar: CookieJar, form?: Record<string, string>) {
    const res = await fetch(url, {
      method: form ? 'POST' : 'GET',
      redirect: 'manual',
      headers: { cookie: jar.header(), ...(form && { 'content-type': 'application/x-www-form-urlencoded' }) },
      body: form && new URLSearchParams(form).toString(),
    });
    jar.store(res);
    return { status: res.status, body: await res.text() };
  }

  it('offers "Forgot your password?" always, and no registration where no connected pool allows it', async () => {
    const { config } = await workspace([{}]);
    const login = await openLoginPage(config);
    expect(login.status).toBe(200);
    expect(links(login.body)).toEqual({ 'Forgot your password?': `${login.url}/forgot-password` });
  });

  it('has every page it links to in the OpenAPI document, the form and its post', async () => {
    const { config } = await workspace([{ selfRegistration: { enabled: true } }]);
    const page = await openLoginPage(config);
    const { body: doc } = await t.http.get('/docs-json').expect(200);
    const pages = Object.values(links(page.body)).map((href) => new URL(href).pathname.replace(/^\/oidc\/[^/]+\/interaction\/[^/]+/, '/oidc/{workspaceId}/interaction/{uid}'));
    expect(pages.sort()).toEqual(['/oidc/{workspaceId}/interaction/{uid}/forgot-password', '/oidc/{workspaceId}/interaction/{uid}/register']);
    for (const path of pages) expect([path, Object.keys(doc.paths[path] ?? {}).sort()]).toEqual([path, ['get', 'post']]);
  });

  it('prefills the identifier from login_hint, escaped', async () => {
    const { config } = await workspace([{}]);
    const login = await openLoginPage(config, { login_hint: 'ada@example.com"><b>' });
    expect(login.body).toContain('value="ada@example.com&quot;&gt;&lt;b&gt;"');
  });

  it('sends a GET on the form\'s post address (back, reload) to the sign-in page again', async () => {
    const { config } = await workspace([{}]);
    const login = await openLoginPage(config);
    const res = await fetch(formAction(login.body)!, { redirect: 'manual', headers: { cookie: login.jar.header() } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(login.url);
  });

  it('serves its pages with nosniff, and no input that silently cuts what a user pastes (the server says what is too long)', async () => {
    const { config } = await workspace([{ selfRegistration: { enabled: true } }]);
    const login = await openLoginPage(config);
    const registration = await fetch(links(login.body)['No account? Create one'], { headers: { cookie: login.jar.header() } });
    expect(registration.headers.get('x-content-type-options')).toBe('nosniff');
    const body = await registration.text();
    expect(body).toContain('name="password"');
    expect(body).not.toContain('maxlength');
    const tooLong = await page(formAction(body)!, login.jar, { email: `${unique('long')}@example.com`, password: 'p'.repeat(300), givenName: 'g'.repeat(300) });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toContain('Password must be at most 128 characters.');
    expect(tooLong.body).toContain('must be 1 to 200 characters long');
  });

  describe('forgot password', () => {
    it('emails a reset link for the pool that signs in here, never for an unconnected one, and answers both alike', async () => {
      const { ws, poolIds, config } = await workspace([{}]);
      const unconnected = (await createPool(t, ws)).id;
      const email = `${unique('forgot')}@example.com`;
      const member = await createUser(t, ws, poolIds[0], { email });
      const outsider = await createUser(t, ws, unconnected, { email });

      const login = await openLoginPage(config);
      const form = await page(links(login.body)['Forgot your password?'], login.jar);
      expect(form.status).toBe(200);
      expect(form.body).toContain('name="email"');
      expect(links(form.body)).toEqual({ 'Back to sign in': login.url });

      const action = formAction(form.body)!;
      const known = await page(action, login.jar, { email });
      const unknownEmail = `${unique('nobody')}@example.com`;
      const unknown = await page(action, login.jar, { email: unknownEmail });
      expect([known.status, unknown.status]).toEqual([200, 200]);
      expect(unknown.body.replace(unknownEmail, email)).toBe(known.body);
      expect(links(known.body)).toEqual({ 'Back to sign in': login.url });

      const mail = await smtp.waitFor((m) => m.to.includes(email) && /Reset your/.test(m.subject));
      const token = new URL(mail.links.find((l) => l.includes('/self-service/reset-password?token='))!).searchParams.get('token')!;
      const owners = await sql<{ user_id: string }>(t, `SELECT user_id FROM user_tokens WHERE purpose = 'password_reset' AND user_id = ANY($1)`, [[member.id, outsider.id]]);
      expect(owners.map((o) => o.user_id)).toEqual([member.id]);

      await t.http.post('/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' }).expect(204);
      const signedIn = await followLogin(login.url, { identifier: email, password: 'a brand new passphrase' }, REDIRECT_URI, login.jar);
      expect(signedIn.redirectedTo).toContain('code=');
    });

    it('re-shows the form with the email marked when it is not an address', async () => {
      const { config } = await workspace([{}]);
      const login = await openLoginPage(config);
      const form = await page(links(login.body)['Forgot your password?'], login.jar);
      const refused = await page(formAction(form.body)!, login.jar, { email: 'not-an-address' });
      expect(refused.status).toBe(400);
      expect(refused.body).toMatch(/<input id="email"[^>]*aria-invalid="true"/);
      expect(refused.body).toContain('value="not-an-address"');
    });

    it('needs a live sign-in to show the form', async () => {
      const { ws } = await workspace([{}]);
      const res = await page(`${t.baseUrl}/oidc/${ws}/interaction/no-such-interaction/forgot-password`, new CookieJar());
      expect(res.status).toBe(400);
      expect(res.body).toContain('Sign-in expired');
    });
  });

  describe('create an account', () => {
    it('links to the first connected pool open for registration, and back to the sign-in, where the new account signs in', async () => {
      const { poolIds, config } = await workspace([
        { name: unique('Staff') },
        { name: unique('Customers'), selfRegistration: { enabled: true, requireEmailVerification: false } },
        { name: unique('Partners'), selfRegistration: { enabled: true, requireEmailVerification: false } },
      ]);
      const [customers] = await sql<{ name: string }>(t, `SELECT name FROM pools WHERE id = $1`, [poolIds[1]]);
      const login = await openLoginPage(config);
      expect(Object.keys(links(login.body))).toEqual(['Forgot your password?', 'No account? Create one']);

      const form = await page(links(login.body)['No account? Create one'], login.jar);
      expect(form.status).toBe(200);
      expect(form.body).toContain(`in ${customers.name}`);
      expect(links(form.body)).toEqual({ 'Back to sign in': login.url });

      const email = `${unique('new')}@example.com`;
      const done = await page(formAction(form.body)!, login.jar, { poolId: poolIds[1], email, password: PASSWORD, givenName: '', familyName: '' });
      expect(done.status).toBe(200);
      expect(done.body).toContain('Registration received');
      expect(links(done.body)).toEqual({ 'Back to sign in': login.url });

      const [created] = await sql<{ pool_id: string; status: string }>(t, `SELECT pool_id, status FROM users WHERE email = $1`, [email]);
      expect(created).toEqual({ pool_id: poolIds[1], status: 'active' });
      const signedIn = await followLogin(login.url, { identifier: email, password: PASSWORD }, REDIRECT_URI, login.jar);
      expect(signedIn.redirectedTo).toContain('code=');
    });

    it('re-shows a refused form with its own action and the way back', async () => {
      const { poolIds, config } = await workspace([{ selfRegistration: { enabled: true }, passwordPolicy: { minLength: 12 } }]);
      const login = await openLoginPage(config);
      const form = await page(links(login.body)['No account? Create one'], login.jar);
      const refused = await page(formAction(form.body)!, login.jar, { poolId: poolIds[0], email: 'nope', password: 'short' });
      expect(refused.status).toBe(400);
      expect(formAction(refused.body)).toBe(formAction(form.body));
      expect(links(refused.body)).toEqual({ 'Back to sign in': login.url });
      expect(refused.body).toMatch(/<input id="email"[^>]*aria-invalid="true"/);
      expect(refused.body).toMatch(/<input id="password"[^>]*aria-invalid="true"/);
    });

    it('is a 404 page when no connected pool allows registration', async () => {
      const { config } = await workspace([{}]);
      const login = await openLoginPage(config);
      const res = await page(`${login.url}/register`, login.jar);
      expect(res.status).toBe(404);
      expect(res.body).toContain('Registration closed');
    });
  });
});
