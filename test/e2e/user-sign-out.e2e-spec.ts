import * as oidc from 'openid-client';
import { connectedWorkspace, createPool, createUser, createWorkspace, createWorkspaceKey, oauthError, pkceAuthorization, REDIRECT_URI, relyingParty, sql } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const SCOPE = 'openid profile email offline_access';

/** An admin signs a user out everywhere: POST .../users/{user}/sign-out. */
describe('signing a user out everywhere', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ({ ws, pool, issuer } = await connectedWorkspace(t));
  });
  afterAll(() => t.close());

  const application = async () => (await relyingParty(t, ws)).config;

  const passwordGrant = (config: oidc.Configuration, username: string) => oidc.genericGrantRequest(config, 'password', { username, password: PASSWORD, scope: SCOPE });
  const userinfo = (accessToken: string) => fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${accessToken}` } });
  const signOut = (userId: string) => t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users/${userId}/sign-out`);

  /** An authorization request in the browser holding `jar`: a code when its session at the login page is live, else the page. */
  async function authorize(config: oidc.Configuration, jar: CookieJar, credentials = { identifier: 'nobody@example.com', password: 'not the password' }) {
    const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: SCOPE });
    return followLogin(url.href, credentials, REDIRECT_URI, jar);
  }

  it('ends the user’s sessions, grants, refresh tokens and access tokens in every application, and no one else’s', async () => {
    const [web, mobile] = [await application(), await application()];
    const user = await createUser(t, ws, pool);
    const bystander = await createUser(t, ws, pool);
    const browser = new CookieJar();
    expect((await authorize(web, browser, { identifier: user.email, password: PASSWORD })).redirectedTo).toContain('code=');
    const [webTokens, mobileTokens, bystanderTokens] = [await passwordGrant(web, user.email), await passwordGrant(mobile, user.email), await passwordGrant(web, bystander.email)];
    // Access tokens carry whole seconds: the ones to revoke are from a second before the sign-out.
    await new Promise((resolve) => setTimeout(resolve, 1100));

    const res = await signOut(user.id).expect(204);
    expect(res.text).toBe('');

    expect((await oauthError(oidc.refreshTokenGrant(web, webTokens.refresh_token!))).error).toBe('invalid_grant');
    expect((await oauthError(oidc.refreshTokenGrant(mobile, mobileTokens.refresh_token!))).error).toBe('invalid_grant');
    expect((await userinfo(webTokens.access_token)).status).toBe(401);
    expect((await userinfo(mobileTokens.access_token)).status).toBe(401);
    // The browser's session is gone: the login page asks again instead of handing out a code.
    const again = await authorize(web, browser);
    expect(again.redirectedTo).toBeNull();
    expect(again.page?.body).toContain('name="identifier"');

    await oidc.refreshTokenGrant(web, bystanderTokens.refresh_token!);
    expect((await userinfo(bystanderTokens.access_token)).status).toBe(200);
  });

  it('refuses a refresh token minted from a session in the second of the sign-out, saved after it (a request racing the revocation)', async () => {
    const config = await application();
    const user = await createUser(t, ws, pool);
    const browser = new CookieJar();
    expect((await authorize(config, browser, { identifier: user.email, password: PASSWORD })).redirectedTo).toContain('code=');
    await new Promise((resolve) => setTimeout(resolve, 1100));
    // A single sign-on through the live session, a second after its sign-in: the refresh token a racing request holds.
    const { url, verifier } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: SCOPE });
    const sso = await followLogin(url.href, { identifier: 'nobody@example.com', password: 'not the password' }, REDIRECT_URI, browser);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(sso.redirectedTo!), { pkceCodeVerifier: verifier, expectedState: oidc.skipStateCheck });
    const saved = await sql<{ model: string; payload: { iat: number } }>(t, `SELECT * FROM oidc_payloads WHERE account_id = $1 AND (model IN ('Grant', 'Session') OR id = $2)`, [user.id, tokens.refresh_token]);

    await signOut(user.id).expect(204);
    // The racing request's writes land after the revocation, which counts from that token's own second.
    for (const row of saved) {
      await sql(t, `INSERT INTO oidc_payloads SELECT * FROM json_populate_record(null::oidc_payloads, $1) ON CONFLICT DO NOTHING`, [JSON.stringify(row)]);
    }
    const refresh = saved.find((row) => row.model === 'RefreshToken')!;
    await sql(t, `UPDATE users SET sessions_valid_after = to_timestamp($2) WHERE id = $1`, [user.id, refresh.payload.iat]);
    expect((await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
  });

  it('takes a user id in upper case as the same user: its grants go too', async () => {
    const config = await application();
    const user = await createUser(t, ws, pool);
    const tokens = await passwordGrant(config, user.email);
    await signOut(user.id.toUpperCase()).expect(204);
    expect((await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
    expect(await sql(t, `SELECT model FROM oidc_payloads WHERE account_id = $1`, [user.id])).toEqual([]);
  });

  it('leaves the user able to sign in again at once, with its status and password as they were', async () => {
    const config = await application();
    const user = await createUser(t, ws, pool);
    await passwordGrant(config, user.email);
    await signOut(user.id).expect(204);

    const fresh = await passwordGrant(config, user.email);
    expect((await userinfo(fresh.access_token)).status).toBe(200);
    await oidc.refreshTokenGrant(config, fresh.refresh_token!);
    const { body } = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200);
    expect(body).toMatchObject({ id: user.id, status: 'active', lockedUntil: null });
    expect(body.lastSignInAt).not.toBeNull();
  });

  it('answers a user with nothing to end, invited or disabled, 204 as well', async () => {
    const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
    await signOut(invited.id).expect(204);
    const disabled = await createUser(t, ws, pool);
    await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${disabled.id}`).send({ status: 'disabled' }).expect(200);
    await signOut(disabled.id).expect(204);
    const { body } = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${invited.id}`).expect(200);
    expect(body.status).toBe('invited');
  });

  it('answers 404 problem+json for an unknown user, a user of another pool or another workspace, and a malformed id', async () => {
    const otherPool = (await createPool(t, ws)).id;
    const elsewhere = await createUser(t, ws, otherPool);
    const otherWs = (await createWorkspace(t)).id;
    const otherWsPool = (await createPool(t, otherWs)).id;
    const foreign = await createUser(t, otherWs, otherWsPool);
    const unknown = '00000000-0000-4000-8000-000000000000';
    for (const id of [unknown, elsewhere.id, 'not-a-uuid']) {
      const res = await signOut(id).expect(404);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 404 });
    }
    // A workspace key reaches only its own workspace's users.
    const key = await createWorkspaceKey(t, ws);
    await t.as(key, 'post', `/v1/workspaces/${otherWs}/pools/${otherWsPool}/users/${foreign.id}/sign-out`).expect(404);
    await t.http.post(`/v1/workspaces/${ws}/pools/${pool}/users/${unknown}/sign-out`).expect(401);
  });

  it('is in the OpenAPI document', async () => {
    const { body } = await t.http.get('/docs-json').expect(200);
    const operation = body.paths['/v1/workspaces/{ws}/pools/{pool}/users/{user}/sign-out']?.post;
    expect(operation?.summary).toBe('Sign a user out everywhere');
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['204', '401', '404']));
  });
});
