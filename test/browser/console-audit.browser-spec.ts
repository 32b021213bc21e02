import { Browser, BrowserContext, Page } from 'playwright-core';
import { eventually } from '../support/eventually';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';
import { buildConsole } from './support/console';
import { launchChromium } from './support/chromium';

/**
 * The admin console as an admin used to Keycloak or Auth0 finds it: every screen usable on
 * a phone and a laptop without sideways scrolling, a dead end explained in words with the
 * way out, and an import's cancellation visible while it takes effect.
 */

const PHONE = { width: 390, height: 844 };
const LAPTOP = { width: 1280, height: 800 };

describe('admin console audit in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let built: ReturnType<typeof buildConsole>;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    built = buildConsole();
    // Small chunks, so an import of a few hundred records runs long enough to watch and cancel.
    [t, browser] = await Promise.all([startTestApp({ CONSOLE_DIR: built.dir, IMPORT_CHUNK_SIZE: '10' }, { listen: true }), launchChromium()]);
    ws = (await t.root('post', '/v1/workspaces').send({ name: 'Initech' }).expect(201)).body.id;
    pool = (await t.root('post', `/v1/workspaces/${ws}/pools`).send({ name: 'Employees' }).expect(201)).body.id;
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close()]);
    built?.remove();
  });

  /** A signed-in console tab that records what a user would see go wrong. */
  async function signedIn(viewport = LAPTOP): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
    const context = await browser.newContext({ viewport, colorScheme: 'light', locale: 'en-US' });
    const page = await context.newPage();
    const problems: string[] = [];
    page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
    page.on('console', (message) => message.type() === 'error' && !message.text().startsWith('Failed to load resource') && problems.push(`console: ${message.text()}`));
    page.on('response', (response) => !response.url().includes('/v1/') && response.status() >= 400 && problems.push(`${response.status()} ${response.url()}`));
    await page.goto(`${t.baseUrl}/console/`);
    await page.getByLabel('API key').fill(ROOT_KEY);
    await page.getByLabel('API key').press('Enter');
    await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
    return { context, page, problems };
  }

  const users = (path = '') => `/v1/workspaces/${ws}/pools/${pool}/users${path}`;

  it('fits a phone and a laptop: no screen scrolls sideways', async () => {
    const invited = (await t.root('post', users()).send({ email: 'bartholomew.longname-lumbergh@initech-corporate.example.com', givenName: 'Bill', credential: { mode: 'invitation' } }).expect(201)).body.id;
    await t.root('post', users()).send({ email: 'milton@initech.example.com', mobile: '+14155550100', credential: { mode: 'password', password: 'red stapler forever' } }).expect(201);
    const group = (await t.root('post', `/v1/workspaces/${ws}/groups`).send({ name: 'managers' }).expect(201)).body.id;
    await t.root('post', `/v1/workspaces/${ws}/groups/${group}/members`).send({ userIds: [invited] }).expect(200);
    await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: pool, signInMethods: ['password'] }).expect(201);
    await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: 'TPS reports', redirectUris: ['https://tps.initech.example.com/oidc/callback'], grantTypes: ['authorization_code'], tokenEndpointAuthMethod: 'client_secret_basic' }).expect(201);
    const job = (await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/imports`).send({ users: [{ externalId: 'x-1', email: 'not-an-email' }] }).expect(202)).body.id;
    await eventually(() => t.root('get', `/v1/workspaces/${ws}/pools/${pool}/imports/${job}`).expect((res) => expect(res.body.status).toBe('completed')), 20_000);

    const screens: [string, string][] = [
      ['workspaces', '#/workspaces'],
      ['pools', `#/w/${ws}/pools`],
      ['pool users', `#/w/${ws}/pools/${pool}/users`],
      ['pool settings', `#/w/${ws}/pools/${pool}/settings`],
      ['import', `#/w/${ws}/pools/${pool}/migration/${job}`],
      ['user', `#/w/${ws}/pools/${pool}/users/${invited}`],
      ['group', `#/w/${ws}/groups/${group}`],
      ['authentication', `#/w/${ws}/authentication`],
      ['workspace settings', `#/w/${ws}/settings`],
    ];
    const { context, page, problems } = await signedIn(PHONE);
    try {
      const wider: string[] = [];
      for (const viewport of [PHONE, LAPTOP]) {
        await page.setViewportSize(viewport);
        for (const [name, hash] of screens) {
          await page.evaluate(`location.hash = ${JSON.stringify(hash)}`);
          await page.locator('main:not([aria-busy]) h1').waitFor();
          await page.locator('#app:not([aria-busy])').waitFor();
          // The page itself never scrolls sideways; a wide table scrolls inside its card.
          const width = (await page.evaluate('document.documentElement.scrollWidth')) as number;
          if (width > viewport.width) wider.push(`${name} at ${viewport.width}px is ${width}px wide: ${await page.evaluate(`[...document.querySelectorAll('main *')].filter((e) => e.getBoundingClientRect().right > ${viewport.width}).slice(0, 6).map((e) => e.tagName + '.' + e.className).join(' ')`)}`);
        }
      }
      expect(wider).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('enabling a disabled user who has no password says what to do, not which endpoint to call', async () => {
    const id = (await t.root('post', users()).send({ email: 'peter@initech.example.com', givenName: 'Peter', credential: { mode: 'invitation' } }).expect(201)).body.id;
    const { context, page, problems } = await signedIn();
    try {
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${pool}/users/${id}`)}`);
      const access = page.getByRole('region', { name: 'Access' });
      // Disabling an invited user withdraws the invitation: the admin is told before clicking.
      await expect(access.textContent()).resolves.toContain('invitation is withdrawn');
      await access.getByRole('button', { name: 'Disable user' }).click();
      await access.getByRole('button', { name: 'Enable user' }).waitFor();
      // No invitation now: withdrawn, which is not the same as never invited.
      await expect(page.getByRole('region', { name: 'Invitation' }).textContent()).resolves.toContain('withdrawn when they were disabled');
      await access.getByRole('button', { name: 'Enable user' }).click();
      const alert = access.getByRole('alert');
      await expect(alert.locator('.problem-title').textContent()).resolves.toBe('Peter has no password yet');
      await expect(alert.textContent()).resolves.toContain('Set password');
      await expect(alert.textContent()).resolves.not.toMatch(/PUT|\.\.\.\//);
      // The way out has the focus: setting a password enables the user too.
      await expect(page.evaluate('document.activeElement.name')).resolves.toBe('password');
      await page.keyboard.type('flair is optional');
      await page.keyboard.press('Enter');
      await page.getByRole('region', { name: 'Set password' }).getByText('Password set. The user is active').waitFor();
      await access.getByRole('button', { name: 'Disable user' }).waitFor();
      await expect(page.getByRole('region', { name: 'Overview' }).textContent()).resolves.toContain('Active');
      expect((await t.root('get', users(`/${id}`)).expect(200)).body.status).toBe('active');
      // A password the admin set proves no address: a verification link can go to it.
      await access.getByRole('button', { name: 'Email a verification link' }).click();
      await access.getByText('A link to verify peter@initech.example.com is on its way').waitFor();

      // An invited user's new address gets a new invitation: its delivery is followed on screen, no reload.
      const other = (await t.root('post', users()).send({ email: 'michael@initech.example.com', givenName: 'Michael', credential: { mode: 'invitation' } }).expect(201)).body.id;
      await eventually(() => t.root('get', users(`/${other}`)).expect((res) => expect(res.body.invitation.status).toBe('sent')));
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${pool}/users/${other}`)}`);
      // Peter's page stays up until Michael's has loaded: fill in Michael's form, not Peter's.
      await page.locator('#app:not([aria-busy]) h1', { hasText: /michael/i }).waitFor();
      const profile = page.getByRole('region', { name: 'Profile' });
      await profile.getByLabel('Email').fill('michael.bolton@initech.example.com');
      await profile.getByRole('button', { name: 'Save profile' }).click();
      await profile.getByText('Profile saved.').waitFor();
      const delivery = page.getByRole('region', { name: 'Invitation' }).locator('.invitation-status');
      await eventually(async () => expect(await delivery.textContent()).toBe('Sent'), 10_000);

      // A disabled user who never chose a password is invited again from the same alert.
      const samir = (await t.root('post', users()).send({ email: 'samir@initech.example.com', givenName: 'Samir', credential: { mode: 'invitation' } }).expect(201)).body.id;
      await t.root('patch', users(`/${samir}`)).send({ status: 'disabled' }).expect(200);
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${pool}/users/${samir}`)}`);
      await page.locator('#app:not([aria-busy]) h1', { hasText: /samir/i }).waitFor();
      await access.getByRole('button', { name: 'Enable user' }).click();
      await expect(access.getByRole('alert').textContent()).resolves.toContain('send them a new invitation');
      await access.getByRole('button', { name: 'Send a new invitation' }).click();
      await access.getByRole('button', { name: 'Disable user' }).waitFor();
      await eventually(async () => expect(await delivery.textContent()).toBe('Sent'), 10_000);
      expect((await t.root('get', users(`/${samir}`)).expect(200)).body.status).toBe('invited');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });

  it('follows a running import and says a cancellation is under way until the import stops', async () => {
    const records = Array.from({ length: 400 }, (_, i) => JSON.stringify({ email: `temp${i}@initech.example.com`, password: `temporary password ${i}` })).join('\n');
    const { context, page, problems } = await signedIn();
    try {
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${pool}/migration`)}`);
      await page.getByLabel('File of users').setInputFiles({ name: 'temps.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(`${records}\n`) });
      await page.getByRole('button', { name: 'Start import' }).click();
      const status = page.locator('.job-status');
      const label = page.locator('.progress-block label');
      // Progress moves on screen while it runs, without a reload.
      await eventually(async () => expect(await label.textContent()).toMatch(/^Importing: [1-9]\d* of 400 records/), 20_000, 100);
      await page.getByRole('button', { name: 'Cancel import' }).click();
      await expect(status.textContent()).resolves.toMatch(/^Cancelling/);
      await status.getByText('Cancelled. Records imported before stay.').waitFor({ timeout: 20_000 });
      await expect(label.textContent()).resolves.toMatch(/^\d+ of 400 records processed$/);
      await expect(page.getByRole('button', { name: 'Cancel import' }).count()).resolves.toBe(0);
      await expect(page.locator('table', { has: page.locator('caption', { hasText: 'Recent imports' }) }).locator('tr[aria-current="true"]').textContent()).resolves.toContain('Cancelled');
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
  it('says in words why the key stopped working, and what a deletion removed', async () => {
    const key = (await t.root('post', `/v1/workspaces/${ws}/api-keys`).send({ name: 'laptop' }).expect(201)).body;
    const temps = (await t.root('post', `/v1/workspaces/${ws}/pools`).send({ name: 'Temps' }).expect(201)).body.id;
    const id = (await t.root('post', `/v1/workspaces/${ws}/pools/${temps}/users`).send({ email: 'samir@initech.example.com', givenName: 'Samir', credential: { mode: 'invitation' } }).expect(201)).body.id;
    const context = await browser.newContext({ viewport: LAPTOP, colorScheme: 'light', locale: 'en-US' });
    try {
      const page = await context.newPage();
      await page.goto(`${t.baseUrl}/console/`);
      await page.getByLabel('API key').fill(key.key);
      await page.getByLabel('API key').press('Enter');
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      // Revoked elsewhere meanwhile: the next screen is the sign-in, saying why, for a person.
      await t.root('delete', `/v1/workspaces/${ws}/api-keys/${key.id}`).expect(204);
      await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Groups' }).click();
      await page.getByRole('heading', { name: 'Sign in to the console', level: 1 }).waitFor();
      const why = (await page.getByRole('note').textContent())!;
      expect(why).toContain('no longer accepted');
      expect(why).not.toMatch(/Authorization|Bearer|`/);

      // Deleting a user, then a pool: the screen landed on says what went.
      await page.getByLabel('API key').fill(ROOT_KEY);
      await page.getByLabel('API key').press('Enter');
      await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${temps}/users/${id}`)}`);
      await page.getByRole('button', { name: 'Delete user' }).click();
      await page.getByRole('button', { name: 'Yes, delete user' }).click();
      await page.getByRole('heading', { name: 'Temps', level: 1 }).waitFor();
      await page.locator('main .flash').getByText('Samir deleted.').waitFor();
      await page.getByRole('navigation', { name: 'Temps pool' }).getByRole('link', { name: 'Settings' }).click();
      await page.getByRole('button', { name: 'Delete pool' }).click();
      await page.getByRole('button', { name: 'Yes, delete pool' }).click();
      await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
      await page.locator('main .flash').getByText('Pool Temps deleted.').waitFor();
      await expect(page.locator('.pool-list').textContent()).resolves.not.toContain('Temps');

      // A confirmed deletion that fails: the problem is shown and the focus is not lost to the page.
      const gone = (await t.root('post', `/v1/workspaces/${ws}/pools`).send({ name: 'Gone' }).expect(201)).body.id;
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/pools/${gone}/settings`)}`);
      await page.getByRole('heading', { name: 'Gone', level: 1 }).waitFor();
      await t.root('delete', `/v1/workspaces/${ws}/pools/${gone}`).expect(204);
      await page.getByRole('button', { name: 'Delete pool' }).click();
      await page.getByRole('button', { name: 'Yes, delete pool' }).click();
      await page.getByRole('alert').waitFor();
      await expect(page.evaluate('document.activeElement.textContent')).resolves.toBe('Delete pool');
    } finally {
      await context.close();
    }
  });
});
