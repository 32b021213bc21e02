import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import * as oidc from 'openid-client';
import { Browser, Page, Response } from 'playwright-core';
import { connectPool, createPool, createUser, createWorkspace, pkceAuthorization } from '../factories';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';
import { escapeRegExp, expectOnlyLoopback, isFocused, launchChromium, openBrowser, screenshot, submitForm , startCallbackServer } from './support/chromium';

/**
 * The hosted login page in a real browser (Debian's headless Chromium, see
 * support/chromium.ts). The application's redirect URI is a tiny local server, so the
 * browser lands on a real page at the end of the flow.
 */

const PASSWORD = 'correct horse battery';
/** What the page says for every refused sign-in (interaction.controller.ts). */
const REFUSED = 'The email, mobile number or password is incorrect, or this account cannot sign in right now.';
const LOCKOUT_ATTEMPTS = 3;

describe('hosted login page in Chromium', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let callback: Server;
  let redirectUri: string;
  let ws: string;
  let pool: string;
  let issuer: string;
  let config: oidc.Configuration;
  let applicationName: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    [t, browser, callback] = await Promise.all([startTestApp({ SMTP_URL: smtp.url }, { listen: true }), launchChromium(), startCallbackServer()]);
    redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { lockout: { maxFailedAttempts: LOCKOUT_ATTEMPTS, durationSeconds: 600 } })).id;
    await connectPool(t, ws, pool);
    // Fixed names (the database is this file's own), so the screenshots only change when the page does.
    applicationName = 'Acme Portal';
    const app = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: applicationName, redirectUris: [redirectUri], grantTypes: ['authorization_code'] })
      .expect(201);
    issuer = `${t.baseUrl}/oidc/${ws}`;
    config = await oidc.discovery(new URL(issuer), app.body.clientId, undefined, oidc.ClientSecretBasic(app.body.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close(), smtp?.stop(), callback && new Promise((resolve) => callback.close(resolve))]);
  });

  /** An authorization request with PKCE, as a relying party would build it. */
  const authorization = () => pkceAuthorization(config, { redirect_uri: redirectUri, scope: 'openid email' });

  /** Fills the form and submits it; resolves with the response to the POST. */
  async function submit(page: Page, identifier: string, password: string): Promise<Response> {
    await page.getByLabel('Email or mobile number').fill(identifier);
    await page.getByLabel('Password').fill(password);
    return submitForm(page, 'Sign in');
  }

  /** The page after a refusal: its status, the alert, and whether the form is still usable and says what happened. */
  async function refusal(page: Page, response: Response) {
    const alert = page.getByRole('alert');
    await expect(alert.count()).resolves.toBe(1);
    const identifier = page.getByLabel('Email or mobile number');
    const password = page.getByLabel('Password');
    return {
      status: response.status(),
      alert: (await alert.textContent())?.trim(),
      title: await page.title(),
      formMethod: await page.locator('form').getAttribute('method'),
      password: await password.inputValue(),
      describedBy: [await identifier.getAttribute('aria-describedby'), await password.getAttribute('aria-describedby')],
      invalid: [await identifier.getAttribute('aria-invalid'), await password.getAttribute('aria-invalid')],
      // Ready to type the password again.
      focused: (await isFocused(page, 'Password')) ? 'password' : (await isFocused(page, 'Email or mobile number')) ? 'identifier' : null,
    };
  }

  it('shows an accessible login form, refuses a wrong password with the generic message, then signs in and lands on the callback', async () => {
    const user = await createUser(t, ws, pool, { email: 'ada@example.com' });
    const { context, page, requests } = await openBrowser(browser);
    try {
      const { url, verifier, state } = await authorization();
      await page.goto(url.href);

      // The login page of this workspace's issuer, served by the app itself.
      expect(page.url()).toMatch(new RegExp(`^${escapeRegExp(issuer)}/interaction/[^/]+$`));
      expect(await page.title()).toBe('Sign in');
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Sign in');
      await expect(page.locator('p.sub').textContent()).resolves.toContain(applicationName);
      const form = page.locator('form');
      await expect(form.count()).resolves.toBe(1);
      expect((await form.getAttribute('method'))?.toLowerCase()).toBe('post');
      const identifier = page.getByLabel('Email or mobile number');
      const password = page.getByLabel('Password');
      await expect(identifier.getAttribute('name')).resolves.toBe('identifier');
      await expect(password.getAttribute('name')).resolves.toBe('password');
      await expect(password.getAttribute('type')).resolves.toBe('password');
      await expect(identifier.getAttribute('autocomplete')).resolves.toBe('username');
      await expect(password.getAttribute('autocomplete')).resolves.toBe('current-password');
      await expect(page.getByRole('alert').count()).resolves.toBe(0);
      await expect(identifier.getAttribute('aria-invalid')).resolves.toBeNull();
      await expect(password.getAttribute('aria-invalid')).resolves.toBeNull();
      // autofocus: the first field is ready for typing.
      await expect(isFocused(page, 'Email or mobile number')).resolves.toBe(true);
      await screenshot(page, 'login.png');

      // Wrong password: the same page again, with the one generic message; both fields are
      // marked invalid (it never says which), the title says so, the password has the focus.
      const refused = await refusal(page, await submit(page, user.email, 'not the password'));
      expect(refused).toEqual({
        status: 401,
        alert: REFUSED,
        title: 'Sign in – error',
        formMethod: 'post',
        password: '',
        describedBy: ['form-error', 'form-error'],
        invalid: ['true', 'true'],
        focused: 'password',
      });
      await expect(identifier.inputValue()).resolves.toBe(user.email);
      await screenshot(page, 'login-error.png');

      // The right password: the issuer sends the browser to the application's callback.
      const done = await submit(page, user.email, PASSWORD);
      expect(done.status()).toBe(303);
      await page.waitForURL((u) => u.href.startsWith(redirectUri));
      const landed = new URL(page.url());
      expect(landed.searchParams.get('code')).toBeTruthy();
      expect(landed.searchParams.get('state')).toBe(state);
      expect(landed.searchParams.get('iss')).toBe(issuer);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Callback reached');

      const tokens = await oidc.authorizationCodeGrant(config, landed, { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.claims()).toMatchObject({ iss: issuer, sub: user.id, email: user.email });

      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });

  it('shows an unknown or a locked account exactly the message of a wrong password', async () => {
    const user = await createUser(t, ws, pool);
    const { context, page, requests } = await openBrowser(browser);
    try {
      await page.goto((await authorization()).url.href);
      const wrong = await refusal(page, await submit(page, user.email, 'not the password'));
      expect(wrong.alert).toBe(REFUSED);

      const unknown = await refusal(page, await submit(page, `nobody-${user.email}`, PASSWORD));
      expect(unknown).toEqual(wrong);

      // The pool locks the account after its failed attempts; then even the right password
      // reads the same.
      for (let attempt = 1; attempt < LOCKOUT_ATTEMPTS; attempt++) await submit(page, user.email, 'still not it');
      const locked = await refusal(page, await submit(page, user.email, PASSWORD));
      expect(locked).toEqual(wrong);
      const state = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200);
      expect(state.body.lockedUntil).not.toBeNull();

      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });

  it('leads from "Forgot your password?" to the emailed link and back to the same sign-in, which then takes the new password', async () => {
    const user = await createUser(t, ws, pool, { email: 'grace@example.com' });
    const { context, page, requests } = await openBrowser(browser);
    try {
      await page.goto((await authorization()).url.href);
      const loginUrl = page.url();
      await page.getByRole('link', { name: 'Forgot your password?' }).click();
      await page.waitForURL(`${loginUrl}/forgot-password`);
      expect(await page.title()).toBe('Reset your password');
      await expect(isFocused(page, 'Email')).resolves.toBe(true);
      await page.getByLabel('Email').fill(user.email);
      await screenshot(page, 'forgot-password.png');

      const sent = await submitForm(page, 'Send me a link');
      expect(sent.status()).toBe(200);
      await expect(page.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Check your email');

      // The emailed link, opened beside the sign-in (as from a mail client).
      const mail = await smtp.waitFor((m) => m.to.includes(user.email) && /Reset your/.test(m.subject));
      const link = mail.links.find((l) => l.includes('/self-service/reset-password?token='))!;
      const mailTab = await context.newPage();
      await mailTab.goto(link);
      await mailTab.getByLabel('New password').fill('a brand new passphrase');
      expect((await submitForm(mailTab, 'Change my password')).status()).toBe(200);
      await expect(mailTab.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Password changed');

      await page.getByRole('link', { name: 'Back to sign in' }).click();
      await page.waitForURL(loginUrl);
      const done = await submit(page, user.email, 'a brand new passphrase');
      expect(done.status()).toBe(303);
      await page.waitForURL((u) => u.href.startsWith(redirectUri));
      expect(new URL(page.url()).searchParams.get('code')).toBeTruthy();

      expectOnlyLoopback(requests);
    } finally {
      await context.close();
    }
  });
});
