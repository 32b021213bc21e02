import { createApplication, createWorkspace, createWorkspaceKey } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/** Rotating an application's client secret, as Auth0's rotate-secret and Keycloak's "Regenerate" do. */
describe('client secret rotation', () => {
  let t: TestApp;
  let ws: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  const clientCredentials = (clientId: string, secret: string) =>
    fetch(`${t.baseUrl}/oidc/${ws}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${clientId}:${secret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });

  it('shows a new secret once; the old one stops working at once, the new one works', async () => {
    const app = await createApplication(t, ws, { grantTypes: ['client_credentials'], redirectUris: [] });
    expect((await clientCredentials(app.clientId, app.clientSecret)).status).toBe(200);

    const rotated = await t.root('post', `/v1/workspaces/${ws}/applications/${app.id}/rotate-secret`).expect(200);
    expect(rotated.body).toMatchObject({ id: app.id, clientId: app.clientId, clientSecret: expect.stringMatching(/^sec_[\w-]{43}$/) });
    expect(rotated.body.clientSecret).not.toBe(app.clientSecret);

    const old = await clientCredentials(app.clientId, app.clientSecret);
    expect(old.status).toBe(401);
    expect(await old.json()).toMatchObject({ error: 'invalid_client' });
    expect((await clientCredentials(app.clientId, rotated.body.clientSecret)).status).toBe(200);

    const shown = await t.root('get', `/v1/workspaces/${ws}/applications/${app.id}`).expect(200);
    expect(shown.body.clientSecret).toBeUndefined();
    expect(shown.text).not.toContain(rotated.body.clientSecret);
  });

  it('answers 409 for a public application, which has no secret', async () => {
    const app = await createApplication(t, ws, { grantTypes: ['authorization_code'], tokenEndpointAuthMethod: 'none' });
    const res = await t.root('post', `/v1/workspaces/${ws}/applications/${app.id}/rotate-secret`).expect(409);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.detail).toMatch(/public/);
  });

  it("answers 404 for an unknown id and for another workspace's application, changing nothing", async () => {
    const app = await createApplication(t, ws, { grantTypes: ['client_credentials'], redirectUris: [] });
    const other = (await createWorkspace(t)).id;
    const key = await createWorkspaceKey(t, other);
    await t.as(key, 'post', `/v1/workspaces/${other}/applications/${app.id}/rotate-secret`).expect(404);
    await t.as(key, 'post', `/v1/workspaces/${ws}/applications/${app.id}/rotate-secret`).expect(404);
    await t.root('post', `/v1/workspaces/${ws}/applications/00000000-0000-4000-8000-000000000000/rotate-secret`).expect(404);
    expect((await clientCredentials(app.clientId, app.clientSecret)).status).toBe(200);
  });
});
