import * as oidc from 'openid-client';
import { connectedWorkspace, createApplication, createPool, createUser, createWorkspace, createWorkspaceKey, oauthError, pkceAuthorization, REDIRECT_URI, relyingParty, unique } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

/** The applications a user has signed in to: GET and DELETE .../users/{user}/applications. */
describe('a user’s authorized applications', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ({ ws, pool, issuer } = await connectedWorkspace(t));
  });
  afterAll(() => t.close());

  const application = (name = unique('app')) => relyingParty(t, ws, { name });

  const signIn = (config: oidc.Configuration, username: string, scope = 'openid email offline_access') => oidc.genericGrantRequest(config, 'password', { username, password: PASSWORD, scope });
  const userinfo = (accessToken: string) => fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const authorized = (userId: string, query = '') => t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${userId}/applications${query}`);

  it('lists each application the user signed in to once, with the scopes granted and since when, oldest application first', async () => {
    const user = await createUser(t, ws, pool);
    const portal = await application('Portal');
    const shop = await application('Shop');
    await application('Never used');
    const before = Date.now() - 1000;
    await signIn(shop.config, user.email, 'openid email');
    await signIn(portal.config, user.email, 'openid profile offline_access');
    await signIn(portal.config, user.email, 'openid email');

    const { body } = await authorized(user.id).expect(200);
    expect(body.nextCursor).toBeNull();
    expect(body.items).toEqual([
      { id: portal.app.id, name: 'Portal', clientId: portal.app.clientId, scopes: ['email', 'offline_access', 'openid', 'profile'], authorizedAt: expect.any(String) },
      { id: shop.app.id, name: 'Shop', clientId: shop.app.clientId, scopes: ['email', 'openid'], authorizedAt: expect.any(String) },
    ]);
    for (const item of body.items) {
      expect(Date.parse(item.authorizedAt)).toBeGreaterThanOrEqual(Math.floor(before / 1000) * 1000);
      expect(Date.parse(item.authorizedAt)).toBeLessThanOrEqual(Date.now());
    }

    const first = await authorized(user.id, '?limit=1').expect(200);
    expect(first.body.items.map((item: { id: string }) => item.id)).toEqual([portal.app.id]);
    const second = await authorized(user.id, `?limit=1&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body).toEqual({ items: [expect.objectContaining({ id: shop.app.id })], nextCursor: null });
  });

  it('lists an application signed in to through the login page too, and nothing for a user who never signed in', async () => {
    const user = await createUser(t, ws, pool);
    const { app, config } = await application();
    const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    expect((await followLogin(url.href, { identifier: user.email, password: PASSWORD }, REDIRECT_URI, new CookieJar())).redirectedTo).toContain('code=');
    expect((await authorized(user.id).expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([app.id]);

    const idle = await createUser(t, ws, pool);
    expect((await authorized(idle.id).expect(200)).body).toEqual({ items: [], nextCursor: null });
  });

  it('revokes one application: its refresh tokens and access tokens stop working, the other application’s do not', async () => {
    const user = await createUser(t, ws, pool);
    const portal = await application();
    const shop = await application();
    const portalTokens = await signIn(portal.config, user.email);
    await signIn(portal.config, user.email);
    const shopTokens = await signIn(shop.config, user.email);

    const res = await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/applications/${portal.app.id}`).expect(204);
    expect(res.text).toBe('');
    expect((await oauthError(oidc.refreshTokenGrant(portal.config, portalTokens.refresh_token!))).error).toBe('invalid_grant');
    expect((await userinfo(portalTokens.access_token)).status).toBe(401);
    expect((await authorized(user.id).expect(200)).body.items.map((item: { id: string }) => item.id)).toEqual([shop.app.id]);

    await oidc.refreshTokenGrant(shop.config, shopTokens.refresh_token!);
    expect((await userinfo(shopTokens.access_token)).status).toBe(200);
    // The user may sign in to it again, which authorizes it anew.
    await signIn(portal.config, user.email);
    expect((await authorized(user.id).expect(200)).body.items).toHaveLength(2);
    // Revoking what the user never authorized is done already.
    const unused = await application();
    await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/applications/${unused.app.id}`).expect(204);
  });

  it('answers 404 for an unknown user or application, one of another pool or workspace, and 400 for a bad page query', async () => {
    const user = await createUser(t, ws, pool);
    const { app } = await application();
    const unknown = '00000000-0000-4000-8000-000000000000';
    await authorized(unknown).expect(404);
    await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/applications/${unknown}`).expect(404);
    await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${unknown}/applications/${app.id}`).expect(404);
    const otherPool = (await createPool(t, ws)).id;
    await t.root('get', `/v1/workspaces/${ws}/pools/${otherPool}/users/${user.id}/applications`).expect(404);

    const otherWs = (await createWorkspace(t)).id;
    const otherApp = await createApplication(t, otherWs, { grantTypes: ['password'] });
    await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/applications/${otherApp.id}`).expect(404);
    const key = await createWorkspaceKey(t, otherWs);
    await t.as(key, 'get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/applications`).expect(404);

    const bad = await authorized(user.id, '?limit=0&cursor=nope').expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['cursor', 'limit']);
  });
});
