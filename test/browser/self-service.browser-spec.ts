import * as oidc from 'openid-client';
import { Browser, Page } from 'playwright-core';
import { connectPool, createPool, createUser, createWorkspace, unique } from '../factories';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';
import { BrowserSession, expectOnlyLoopback, launchChromium, openBrowser, randomClientIp, screenshot, submitForm } from './support/chromium';

/**
 * The hosted self-service pages in Debian's headless Chromium, reached the way users
 * reach them: through the links of real emails (a loopback SMTP sink), then checked
 * through the API and by signing in with the password chosen on the page.
 *
 * Rate-limit counters live in the shared Redis and outlast a run, so each test is its
 * own client address (TRUST_PROXY + X-Forwarded-For), and emails that count against the
 * per-email limit are unique; only the email shown in a screenshot is fixed.
 */
const PASSWORD = 'correct horse battery';
const MIN_LENGTH = 10;
const HINT = `At least ${MIN_LENGTH} characters, at most 128.`;
const TOO_SHORT = `Password must be at least ${MIN_LENGTH} characters.`;

describe('hosted self-service pages in Chromium', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let ws: string;
  let pool: string;
  let signInConfig: oidc.Configuration;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    [t, browser] = await Promise.all([startTestApp({ SMTP_URL: smtp.url, TRUST_PROXY: '1' }, { listen: true }), launchChromium()]);
    // Fixed names and a fixed invited email (the database is this file’s own), so the screenshots only change when the pages do.
    ws = (await createWorkspace(t, { name: 'Acme Corp' })).id;
    pool = (
      await createPool(t, ws, {
        name: 'Customers',
        passwordPolicy: { minLength: MIN_LENGTH },
        selfRegistration: { enabled: true, requireEmailVerification: true },
      })
    ).id;
    // An application with the password grant, to prove the passwords set on the pages work.
    await connectPool(t, ws, pool);
    const app = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: 'Acme Portal', redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['password'] })
      .expect(201);
    signInConfig = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.body.clientId, undefined, oidc.ClientSecretBasic(app.body.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close()]);
    await smtp?.stop();
  });

  /** A fresh browser profile that is a client address of its own. */
  function openClient(ip = randomClientIp()): Promise<BrowserSession & { ip: string }> {
    return openBrowser(browser, { forwardedFor: ip }).then((session) => ({ ...session, ip }));
  }

  /** The link to `path` in the (only) email sent to `email` that has one. */
  async function linkFromEmail(email: string, path: string): Promise<string> {
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.links.some((l) => l.includes(path)));
    const link = mail.links.find((l) => l.includes(path))!;
    expect(link.startsWith(`${t.baseUrl}${path}?token=`)).toBe(true);
    return link;
  }

  async function userByEmail(email: string) {
    const res = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: email }).expect(200);
    const user = res.body.items.find((u: { email: string }) => u.email === email);
    expect(user).toBeDefined();
    return user as { id: string; email: string; status: string; emailVerified: boolean; givenName: string | null; invitation: { status: string } | null };
  }

  /** Whether the pool lets `email` sign in with `password` (password grant). */
  async function canSignIn(email: string, password: string): Promise<boolean> {
    try {
      await oidc.genericGrantRequest(signInConfig, 'password', { username: email, password, scope: 'openid' });
      return true;
    } catch (error) {
      if ((error as oidc.ResponseBodyError).error === 'invalid_grant') return false;
      throw error;
    }
  }

  /** What a form page says, in the terms a screen reader user meets them. */
  async function formState(page: Page) {
    const alert = page.getByRole('alert');
    return {
      title: await page.title(),
      heading: await page.getByRole('heading', { level: 1 }).textContent(),
      alert: (await alert.count()) ? (await alert.textContent())?.trim() : null,
      forms: await page.locator('form[method="post"]').count(),
    };
  }

  /** The accessibility state of one labelled input. */
  async function field(page: Page, label: string) {
    const input = page.getByLabel(label);
    return {
      invalid: await input.getAttribute('aria-invalid'),
      describedBy: await input.getAttribute('aria-describedby'),
      focused: await input.evaluate((el) => el === el.ownerDocument.activeElement),
      value: await input.inputValue(),
    };
  }

  async function message(page: Page) {
    return { title: await page.title(), heading: await page.getByRole('heading', { level: 1 }).textContent(), text: await page.locator('main p').first().textContent() };
  }

  it('accepts an emailed invitation: policy hint, a refused short password re-rendered accessibly, then an active user', async () => {
    const email = 'ada@example.com';
    const invited = await createUser(t, ws, pool, { email, credential: { mode: 'invitation' } });
    const link = await linkFromEmail(email, '/self-service/accept-invitation');
    const { context, page, requests } = await openClient();
    try {
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await formState(page)).toEqual({ title: 'Accept your invitation', heading: 'Accept your invitation', alert: null, forms: 1 });
      await expect(page.locator('p.sub').textContent()).resolves.toBe(`Choose a password for ${email} in Customers.`);
      await expect(page.locator('p.sub strong').textContent()).resolves.toBe(email);
      const password = page.getByLabel('Choose a password');
      await expect(password.getAttribute('type')).resolves.toBe('password');
      await expect(password.getAttribute('autocomplete')).resolves.toBe('new-password');
      await expect(page.locator('#password-hint').textContent()).resolves.toContain(HINT);
      expect(await field(page, 'Choose a password')).toEqual({ invalid: null, describedBy: 'password-hint', focused: true, value: '' });
      await expect(page.getByLabel('Given name').getAttribute('autocomplete')).resolves.toBe('given-name');
      await expect(page.getByLabel('Family name').getAttribute('autocomplete')).resolves.toBe('family-name');
      await screenshot(page, 'accept-invitation.png');

      // Too short: the form again, with the policy's message, the password marked and focused,
      // the names kept.
      await password.fill('too short');
      await page.getByLabel('Given name').fill('Ada');
      await page.getByLabel('Family name').fill('Lovelace');
      const refused = await submitForm(page, 'Create my account');
      expect(refused.status()).toBe(400);
      expect(await formState(page)).toEqual({ title: 'Accept your invitation – error', heading: 'Accept your invitation', alert: TOO_SHORT, forms: 1 });
      expect(await field(page, 'Choose a password')).toEqual({ invalid: 'true', describedBy: 'form-error password-hint', focused: true, value: '' });
      expect(await field(page, 'Given name')).toEqual({ invalid: null, describedBy: null, focused: false, value: 'Ada' });
      await expect(page.locator('p.sub strong').textContent()).resolves.toBe(email);
      await expect(page.locator('#password-hint').textContent()).resolves.toContain(HINT);
      await screenshot(page, 'accept-invitation-error.png');
      expect((await userByEmail(email)).status).toBe('invited');

      await page.getByLabel('Choose a password').fill(PASSWORD);
      const accepted = await submitForm(page, 'Create my account');
      expect(accepted.status()).toBe(200);
      expect(await message(page)).toEqual({
        title: 'Your account is ready',
        heading: 'Your account is ready',
        text: `Your password is set. Go back to the application that invited you and sign in with ${email} and this password.`,
      });

      const user = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${invited.id}`).expect(200);
      expect(user.body).toMatchObject({ status: 'active', emailVerified: true, givenName: 'Ada', familyName: 'Lovelace' });
      expect(user.body.invitation.status).toBe('accepted');
      await expect(canSignIn(email, PASSWORD)).resolves.toBe(true);

      // The link is spent: opening it again says so.
      const again = await page.goto(link);
      expect(again?.status()).toBe(410);
      expect(await message(page)).toEqual({
        title: 'Invitation already accepted',
        heading: 'Invitation already accepted',
        text: 'This invitation was already accepted. Sign in with the password you chose, or reset it.',
      });
      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });

  it('registers through the hosted page, then confirms the email from the verification link', async () => {
    const email = `${unique('grace')}@example.com`;
    const { context, page, requests } = await openClient();
    try {
      const opened = await page.goto(`${t.baseUrl}/self-service/register?pool=${pool}`);
      expect(opened?.status()).toBe(200);
      expect(await formState(page)).toEqual({ title: 'Create your account', heading: 'Create your account', alert: null, forms: 1 });
      await expect(page.locator('p.sub').textContent()).resolves.toBe('in Customers');
      expect(await field(page, 'Email')).toEqual({ invalid: null, describedBy: null, focused: true, value: '' });
      await expect(page.getByLabel('Email').getAttribute('autocomplete')).resolves.toBe('email');
      await expect(page.getByLabel('Password').getAttribute('autocomplete')).resolves.toBe('new-password');
      await expect(page.locator('#password-hint').textContent()).resolves.toContain(HINT);
      await screenshot(page, 'register.png');

      // Two mistakes: both are named, both fields marked, the first one focused, the rest kept.
      await page.getByLabel('Email').fill('grace@');
      await page.getByLabel('Password').fill('short');
      await page.getByLabel('Given name').fill('Grace');
      const refused = await submitForm(page, 'Create my account');
      expect(refused.status()).toBe(400);
      expect(await formState(page)).toEqual({
        title: 'Create your account – error',
        heading: 'Create your account',
        alert: `Email must be an email address. ${TOO_SHORT}`,
        forms: 1,
      });
      expect(await field(page, 'Email')).toEqual({ invalid: 'true', describedBy: 'form-error', focused: true, value: 'grace@' });
      expect(await field(page, 'Password')).toEqual({ invalid: 'true', describedBy: 'form-error password-hint', focused: false, value: '' });
      expect(await field(page, 'Given name')).toEqual({ invalid: null, describedBy: null, focused: false, value: 'Grace' });

      await page.getByLabel('Email').fill(email);
      await page.getByLabel('Password').fill(PASSWORD);
      const registered = await submitForm(page, 'Create my account');
      expect(registered.status()).toBe(200);
      expect(await message(page)).toEqual({ title: 'Check your email', heading: 'Check your email', text: `We sent a message to ${email}. Follow the link in it to continue.` });
      expect(await userByEmail(email)).toMatchObject({ status: 'pending_verification', emailVerified: false, givenName: 'Grace' });

      // The link only shows a button: opening it (as mail scanners do) confirms nothing.
      const link = await linkFromEmail(email, '/self-service/verify-email');
      const confirm = await page.goto(link);
      expect(confirm?.status()).toBe(200);
      expect(await formState(page)).toEqual({ title: 'Confirm your email', heading: 'Confirm your email', alert: null, forms: 1 });
      await screenshot(page, 'verify-email.png');
      expect((await userByEmail(email)).status).toBe('pending_verification');

      const confirmed = await submitForm(page, 'Confirm my email');
      expect(confirmed.status()).toBe(200);
      expect(await message(page)).toMatchObject({ title: 'Email confirmed', heading: 'Email confirmed' });
      expect(await userByEmail(email)).toMatchObject({ status: 'active', emailVerified: true });
      await expect(canSignIn(email, PASSWORD)).resolves.toBe(true);
      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });

  it('resets a password from the emailed link, which then reads as already used', async () => {
    const email = `${unique('alan')}@example.com`;
    await createUser(t, ws, pool, { email, credential: { mode: 'password', password: PASSWORD } });
    const { context, page, requests, ip } = await openClient();
    try {
      await t.http.post('/v1/self-service/password-resets').set('X-Forwarded-For', ip).send({ poolId: pool, email }).expect(202);
      const link = await linkFromEmail(email, '/self-service/reset-password');
      const opened = await page.goto(link);
      expect(opened?.status()).toBe(200);
      expect(await formState(page)).toEqual({ title: 'Choose a new password', heading: 'Choose a new password', alert: null, forms: 1 });
      expect(await field(page, 'New password')).toEqual({ invalid: null, describedBy: 'password-hint', focused: true, value: '' });
      await expect(page.locator('#password-hint').textContent()).resolves.toContain(HINT);
      await screenshot(page, 'reset-password.png');

      // Refused: the hint still states the pool's rule.
      await page.getByLabel('New password').fill('short');
      const refused = await submitForm(page, 'Change my password');
      expect(refused.status()).toBe(400);
      expect(await formState(page)).toEqual({ title: 'Choose a new password – error', heading: 'Choose a new password', alert: TOO_SHORT, forms: 1 });
      expect(await field(page, 'New password')).toEqual({ invalid: 'true', describedBy: 'form-error password-hint', focused: true, value: '' });
      await expect(page.locator('#password-hint').textContent()).resolves.toContain(HINT);

      const newPassword = 'a brand new passphrase';
      await page.getByLabel('New password').fill(newPassword);
      const changed = await submitForm(page, 'Change my password');
      expect(changed.status()).toBe(200);
      expect(await message(page)).toMatchObject({ title: 'Password changed', heading: 'Password changed' });
      await expect(canSignIn(email, newPassword)).resolves.toBe(true);
      await expect(canSignIn(email, PASSWORD)).resolves.toBe(false);

      const reopened = await page.goto(link);
      expect(reopened?.status()).toBe(410);
      expect(await message(page)).toEqual({
        title: 'Link already used',
        heading: 'Link already used',
        text: 'This link was already used. Request a new one if you still need it.',
      });
      await expect(page.locator('form').count()).resolves.toBe(0);
      await screenshot(page, 'link-already-used.png');
      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });
});
