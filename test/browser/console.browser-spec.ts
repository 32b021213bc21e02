import { readdirSync, readFileSync } from 'node:fs';
import { Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import * as oidc from 'openid-client';
import { Browser, BrowserContext, Locator } from 'playwright-core';
import { pkceAuthorization } from '../factories';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';
import { buildConsole } from './support/console';
import { expectOnlyLoopback, launchChromium, screenshot, submitForm , startCallbackServer } from './support/chromium';

/**
 * The admin console, walked end to end as a new admin follows the guide, against the real
 * service in Debian's headless Chromium: sign in with the root key, create a workspace and
 * a pool, add a user by invitation (accepted from the real email) and one with a
 * password, adjust the pool, migrate a file, group the users, connect the pool, create an
 * application, then sign in as each user through the hosted login page. Every step is a
 * screenshot in docs/screenshots/console-*.png (shown in the README).
 */

const ADA = { email: 'ada@example.com', given: 'Ada', family: 'Lovelace', password: 'analytical engine 1843' };
const GRACE = { email: 'grace@example.com', given: 'Grace', family: 'Hopper', password: 'correct horse battery' };
/** A laptop screen. */
const VIEWPORT = { width: 1280, height: 800 };

describe('admin console in Chromium', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let browser: Browser;
  let callback: Server;
  let redirectUri: string;
  let built: ReturnType<typeof buildConsole>;

  beforeAll(async () => {
    // Compiled the way `npm run build` does, into a folder of this run's own (a fresh clone has no dist/).
    built = buildConsole();
    smtp = await new SmtpSink().start();
    [t, browser, callback] = await Promise.all([
      startTestApp({ SMTP_URL: smtp.url, CONSOLE_DIR: built.dir }, { listen: true }),
      launchChromium(),
      startCallbackServer(),
    ]);
    redirectUri = `http://127.0.0.1:${(callback.address() as AddressInfo).port}/callback`;
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close(), callback && new Promise((resolve) => callback.close(resolve))]);
    await smtp?.stop();
    built?.remove();
  });

  it('has no HTML-parsing sink in its source: every value is rendered as text', () => {
    const dir = join(__dirname, '..', '..', 'src', 'console');
    const sources = [...readdirSync(dir), ...readdirSync(join(dir, 'views')).map((f) => `views/${f}`)].filter((f) => f.endsWith('.ts'));
    expect(sources.length).toBeGreaterThan(5);
    for (const file of sources) {
      const code = readFileSync(join(dir, file), 'utf8')
        .replace(/\/\*[\s\S]*?\*\//g, '')
        .replace(/^\s*\/\/.*$/gm, '');
      expect({ file, sinks: code.match(/innerHTML|outerHTML|insertAdjacentHTML|document\.write|eval\(|new Function/g) }).toEqual({ file, sinks: null });
    }
  });

  it('serves the console under a strict CSP, without the API key, and a plain 404 for anything else', async () => {
    const page = await t.http.get('/console/').expect(200);
    expect(page.headers['content-type']).toMatch(/^text\/html/);
    expect(page.headers['content-security-policy']).toBe(
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
    );
    expect(page.text).not.toMatch(/<script>|<style|\son\w+=|style=/);
    await t.http.get('/console').expect(301).expect('Location', '/console/');
    const module = await t.http.get('/console/main.js').expect(200);
    expect(module.headers['content-type']).toMatch(/javascript/);
    await t.http.get('/console/console.css').expect(200).expect('Content-Type', /text\/css/);
    await t.http.get('/console/nothing-here.js').expect(404).expect('Content-Type', /text\/plain/);
    // A POST is not parsed as JSON nor checked for a key: the console's routes are files.
    await t.http.post('/console/').set('Content-Type', 'application/json').send('{').expect(404);
  });

  it('walks the guide: workspace, pool, users, settings, migration, groups, sign-in, applications', async () => {
    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', locale: 'en-US' });
    const requests: string[] = [];
    const problems: string[] = [];
    context.on('request', (request) => requests.push(request.url()));
    const page = await context.newPage();
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    // The API's expected refusals (401, 409, 400) log "Failed to load resource"; anything else is a fault,
    // and so is any of the console's own files failing (a CSP block, a missing module).
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && problems.push(`console: ${message.text()}`));
    page.on('response', (response) => !response.url().includes('/v1/') && response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
    const main = page.locator('main');
    const heading = () => page.getByRole('heading', { level: 1 });
    const shot = async (name: string) => {
      // Let focus rings and live text settle, so reruns compare.
      await page.waitForTimeout(150);
      await screenshot(page, `console-${name}.png`);
    };

    try {
      // 1. Sign in with the root key. A wrong key first: the API's answer, next to the form.
      await page.goto(`${t.baseUrl}/console`);
      await page.getByRole('heading', { name: 'Sign in to the console', level: 1 }).waitFor();
      expect(await isFocused(page.getByLabel('API key'))).toBe(true);
      await page.getByLabel('API key').fill(ROOT_KEY);
      await shot('sign-in');
      await page.getByLabel('API key').fill('not-a-key-at-all-0123456789abcdef');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await expect(page.getByRole('alert').locator('.problem-title').textContent()).resolves.toBe('This key was not accepted');
      await expect(page.getByLabel('API key').getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(isFocused(page.getByLabel('API key'))).resolves.toBe(true);
      await page.getByLabel('API key').fill(ROOT_KEY);
      await page.getByRole('button', { name: 'Sign in' }).click();

      // 2. The root key: the workspace picker, with creation.
      await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
      // A new screen puts the focus on its heading, so Tab goes on into the screen; from the top
      // of the page, the first Tab is a skip link past the header.
      await expect(isFocused(heading())).resolves.toBe(true);
      await page.keyboard.press('Tab');
      expect(await isFocused(page.getByLabel('Name'))).toBe(true);
      await page.reload();
      await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
      await page.keyboard.press('Tab');
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Skip to content');
      await page.keyboard.press('Enter');
      await expect(page.evaluate('document.activeElement.id')).resolves.toBe('main');
      await expect(main.textContent()).resolves.toContain('There is no workspace yet');
      await page.getByLabel('Name').fill('Acme Corp');
      await page.getByLabel('Description').fill('Production tenant');
      await shot('workspaces');
      await page.getByRole('button', { name: 'Create workspace' }).click();

      // 3. Users → Create pool: it appears, ready to add users, with the security note.
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      const ws = new URL(page.url()).hash.split('/')[2];
      await expect(page.locator('header').textContent()).resolves.toContain('Acme Corp');
      await page.getByLabel('Name').fill('Customers');
      await page.getByLabel('Description').fill('Accounts of the customer portal');
      await page.getByRole('button', { name: 'Create pool' }).click();
      await main.getByText('Pool Customers created. It is ready to add users.').waitFor();
      const poolItem = page.locator('.pool-list > li', { hasText: 'Customers' });
      await expect(poolItem.textContent()).resolves.toContain('Ready to add users');
      await expect(poolItem.getByRole('note').textContent()).resolves.toContain('Users cannot access applications until the pool is connected');
      await shot('pools');
      // The same name again: the 409 problem, by the form.
      await page.getByLabel('Name').fill('customers');
      await page.getByRole('button', { name: 'Create pool' }).click();
      const conflict = page.getByRole('alert');
      await expect(conflict.locator('.problem-title').textContent()).resolves.toBe('Conflict');
      await expect(conflict.textContent()).resolves.toContain('A pool with this name already exists');
      await expect(page.getByLabel('Name').getAttribute('aria-invalid')).resolves.toBe('true');

      // 4. Pool → Users → Create user: one by invitation, one with a password.
      await poolItem.getByRole('link', { name: 'Customers', exact: true }).click();
      await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
      const pool = new URL(page.url()).hash.split('/')[4];
      await page.getByRole('button', { name: 'Create user', expanded: false }).click();
      const createPanel = page.getByRole('region', { name: 'Create user' });
      await createPanel.getByLabel('Email').fill(ADA.email);
      await createPanel.getByLabel('Given name').fill(ADA.given);
      await createPanel.getByLabel('Family name').fill(ADA.family);
      await expect(createPanel.getByLabel('Send invitation').isChecked()).resolves.toBe(true);
      await shot('create-user');
      await createPanel.getByRole('button', { name: 'Create user' }).click();
      await createPanel.getByText(`An invitation email is on its way to ${ADA.email}`).waitFor();

      await createPanel.getByLabel('Email').fill(GRACE.email);
      await createPanel.getByLabel('Given name').fill(GRACE.given);
      await createPanel.getByLabel('Family name').fill(GRACE.family);
      await createPanel.getByLabel('Set a password').check();
      // Too short for the pool's policy: the field says so, marked and focused.
      await createPanel.getByLabel('Password', { exact: true }).fill('short');
      await createPanel.getByRole('button', { name: 'Create user' }).click();
      const passwordInput = createPanel.getByLabel('Password', { exact: true });
      await createPanel.getByRole('alert').waitFor();
      await expect(passwordInput.getAttribute('aria-invalid')).resolves.toBe('true');
      await expect(isFocused(passwordInput)).resolves.toBe(true);
      const described = (await passwordInput.getAttribute('aria-describedby'))!.split(' ');
      const fieldMessage = await page.locator(`#${described.find((id) => id.endsWith('-error'))}`).textContent();
      expect(fieldMessage).toMatch(/^Password must be at least 8 characters/);
      await shot('create-user-error');
      await passwordInput.fill(GRACE.password);
      await createPanel.getByRole('button', { name: 'Create user' }).click();
      await createPanel.getByText('The user is active and can sign in now.').waitFor();
      await createPanel.getByRole('button', { name: 'Close' }).click();

      const usersTable = page.locator('table', { has: page.locator('caption', { hasText: 'Users of Customers' }) });
      await usersTable.getByRole('link', { name: 'Grace Hopper' }).waitFor();
      await expect(rowText(usersTable, 'Ada Lovelace')).resolves.toMatch(/Invited/);
      await expect(rowText(usersTable, 'Grace Hopper')).resolves.toMatch(/Active/);

      // Ada accepts the invitation from her email, on the hosted page.
      const mail = await smtp.waitFor((m) => m.to.includes(ADA.email) && m.links.some((l) => l.includes('/self-service/accept-invitation')));
      const link = mail.links.find((l) => l.includes('/self-service/accept-invitation'))!;
      const invitationPage = await context.newPage();
      await invitationPage.goto(link);
      await invitationPage.getByLabel('Choose a password').fill(ADA.password);
      await submitForm(invitationPage, 'Create my account');
      await expect(invitationPage.getByRole('heading', { level: 1 }).textContent()).resolves.toBe('Your account is ready');
      await invitationPage.close();

      // Search finds her, now active; the list pages by cursor.
      await page.getByLabel('Search users').fill('ada');
      await main.getByText('Page 1: 1 user matching “ada”.').waitFor();
      await expect(rowText(usersTable, 'Ada Lovelace')).resolves.toMatch(/Active.*Accepted/);
      await page.getByLabel('Search users').fill('');
      await main.getByText('Page 1: 2 users.').waitFor();
      await shot('users');

      // 5. User detail: edit, disable and enable, the invitation's delivery, password, groups.
      await usersTable.getByRole('link', { name: 'Ada Lovelace' }).click();
      await page.getByRole('heading', { name: 'Ada Lovelace', level: 1 }).waitFor();
      const invitation = page.getByRole('region', { name: 'Invitation' });
      await expect(invitation.locator('.invitation-status').textContent()).resolves.toBe('Accepted');
      const profile = page.getByRole('region', { name: 'Profile' });
      await profile.getByLabel('Display name').fill('Ada King');
      await profile.getByLabel('Mobile').fill('+14155550100');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await profile.getByText('Profile saved.').waitFor();
      await page.getByRole('button', { name: 'Disable user' }).click();
      await page.getByRole('button', { name: 'Enable user' }).waitFor();
      await expect(page.getByRole('region', { name: 'Overview' }).textContent()).resolves.toContain('Disabled');
      await page.getByRole('button', { name: 'Enable user' }).click();
      await page.getByRole('button', { name: 'Disable user' }).waitFor();
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await page.getByText('Signed out everywhere: their sessions and refresh tokens have stopped working.').waitFor();
      await page.getByRole('button', { name: 'Email a reset link' }).click();
      await page.getByText(`A link to choose a new password is on its way to ${ADA.email}`).waitFor();
      await smtp.waitFor((m) => m.to.includes(ADA.email) && m.links.some((l) => l.includes('/self-service/reset-password?token=')));
      const adaUser = await userByEmail(t, ws, pool, ADA.email);
      expect(adaUser).toMatchObject({ status: 'active', name: 'Ada King', mobile: '+14155550100' });
      await shot('user');

      // Grace: the admin sets a new password, then the re-sent invitation (for an invited user) is followed live.
      await page.getByRole('link', { name: 'Customers' }).click();
      await page.getByRole('button', { name: 'Create user', expanded: false }).click();
      await createPanel.getByLabel('Email').fill('linus@example.com');
      await createPanel.getByRole('button', { name: 'Create user' }).click();
      await createPanel.getByText('An invitation email is on its way to linus@example.com').waitFor();
      await createPanel.getByRole('link', { name: 'Open user' }).click();
      await page.getByRole('heading', { name: 'linus@example.com', level: 1 }).waitFor();
      await page.getByRole('button', { name: 'Re-send invitation' }).click();
      await invitation.locator('.invitation-status', { hasText: 'Sent' }).waitFor({ timeout: 20_000 });
      await expect(page.getByRole('region', { name: 'Invitation' }).textContent()).resolves.toContain('links sent earlier stop working');
      await shot('user-invitation');
      // Set a password instead, then delete this user.
      const setPassword = page.getByRole('region', { name: 'Set password' });
      await setPassword.getByLabel('New password').fill('a password of my choosing');
      await setPassword.getByRole('button', { name: 'Set password' }).click();
      await setPassword.getByText(/Password set\. The user is active/).waitFor();
      await page.getByRole('button', { name: 'Delete user' }).click();
      await page.getByRole('button', { name: 'Yes, delete user' }).click();
      await page.getByRole('heading', { name: 'Customers', level: 1 }).waitFor();
      await expect(usersTable.textContent()).resolves.not.toContain('linus@example.com');

      // 6. Pool settings: self-registration with email verification, policies.
      await page.getByRole('navigation', { name: 'Customers pool' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByLabel('Let users sign up themselves').check();
      await expect(page.getByLabel('Require email verification').isEnabled()).resolves.toBe(true);
      await page.getByLabel('Minimum length').fill('10');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await main.getByText('Settings of Customers saved.').waitFor();
      await expect(page.getByLabel('Let users sign up themselves').isChecked()).resolves.toBe(true);
      await expect(page.getByLabel('Minimum length').inputValue()).resolves.toBe('10');
      await shot('pool-settings');
      // An invalid policy: the API's per-field messages, by the field.
      await page.getByLabel('Maximum length').fill('9');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await page.getByRole('alert').waitFor();
      await expect(page.getByLabel('Maximum length').getAttribute('aria-invalid')).resolves.toBe('true');
      await page.getByLabel('Maximum length').fill('128');
      await page.getByRole('button', { name: 'Save settings' }).click();
      await main.getByText('Settings of Customers saved.').waitFor();

      // 7. Migration: an NDJSON file, a progress bar with live counts, errors by line.
      await page.getByRole('navigation', { name: 'Customers pool' }).getByRole('link', { name: 'Migration' }).click();
      const ndjson = [
        { externalId: 'crm-1', email: 'carol@example.com', givenName: 'Carol', familyName: 'Shaw', password: 'carol has a long password', groups: ['imported'] },
        { externalId: 'crm-2', email: 'not-an-email', givenName: 'Broken' },
        { externalId: 'crm-3', email: 'dennis@example.com', givenName: 'Dennis', familyName: 'Ritchie' },
      ]
        .map((record) => JSON.stringify(record))
        .join('\n');
      await page.getByLabel('File of users').setInputFiles({ name: 'users.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${ndjson}\n`) });
      await page.getByRole('button', { name: 'Start import' }).click();
      await main.getByText('Completed with 1 error.').waitFor({ timeout: 30_000 });
      await expect(page.locator('progress').evaluate((el) => [(el as unknown as { value: number }).value, (el as unknown as { max: number }).max])).resolves.toEqual([3, 3]);
      const counts = await page.locator('dl.counts').textContent();
      expect(counts).toMatch(/Created\s*2/);
      expect(counts).toMatch(/Failed\s*1/);
      const errorsTable = page.locator('table', { has: page.locator('caption', { hasText: 'Records not imported' }) });
      await expect(rowText(errorsTable, 'crm-2')).resolves.toMatch(/^2\b/);
      await shot('migration');

      // 8. Groups: create, assign users from a searchable list across the pools, remove one.
      await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Groups' }).click();
      await page.getByRole('heading', { name: 'Groups', level: 1 }).waitFor();
      await page.getByLabel('Name').fill('admins');
      await page.getByLabel('Description').fill('Can manage the portal');
      await page.getByRole('button', { name: 'Create group' }).click();
      await main.getByText('Group admins created.').waitFor();
      await page.getByRole('button', { name: 'Assign users' }).click();
      const assign = page.getByRole('form', { name: 'Assign users to admins' });
      await assign.getByLabel(/^Carol Shaw/).waitFor();
      await assign.getByLabel('Find users').fill('a');
      await assign.getByRole('group', { name: 'Users matching “a”' }).waitFor();
      await assign.getByLabel(/^Ada King/).check();
      await assign.getByLabel('Find users').fill('gr');
      await assign.getByRole('group', { name: 'Users matching “gr”' }).waitFor();
      await assign.getByLabel(/^Grace Hopper/).check();
      await assign.getByLabel('Find users').fill('carol');
      await assign.getByRole('group', { name: 'Users matching “carol”' }).waitFor();
      await assign.getByLabel(/^Carol Shaw/).check();
      await expect(assign.getByRole('status').first().textContent()).resolves.toBe('3 users selected: Ada King, Grace Hopper, Carol Shaw.');
      await shot('assign-users');
      await assign.getByRole('button', { name: 'Save' }).click();
      await main.getByText('Added 3 to admins: Ada King, Grace Hopper, Carol Shaw.').waitFor();
      const members = page.locator('table', { has: page.locator('caption', { hasText: 'Members of admins' }) });
      await page.getByRole('button', { name: 'Remove Carol Shaw from admins' }).click();
      await main.getByText('Carol Shaw removed from admins.').waitFor();
      // The message comes first, the reloaded member list right after it.
      await members.locator('tbody tr', { hasText: 'Carol Shaw' }).waitFor({ state: 'detached' });
      await expect(members.locator('tbody tr').count()).resolves.toBe(2);
      await expect(members.textContent()).resolves.toMatch(/Ada King.*Grace Hopper|Grace Hopper.*Ada King/);
      await shot('groups');

      // 9. Authentication: connect the pool with password sign-in; create an application.
      await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Authentication' }).click();
      await page.getByRole('heading', { name: 'Authentication', level: 1 }).waitFor();
      await expect(main.textContent()).resolves.toContain('No pool is connected: nobody can sign in to applications yet.');
      const issuer = `${t.baseUrl}/oidc/${ws}`;
      await expect(page.getByRole('region', { name: 'Issuer' }).textContent()).resolves.toContain(`${issuer}/.well-known/openid-configuration`);
      await page.getByLabel('Identity pool').selectOption({ label: 'Customers' });
      await expect(page.getByRole('group', { name: 'Sign-in methods' }).getByLabel('Password').isChecked()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Connect pool' }).click();
      await main.getByText('Customers is connected: its users can sign in to this workspace’s applications.').waitFor();
      await expect(page.getByRole('form', { name: 'Customers connection' }).textContent()).resolves.toContain('Enabled');

      await page.getByLabel('Name').fill('Acme Portal');
      await page.getByLabel('Redirect URIs').fill(redirectUri);
      await expect(page.getByLabel(/^Authorization code/).isChecked()).resolves.toBe(true);
      // RS256 unless chosen otherwise: the algorithm every relying party accepts without configuration.
      await expect(page.getByLabel('Token signing algorithm').inputValue()).resolves.toBe('RS256');
      await page.getByRole('button', { name: 'Create application' }).click();
      const credentials = page.getByRole('region', { name: 'Acme Portal credentials' });
      await credentials.waitFor();
      await expect(credentials.textContent()).resolves.toContain('it is shown only this once');
      const clientId = (await credentials.locator('.client-id code').textContent())!;
      const clientSecret = (await credentials.locator('.client-secret code').textContent())!;
      expect(clientId).toBeTruthy();
      expect(clientSecret).toBeTruthy();
      await shot('authentication');
      // Done: the secret is gone from the screen for good.
      await credentials.getByRole('button', { name: /done/ }).click();
      await credentials.waitFor({ state: 'detached' });
      await expect(main.textContent()).resolves.not.toContain(clientSecret);
      await expect(page.locator('.app-list > li', { hasText: 'Acme Portal' }).textContent()).resolves.toContain('Token signingRS256');

      // A leaked secret is rotated in place: a new one, shown once; the old one is refused from now on.
      await page.getByRole('button', { name: 'Rotate secret' }).click();
      await page.getByRole('button', { name: 'Yes, rotate secret' }).click();
      await credentials.waitFor();
      await expect(credentials.getByRole('heading').textContent()).resolves.toBe('Acme Portal has a new secret');
      const rotatedSecret = (await credentials.locator('.client-secret code').textContent())!;
      expect(rotatedSecret).toMatch(/^sec_/);
      expect(rotatedSecret).not.toBe(clientSecret);
      await credentials.getByRole('button', { name: /done/ }).click();
      await credentials.waitFor({ state: 'detached' });
      await page.getByRole('link', { name: 'Users' }).click();
      await expect(page.locator('.pool-list > li', { hasText: 'Customers' }).textContent()).resolves.toContain('Sign-in connected');
      await expect(page.locator('.pool-list > li', { hasText: 'Customers' }).getByRole('note').count()).resolves.toBe(0);

      // 10. Each user signs in through the hosted login page, in a browser of their own.
      const config = await oidc.discovery(new URL(issuer), clientId, undefined, oidc.ClientSecretBasic(rotatedSecret), { execute: [oidc.allowInsecureRequests] });
      const graceUser = await userByEmail(t, ws, pool, GRACE.email);
      for (const [who, id] of [
        [ADA, adaUser.id],
        [GRACE, graceUser.id],
      ] as const) {
        const claims = await signIn(browser, config, redirectUri, who.email, who.password, requests);
        expect(claims).toMatchObject({ iss: issuer, sub: id, email: who.email, groups: ['admins'] });
      }

      // Ada's page lists the application she signed in to; revoking it takes it off.
      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      await usersTable.getByRole('link', { name: 'Ada King' }).click();
      const adaApps = page.getByRole('region', { name: 'Applications' });
      await expect(adaApps.textContent()).resolves.toMatch(/Acme Portal.*Authorized since .*scopes .*openid/);
      await adaApps.getByRole('button', { name: 'Revoke' }).click();
      await adaApps.getByText('Not signed in to any application.').waitFor();
      expect((await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${adaUser.id}/applications`).expect(200)).body.items).toEqual([]);
      // Grace's: signing her out everywhere ends her grants, and the list says so at once.
      await page.getByRole('link', { name: 'Customers', exact: true }).click();
      await usersTable.getByRole('link', { name: 'Grace Hopper' }).click();
      const graceApps = page.getByRole('region', { name: 'Applications' });
      await graceApps.getByRole('button', { name: 'Revoke' }).waitFor();
      await page.getByRole('button', { name: 'Sign out everywhere' }).click();
      await graceApps.getByText('Not signed in to any application.').waitFor();

      // The key lived in this tab's sessionStorage only; no request ever carried it in a URL.
      await expect(page.evaluate('[sessionStorage.length, localStorage.length, document.cookie]')).resolves.toEqual([1, 0, '']);
      expect(requests.filter((url) => url.includes(ROOT_KEY) || url.includes(encodeURIComponent(ROOT_KEY)))).toEqual([]);
      await page.getByRole('button', { name: 'Sign out', exact: true }).click();
      // The sign-in screen replaces the last one after the click: wait for it, do not read at once.
      await page.getByRole('heading', { name: 'Sign in to the console', level: 1 }).waitFor();
      await expect(page.evaluate('sessionStorage.length')).resolves.toBe(0);

      expectOnlyLoopback(requests);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  }, 240_000);

  it('takes a workspace key straight into its workspace; filters and pages a long user list', async () => {
    const ws = (await t.root('post', '/v1/workspaces').send({ name: 'Globex' }).expect(201)).body.id as string;
    const key = (await t.root('post', `/v1/workspaces/${ws}/api-keys`).send({ name: 'console' }).expect(201)).body.key as string;
    const pool = (await t.root('post', `/v1/workspaces/${ws}/pools`).send({ name: 'Staff' }).expect(201)).body.id as string;
    // 45 users through a JSON import (invited, no email): three pages of 20.
    const users = Array.from({ length: 45 }, (_, i) => ({ email: `staff${String(i).padStart(2, '0')}@globex.test`, givenName: `Staff ${i}` }));
    const job = (await t.as(key, 'post', `/v1/workspaces/${ws}/pools/${pool}/imports`).send({ users }).expect(202)).body.id as string;
    await eventually(() => t.as(key, 'get', `/v1/workspaces/${ws}/pools/${pool}/imports/${job}`).expect(200).expect((res) => expect(res.body.status).toBe('completed')), 30_000);
    const disabled = (await t.as(key, 'get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: 'staff07@' }).expect(200)).body.items[0].id as string;
    await t.as(key, 'patch', `/v1/workspaces/${ws}/pools/${pool}/users/${disabled}`).send({ status: 'disabled' }).expect(200);

    const context = await browser.newContext({ viewport: VIEWPORT, colorScheme: 'light', locale: 'en-US' });
    try {
      const page = await context.newPage();
      const main = page.locator('main');
      await page.goto(`${t.baseUrl}/console/`);
      await page.getByLabel('API key').fill(key);
      await page.getByRole('button', { name: 'Sign in' }).click();
      // No picker: the key's one workspace, named in the header (not a link to switch).
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await expect(page.locator('header .workspace strong').textContent()).resolves.toBe('Globex');
      await page.getByRole('link', { name: 'Staff', exact: true }).click();
      await main.getByText('Page 1: 20 users.').waitFor();
      await page.getByRole('button', { name: 'Next page' }).click();
      await main.getByText('Page 2: 20 users.').waitFor();
      await page.getByRole('button', { name: 'Next page' }).click();
      await main.getByText('Page 3: 5 users.').waitFor();
      await expect(page.getByRole('button', { name: 'Next page' }).isDisabled()).resolves.toBe(true);
      await page.getByRole('button', { name: 'Previous page' }).click();
      await main.getByText('Page 2: 20 users.').waitFor();
      // The status filter goes back to the first page.
      await page.getByLabel('Status').selectOption({ label: 'Disabled' });
      await main.getByText('Page 1: 1 user.').waitFor();
      await expect(main.locator('tbody tr').textContent()).resolves.toContain('Staff 7');
    } finally {
      await context.close();
    }
  });
});

/** Signs in through the hosted login page (authorization code + PKCE); resolves with the ID token's claims. */
async function signIn(browser: Browser, config: oidc.Configuration, redirectUri: string, email: string, password: string, requests: string[]) {
  const context: BrowserContext = await browser.newContext({ viewport: { width: 800, height: 640 }, colorScheme: 'light', locale: 'en-US' });
  context.on('request', (request) => requests.push(request.url()));
  try {
    const page = await context.newPage();
    const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: redirectUri, scope: 'openid email groups' });
    await page.goto(url.href);
    await expect(page.locator('p.sub').textContent()).resolves.toContain('Acme Portal');
    await page.getByLabel('Email or mobile number').fill(email);
    await page.getByLabel('Password').fill(password);
    await submitForm(page, 'Sign in');
    await page.waitForURL((u) => u.href.startsWith(redirectUri));
    const tokens = await oidc.authorizationCodeGrant(config, new URL(page.url()), { pkceCodeVerifier: verifier, expectedState: state });
    return tokens.claims();
  } finally {
    await context.close();
  }
}

async function userByEmail(t: TestApp, ws: string, pool: string, email: string) {
  const res = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: email }).expect(200);
  const user = res.body.items.find((u: { email: string }) => u.email === email);
  expect(user).toBeDefined();
  return user as { id: string; status: string; name: string | null; mobile: string | null };
}

/** The text of the table row that mentions `text`, cells separated by spaces. */
async function rowText(table: Locator, text: string): Promise<string> {
  const row = table.locator('tbody tr', { hasText: text });
  await row.waitFor();
  return (await row.locator('td').allTextContents()).join(' ').replace(/\s+/g, ' ').trim();
}

async function isFocused(locator: Locator): Promise<boolean> {
  return locator.evaluate((el) => el === el.ownerDocument.activeElement);
}
