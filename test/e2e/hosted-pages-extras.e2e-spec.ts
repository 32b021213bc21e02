import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { connectPool, createApplication, createPool, createUser, createWorkspace, pkceAuthorization, REDIRECT_URI, sql, unique } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Hosted pages as password managers and browsers read them: the reset page names the
 * account its new password is for, and the issuer's sign-out page lets its form go only
 * where the sign-out ends (the issuer, then the application).
 */

const PASSWORD = 'correct horse battery';
const SIGNED_OUT = 'http://127.0.0.1/signed-out';

describe('hosted pages extras', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp({ SMTP_URL: smtp.url, TRUST_PROXY: '1', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { passwordPolicy: { minLength: 10 } })).id;
    await connectPool(t, ws, pool);
    issuer = `${t.baseUrl}/oidc/${ws}`;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  // Random, because the rate-limit counters live in the shared Redis and outlast a run.
  const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
  const resetPage = (token: string) => t.http.get('/self-service/reset-password').query({ token }).set('X-Forwarded-For', freshIp());
  const accountName = (email: string) => `<input id="username" type="email" autocomplete="username" value="${email}" readonly hidden>`;

  describe('reset-password page', () => {
    async function mailedResetToken(email: string): Promise<string> {
      await t.http.post('/v1/self-service/password-resets').set('X-Forwarded-For', freshIp()).send({ poolId: pool, email }).expect(202);
      const mail = await smtp.waitFor((m) => m.to.toLowerCase().includes(email.toLowerCase()) && m.links.some((l) => l.includes('/self-service/reset-password?token=')));
      return new URL(mail.links.find((l) => l.includes('/self-service/reset-password?token='))!).searchParams.get('token')!;
    }

    it('names the account in a hidden username field, also when the form comes back refused', async () => {
      const { email } = await createUser(t, ws, pool, { email: `${unique('reset')}@example.com` });
      const token = await mailedResetToken(email);

      const page = await resetPage(token).expect(200);
      expect(page.text).toContain(accountName(email));

      const refused = await t.http.post('/self-service/reset-password').set('X-Forwarded-For', freshIp()).type('form').send({ token, password: 'short' }).expect(400);
      expect(refused.text).toContain(accountName(email));
    });

    it('takes the form with fields a browser or password manager added, ignoring them (the JSON API refuses them by name)', async () => {
      const { email } = await createUser(t, ws, pool, { email: `${unique('reset')}@example.com` });
      const token = await mailedResetToken(email);
      const sent = { token, password: 'a new password 1', passwordConfirmation: 'a new password 1', remember: 'on' };

      const changed = await t.http.post('/self-service/reset-password').set('X-Forwarded-For', freshIp()).type('form').send(sent).expect(200);
      expect(changed.text).toContain('Password changed');
      expect(changed.text).not.toContain('should not exist');

      const again = await mailedResetToken(email);
      const refused = await t.http.post('/v1/self-service/password-resets/confirm').set('X-Forwarded-For', freshIp()).send({ ...sent, token: again }).expect(400);
      expect(refused.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['passwordConfirmation', 'remember']);
    });

    it('has no username field for a mobile-only user (a link from before links named their address)', async () => {
      const { id } = await createUser(t, ws, pool, { email: undefined, mobile: '+33612345678' });
      const token = randomBytes(32).toString('base64url');
      await sql(t, `INSERT INTO user_tokens (user_id, purpose, email, token_hash, expires_at) VALUES ($1, 'password_reset', NULL, $2, now() + interval '1 hour')`, [
        id,
        createHash('sha256').update(token).digest(),
      ]);

      const page = await resetPage(token).expect(200);
      expect(page.text).toContain('Choose a new password');
      expect(page.text).not.toContain('autocomplete="username"');
    });
  });

  describe('sign-out page', () => {
    const issuerOrigin = () => new URL(issuer).origin;
    const formAction = (res: Response) => / form-action ([^;]*)(;|$)/.exec(res.headers.get('content-security-policy') ?? '')?.[1] ?? null;

    /** A relying party whose user is signed in at the issuer, with the browser's cookies in the jar. */
    async function signedIn() {
      const user = await createUser(t, ws, pool);
      const app = await createApplication(t, ws, { postLogoutRedirectUris: [SIGNED_OUT] });
      const config = await oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
      const jar = new CookieJar();
      const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const result = await followLogin(url.href, { identifier: user.email, password: PASSWORD }, REDIRECT_URI, jar);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(result.redirectedTo!), { pkceCodeVerifier: verifier, expectedState: state });
      return { config, jar, tokens };
    }

    async function open(url: URL, jar: CookieJar): Promise<Response> {
      const res = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.store(res);
      return res;
    }

    it('lets the confirmation form go to the issuer and the post_logout_redirect_uri only, with the login page headers', async () => {
      const { config, jar } = await signedIn();
      const res = await open(oidc.buildEndSessionUrl(config, { client_id: config.clientMetadata().client_id, post_logout_redirect_uri: SIGNED_OUT }), jar);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Sign out?');
      expect(formAction(res)).toBe(`'self' ${issuerOrigin()} ${new URL(SIGNED_OUT).origin}`);
      expect(res.headers.get('content-security-policy')).toMatch(/^default-src 'none';.* frame-ancestors 'none'/);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    });

    it('names only the issuer without a post_logout_redirect_uri (the sign-out ends on its own page)', async () => {
      const { config, jar } = await signedIn();
      const res = await open(oidc.buildEndSessionUrl(config, { client_id: config.clientMetadata().client_id }), jar);
      expect(res.status).toBe(200);
      expect(formAction(res)).toBe(`'self' ${issuerOrigin()}`);
    });

    it('keeps form-action on the page that signs out at once, next to its one script', async () => {
      const { config, jar, tokens } = await signedIn();
      const res = await open(oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: SIGNED_OUT }), jar);
      expect(res.status).toBe(200);
      expect(await res.text()).toContain('Signing out');
      expect(formAction(res)).toBe(`'self' ${issuerOrigin()} ${new URL(SIGNED_OUT).origin}`);
      expect(res.headers.get('content-security-policy')).toMatch(/; script-src 'sha256-[A-Za-z0-9+/=]+'$/);
    });
  });
});
