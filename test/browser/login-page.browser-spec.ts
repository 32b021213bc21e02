import { mkdirSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { Browser, BrowserContext, chromium, Page, Response } from 'playwright-core';
import { createPool, createUser, createWorkspace } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The hosted login page in a real browser: Debian's Chromium (/usr/bin/chromium, never a
 * downloaded one), headless, driven by playwright-core. The application's redirect URI is
 * a tiny local server, so the browser lands on a real page at the end of the flow.
 */
const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  // On a closed network these keep Chromium from calling home (updates, sync, field trials).
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const SCREENSHOTS = join(__dirname, '..', '..', 'docs', 'screenshots');
const VIEWPORT = { width: 800, height: 640 };

const PASSWORD = 'correct horse battery';
/** What the page says for every refused sign-in (interaction.controller.ts). */
const REFUSED = 'The email, mobile number or password is incorrect, or this account cannot sign in right now.';
const LOCKOUT_ATTEMPTS = 3;

describe('hosted login page in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let callback: Server;
  let redirectUri: string;
  let ws: string;
  let pool: string;
  let issuer: string;
  let config: oidc.Configuration;
  let applicationName: string;

  beforeAll(async () => {
    // chromium.launch gives every run a fresh, temporary user-data dir (removed on close).
    [t, browser, callback] = await Promise.all([
      startTestApp({}, { listen: true }),
      chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS }),
      startCallbackServer(),
    ]);
    redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { lockout: { maxFailedAttempts: LOCKOUT_ATTEMPTS, durationSeconds: 600 } })).id;
    await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: pool, signInMethods: ['password'] }).expect(201);
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
    await Promise.all([browser?.close(), t?.close(), callback && new Promise((resolve) => callback.close(resolve))]);
  });

  /** A fresh browser profile (no cookies) that records every request it makes. */
  async function openBrowser(): Promise<{ context: BrowserContext; page: Page; requests: string[] }> {
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', locale: 'en-US' });
    const requests: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    return { context, page: await context.newPage(), requests };
  }

  /** An authorization request with PKCE, as a relying party would build it. */
  async function authorization() {
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: redirectUri,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
    });
    return { url, verifier, state };
  }

  /** Fills the form and submits it; resolves with the response to the POST. */
  async function submit(page: Page, identifier: string, password: string): Promise<Response> {
    await page.getByLabel('Email or mobile number').fill(identifier);
    await page.getByLabel('Password').fill(password);
    const [response] = await Promise.all([
      page.waitForResponse((r) => r.request().method() === 'POST' && r.url().includes('/interaction/')),
      page.getByRole('button', { name: 'Sign in' }).click(),
    ]);
    await page.waitForLoadState('load');
    return response;
  }

  /** The page after a refusal: its status, the alert, and whether the form is still usable. */
  async function refusal(page: Page, response: Response) {
    const alert = page.getByRole('alert');
    await expect(alert.count()).resolves.toBe(1);
    return {
      status: response.status(),
      alert: (await alert.textContent())?.trim(),
      title: await page.title(),
      formMethod: await page.locator('form').getAttribute('method'),
      password: await page.getByLabel('Password').inputValue(),
      describedBy: await page.getByLabel('Password').getAttribute('aria-describedby'),
    };
  }

  function expectOnlyLoopback(requests: string[]) {
    expect(requests.length).toBeGreaterThan(0);
    const elsewhere = requests.filter((url) => !/^(data|about|blob):/.test(url) && new URL(url).hostname !== '127.0.0.1');
    expect(elsewhere).toEqual([]);
  }

  it('shows an accessible login form, refuses a wrong password with the generic message, then signs in and lands on the callback', async () => {
    const user = await createUser(t, ws, pool, { email: 'ada@example.com' });
    const { context, page, requests } = await openBrowser();
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
      // autofocus: the first field is ready for typing.
      await expect(identifier.evaluate((el) => el === el.ownerDocument.activeElement)).resolves.toBe(true);
      await screenshot(page, 'login.png');

      // Wrong password: the same page again, with the one generic message.
      const refused = await refusal(page, await submit(page, user.email, 'not the password'));
      expect(refused).toEqual({ status: 401, alert: REFUSED, title: 'Sign in', formMethod: 'post', password: '', describedBy: 'form-error' });
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
    const { context, page, requests } = await openBrowser();
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
});

/** The application's redirect URI: answers /callback with a small page, anything else 404. */
async function startCallbackServer(): Promise<Server> {
  const server = createServer((req, res) => {
    if (new URL(req.url ?? '/', 'http://127.0.0.1').pathname === '/callback') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<!doctype html><html lang="en"><head><title>Callback</title></head><body><h1>Callback reached</h1></body></html>');
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, name), fullPage: true, animations: 'disabled', caret: 'hide' });
}

function escapeRegExp(value: string): string {
  return value.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
