import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { Browser, Page } from 'playwright-core';
import { loginPageSecurityHeaders } from '../../src/auth/interaction/login-page';
import { connectPool, createPool, createUser, createWorkspace, pkceAuthorization, unique } from '../factories';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';
import { BrowserSession, launchChromium, openBrowser, randomClientIp, startCallbackServer, submitForm } from './support/chromium';

/**
 * The hosted pages' small print, in Debian's headless Chromium: what a browser does to a
 * pasted password, what a password manager saves it under, what a phone shows of a long
 * address, where a GET on the login form's post address goes, and the headers that keep
 * the forms from being sent anywhere else.
 */
const MAX_LENGTH = 200;
/** Longer than the 128 the inputs used to cut pasted passwords to. */
const LONG_PASSWORD = 'correct horse battery staple '.repeat(6).slice(0, 150);

describe('hosted pages in Chromium: passwords, phones, the login post, headers', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let callback: Server;
  let redirectUri: string;
  let ws: string;
  let pool: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    [t, browser, callback] = await Promise.all([startTestApp({ SMTP_URL: smtp.url, TRUST_PROXY: '1' }, { listen: true }), launchChromium(), startCallbackServer()]);
    redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { passwordPolicy: { minLength: 10, maxLength: MAX_LENGTH }, selfRegistration: { enabled: true } })).id;
    await connectPool(t, ws, pool);
    const app = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: 'Acme Portal', redirectUris: [redirectUri], grantTypes: ['authorization_code'] })
      .expect(201);
    config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.body.clientId, undefined, oidc.ClientSecretBasic(app.body.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close(), callback && new Promise((resolve) => callback.close(resolve))]);
    await smtp?.stop();
  });

  /** A fresh profile with a client address of its own (per-IP counters outlast a run in the shared Redis). */
  const openClient = (): Promise<BrowserSession> => openBrowser(browser, { forwardedFor: randomClientIp() });

  /** Invites `email` and returns the link of the invitation email. */
  async function invitationLink(email: string): Promise<string> {
    await createUser(t, ws, pool, { email, credential: { mode: 'invitation' } });
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.links.some((l) => l.includes('/self-service/accept-invitation')));
    return mail.links.find((l) => l.includes('/self-service/accept-invitation'))!;
  }

  /** Opens the login page of a fresh authorization request; resolves with its URL and its CSP. */
  async function openLoginPage(page: Page): Promise<{ url: string; csp?: string }> {
    const { url } = await pkceAuthorization(config, { redirect_uri: redirectUri, scope: 'openid email' });
    const shown = await page.goto(url.href);
    expect(await page.title()).toBe('Sign in');
    return { url: page.url(), csp: shown?.headers()['content-security-policy'] };
  }

  /** Whether the page or its card is wider than it shows (a horizontal scroll bar on a phone). */
  async function overflows(page: Page): Promise<boolean> {
    const wider = (selector: string) => page.locator(selector).evaluate((el) => el.scrollWidth > el.clientWidth);
    return (await wider('html')) || (await wider('main'));
  }

  it('keeps a pasted 150-character password whole, saves it under the invited address, and signs in with it', async () => {
    const email = `${unique('ada')}@example.com`;
    const link = await invitationLink(email);
    const { context, page } = await openClient();
    try {
      const opened = await page.goto(link);
      expect(opened?.headers()['x-content-type-options']).toBe('nosniff');
      // The forms here post to their own page, which answers with a page: nowhere else to allow.
      expect(opened?.headers()['content-security-policy']).toMatch(/; form-action 'self'$/);
      for (const label of ['Choose a password', 'Given name', 'Family name']) await expect(page.getByLabel(label).getAttribute('maxlength')).resolves.toBeNull();

      // The account a password manager files the new password under: in the form, unseen, not sent.
      const account = page.locator('form input[autocomplete="username"]');
      await expect(account.inputValue()).resolves.toBe(email);
      await expect(account.getAttribute('readonly')).resolves.not.toBeNull();
      await expect(account.getAttribute('name')).resolves.toBeNull();
      await expect(account.isVisible()).resolves.toBe(false);
      await expect(page.getByRole('textbox', { name: email }).count()).resolves.toBe(0);

      await page.getByLabel('Choose a password').fill(LONG_PASSWORD);
      await expect(page.getByLabel('Choose a password').inputValue()).resolves.toHaveLength(150);
      expect((await submitForm(page, 'Create my account')).status()).toBe(200);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your account is ready');
    } finally {
      await context.close();
    }

    // The whole password signs in on the login page, whose post then redirects to the application.
    const login = await openClient();
    try {
      const { csp } = await openLoginPage(login.page);
      await login.page.getByLabel('Email or mobile number').fill(email);
      await login.page.getByLabel('Password').fill(LONG_PASSWORD);
      await submitForm(login.page, 'Sign in');
      await login.page.waitForURL((u) => u.href.startsWith(redirectUri), { timeout: 5000 });
      expect(new URL(login.page.url()).searchParams.get('code')).toBeTruthy();
      // Chromium checks form-action on those redirects too: the application's origin is allowed.
      expect(csp).toMatch(new RegExp(`; form-action 'self' ${new URL(redirectUri).origin}$`));
    } finally {
      await login.context.close();
    }
  });

  it("says the pool's limits for a password and a name that are too long, instead of cutting them", async () => {
    const link = await invitationLink(`${unique('grace')}@example.com`);
    const { context, page } = await openClient();
    try {
      await page.goto(link);
      await page.getByLabel('Choose a password').fill('p'.repeat(MAX_LENGTH + 1));
      await page.getByLabel('Given name').fill('g'.repeat(201));
      expect((await submitForm(page, 'Create my account')).status()).toBe(400);
      const alert = await page.getByRole('alert').textContent();
      expect(alert).toContain(`Password must be at most ${MAX_LENGTH} characters.`);
      expect(alert).toContain('must be 1 to 200 characters long');
      await expect(page.getByLabel('Given name').inputValue()).resolves.toHaveLength(201);
    } finally {
      await context.close();
    }
  });

  it('wraps a 60-character address inside the card on a 375 px phone', async () => {
    const local = unique('a-very-long-mailbox-name');
    const email = `${local}${'x'.repeat(60 - local.length - '@example.com'.length)}@example.com`;
    expect(email).toHaveLength(60);
    const link = await invitationLink(email);
    const { context, page } = await openClient();
    try {
      await page.setViewportSize({ width: 375, height: 740 });
      await page.goto(link);
      await expect(page.locator('p.sub strong').textContent()).resolves.toBe(email);
      await expect(overflows(page)).resolves.toBe(false);
    } finally {
      await context.close();
    }
  });

  it('sends a GET on the login post address back to the form, or to why the sign-in ended, with the way out', async () => {
    const { context, page } = await openClient();
    try {
      const { url: loginUrl } = await openLoginPage(page);
      // As after a refused password: the address bar shows the post address; opening it again is a GET.
      const again = await page.goto(`${loginUrl}/login`);
      expect(again?.request().redirectedFrom()?.url()).toBe(`${loginUrl}/login`);
      expect((await again?.request().redirectedFrom()?.response())?.status()).toBe(303);
      expect(again?.status()).toBe(200);
      expect(page.url()).toBe(loginUrl);
      await expect(page.getByLabel('Email or mobile number').count()).resolves.toBe(1);

      const ended = await page.goto(`${t.baseUrl}/oidc/${ws}/interaction/no-such-sign-in/login`);
      expect(ended?.status()).toBe(400);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign-in expired');
      await expect(page.locator('main p').textContent()).resolves.toBe('This sign-in page has expired. Go back to the application you came from and start signing in again.');
    } finally {
      await context.close();
    }
  });
});

describe('the login page allows its form to end at the redirect URI, and only there', () => {
  const formAction = (redirectUri: unknown) => / form-action (.*)$/.exec(loginPageSecurityHeaders(redirectUri)['Content-Security-Policy'])?.[1] ?? null;

  it.each([
    ['https://app.example.com/callback?x=1', "'self' https://app.example.com"],
    ['http://127.0.0.1:8080/cb', "'self' http://127.0.0.1:8080"],
    // An app's own scheme: a CSP scheme-source.
    ['com.example.app:/callback', "'self' com.example.app:"],
    // What CSP cannot write leaves form-action out rather than break the sign-in.
    ['http://[::1]:8080/cb', null],
    [undefined, null],
  ])('%s → %s', (redirectUri, expected) => {
    expect(formAction(redirectUri)).toBe(expected);
  });
});
