import { Browser, BrowserContext, Page } from 'playwright-core';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';
import { buildConsole } from './support/console';
import { launchChromium } from './support/chromium';

/**
 * Workspace settings in the console, as a Keycloak or Auth0 admin expects to find them:
 * rename the workspace, create an API key (shown once) and revoke it, delete a
 * workspace (root key only), and rename a group. Each action is checked against the API, not only the screen.
 */
describe('admin console: workspace settings and group names in Chromium', () => {
  let t: TestApp;
  let browser: Browser;
  let built: ReturnType<typeof buildConsole>;

  beforeAll(async () => {
    built = buildConsole();
    [t, browser] = await Promise.all([startTestApp({ CONSOLE_DIR: built.dir }, { listen: true }), launchChromium()]);
  });

  afterAll(async () => {
    await Promise.all([browser?.close(), t?.close()]);
    built?.remove();
  });

  /** A console tab signed in with `key`, on the settings of `ws`. */
  async function settingsOf(ws: string, key = ROOT_KEY): Promise<{ context: BrowserContext; page: Page }> {
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, colorScheme: 'light', locale: 'en-US' });
    const page = await context.newPage();
    await page.goto(`${t.baseUrl}/console/`);
    await page.getByLabel('API key').fill(key);
    await page.getByLabel('API key').press('Enter');
    // The root key lands on the workspace list, a workspace key in its workspace.
    await page.getByRole('heading', { name: key === ROOT_KEY ? 'Workspaces' : 'Users', level: 1 }).waitFor();
    await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/settings`)}`);
    await page.getByRole('heading', { name: 'Workspace settings', level: 1 }).waitFor();
    return { context, page };
  }

  const workspace = async (name: string) => (await t.root('post', '/v1/workspaces').send({ name }).expect(201)).body.id as string;
  const withKey = (key: string, path: string) => t.http.get(path).set('authorization', `Bearer ${key}`);

  it('renames the workspace, creates an API key shown once, and revokes it', async () => {
    const ws = await workspace('Hooli');
    const { context, page } = await settingsOf(ws);
    try {
      await page.getByRole('navigation', { name: 'Workspace' }).getByRole('link', { name: 'Settings' }).waitFor();
      await page.getByLabel('Name', { exact: true }).first().fill('Hooli XYZ');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.locator('main .flash').getByText('Workspace saved.').waitFor();
      await page.locator('header .workspace').getByText('Hooli XYZ').waitFor();
      expect((await t.root('get', `/v1/workspaces/${ws}`).expect(200)).body.name).toBe('Hooli XYZ');

      await page.getByRole('textbox', { name: 'Name' }).last().fill('provisioning script');
      await page.getByRole('button', { name: 'Create key' }).click();
      const shown = page.getByRole('region', { name: 'provisioning script key' });
      await shown.waitFor();
      const key = (await shown.locator('.api-key-value code').textContent())!;
      expect(key).toMatch(/^ipk_/);
      await withKey(key, `/v1/workspaces/${ws}`).expect(200);

      // Done: the key is gone from the screen for good; the list names it by its prefix.
      await page.getByRole('button', { name: 'I have copied it — done' }).click();
      await page.locator('li.api-key').getByText('provisioning script').waitFor();
      expect(await page.content()).not.toContain(key);
      const prefix = (await page.locator('li.api-key code').textContent())!.replace('…', '');
      expect(key.startsWith(prefix)).toBe(true);

      await page.getByRole('button', { name: 'Revoke' }).click();
      await page.getByRole('button', { name: 'Yes, revoke' }).click();
      await page.locator('main .flash').getByText('API key provisioning script revoked.').waitFor();
      await withKey(key, `/v1/workspaces/${ws}`).expect(401);
      expect(await page.locator('li.api-key').count()).toBe(0);
    } finally {
      await context.close();
    }
  });

  it('renames a group and clears its description', async () => {
    const ws = await workspace('Raviga');
    const group = (await t.root('post', `/v1/workspaces/${ws}/groups`).send({ name: 'vcs', description: 'venture capital' }).expect(201)).body.id as string;
    const { context, page } = await settingsOf(ws);
    try {
      await page.evaluate(`location.hash = ${JSON.stringify(`#/w/${ws}/groups/${group}`)}`);
      await page.getByLabel('Group name').fill('investors');
      await page.getByLabel('Group description').fill('');
      await page.getByRole('form', { name: 'Name and description' }).getByRole('button', { name: 'Save' }).click();
      await page.locator('main .flash').getByText('Group investors saved.').waitFor();
      await page.getByRole('heading', { name: 'investors', level: 2 }).waitFor();
      expect((await t.root('get', `/v1/workspaces/${ws}/groups/${group}`).expect(200)).body).toMatchObject({ name: 'investors', description: null });
    } finally {
      await context.close();
    }
  });

  it('deletes a workspace with the root key; a workspace key is not offered the deletion', async () => {
    const ws = await workspace('Pied Piper');
    const key = (await t.root('post', `/v1/workspaces/${ws}/api-keys`).send({ name: 'laptop' }).expect(201)).body.key as string;
    const asWorkspaceKey = await settingsOf(ws, key);
    try {
      await asWorkspaceKey.page.getByRole('heading', { name: 'API keys', level: 2 }).waitFor();
      expect(await asWorkspaceKey.page.getByRole('button', { name: 'Delete workspace' }).count()).toBe(0);
    } finally {
      await asWorkspaceKey.context.close();
    }

    const { context, page } = await settingsOf(ws);
    try {
      await page.getByRole('button', { name: 'Delete workspace' }).click();
      await page.getByRole('button', { name: 'Yes, delete workspace' }).click();
      await page.getByRole('heading', { name: 'Workspaces', level: 1 }).waitFor();
      await page.locator('main .flash').getByText('Workspace Pied Piper deleted.').waitFor();
      await t.root('get', `/v1/workspaces/${ws}`).expect(404);
      await withKey(key, `/v1/workspaces/${ws}`).expect(401);
    } finally {
      await context.close();
    }
  });
});
