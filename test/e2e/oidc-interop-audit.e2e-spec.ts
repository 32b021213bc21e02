import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { addMembers, connectedWorkspace, createApplication, createGroup, createUser, createWorkspace, oauthError, pkceAuthorization, REDIRECT_URI } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Second audit of the per-workspace issuer, as an application developer coming from
 * Keycloak, Auth0 or Cognito sees it through a standard relying party (openid-client,
 * unmodified). Tests marked DEFECT failed when written; the others pin behaviour such a
 * developer relies on that no other suite covers.
 */

const PASSWORD = 'correct horse battery';
const SIGNED_OUT = 'http://127.0.0.1/signed-out';

describe('OpenID Connect issuer, seen from a standard relying party', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ({ ws, pool, issuer } = await connectedWorkspace(t));
  });
  afterAll(() => t.close());

  async function relyingPartyAt(workspaceId: string, body: Record<string, unknown> = {}) {
    const app = await createApplication(t, workspaceId, { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'], ...body });
    const auth = app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None();
    const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${workspaceId}`), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
    return { app, config };
  }

  const relyingParty = (body: Record<string, unknown> = {}) => relyingPartyAt(ws, body);

  async function discovery(): Promise<Record<string, unknown>> {
    return (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
  }

  const passwordGrant = (config: oidc.Configuration, username: string, scope: string) => oidc.genericGrantRequest(config, 'password', { username, password: PASSWORD, scope });

  /** Signs in through the login page with the browser's cookies in `jar`, then redeems the code. */
  async function signIn(config: oidc.Configuration, email: string, params: Record<string, string> = {}, jar = new CookieJar(), options: oidc.DPoPOptions = {}) {
    const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', ...params });
    const result = await followLogin(url.href, { identifier: email, password: PASSWORD }, REDIRECT_URI, jar);
    if (!result.redirectedTo) throw new Error(`sign-in stopped on a page: ${result.page?.status}`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(result.redirectedTo), { pkceCodeVerifier: verifier, expectedState: state }, undefined, options);
    return { tokens, jar };
  }

  describe('discovery', () => {
    // DEFECT — applications can only be registered with client_secret_basic, client_secret_post or none; client_secret_jwt and private_key_jwt were advertised.
    it('advertises only the client authentication methods an application can be registered with', async () => {
      const doc = await discovery();
      expect([...(doc.token_endpoint_auth_methods_supported as string[])].sort()).toEqual(['client_secret_basic', 'client_secret_post', 'none']);
      expect(doc).not.toHaveProperty('token_endpoint_auth_signing_alg_values_supported');
    });

    // DEFECT — DPoP was advertised and bound the code grant's access token, which the issuer's userinfo then refused (it reads Bearer tokens only).
    it('does not advertise DPoP, and a relying party that sends a DPoP proof anyway gets a bearer token userinfo accepts', async () => {
      expect(await discovery()).not.toHaveProperty('dpop_signing_alg_values_supported');
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const dpop = oidc.getDPoPHandle(config, await oidc.randomDPoPKeyPair());
      const { tokens } = await signIn(config, user.email, { scope: 'openid email' }, new CookieJar(), { DPoP: dpop });
      expect(tokens.token_type.toLowerCase()).toBe('bearer');
      expect(decodeJwt(tokens.access_token)).not.toHaveProperty('cnf');
      expect(await oidc.fetchUserInfo(config, tokens.access_token, user.id)).toMatchObject({ sub: user.id, email: user.email });
    });

    // DEFECT — with a pushed authorization request (advertised), offline_access was dropped: no refresh token, unlike the same request sent to /auth.
    it('hands out a refresh token for offline_access requested through PAR', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const verifier = oidc.randomPKCECodeVerifier();
      const state = oidc.randomState();
      const url = await oidc.buildAuthorizationUrlWithPAR(config, {
        redirect_uri: REDIRECT_URI,
        scope: 'openid email offline_access',
        code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
      });
      const result = await followLogin(url.href, { identifier: user.email, password: PASSWORD }, REDIRECT_URI);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(result.redirectedTo!), { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.scope?.split(' ').sort()).toEqual(['email', 'offline_access', 'openid']);
      expect(tokens.refresh_token).toBeDefined();
    });

    it('delivers the code with response_mode=form_post, as advertised', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { jar } = await signIn(config, user.email);
      const { url, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', prompt: 'none', response_mode: 'form_post' });
      const res = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
      expect(res.status).toBe(200);
      const page = await res.text();
      expect(page).toContain(`action="${REDIRECT_URI}"`);
      expect(page).toMatch(/name="code" value="[^"]+"/);
      expect(page).toContain(`name="state" value="${state}"`);
    });
  });

  describe('silent authentication', () => {
    // DEFECT — the issuer's rule (offline_access yields a refresh token without a consent screen, as Keycloak and Auth0 do) failed for silent renewal: prompt=none dropped offline_access.
    it('hands out a refresh token for offline_access with prompt=none on a live session', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { jar } = await signIn(config, user.email);
      const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid offline_access', prompt: 'none' });
      const result = await followLogin(url.href, { identifier: '', password: '' }, REDIRECT_URI, jar);
      const tokens = await oidc.authorizationCodeGrant(config, new URL(result.redirectedTo!), { pkceCodeVerifier: verifier, expectedState: state });
      expect(tokens.refresh_token).toBeDefined();
    });
  });

  describe('prompt', () => {
    // DEFECT — prompt=select_account (sent by many relying parties' "switch account" buttons; Keycloak shows its login page for it) was refused with invalid_request.
    it('answers prompt=select_account with the login page, even with a live session', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { jar } = await signIn(config, user.email);
      const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', prompt: 'select_account' });
      const res = await fetch(url, { headers: { cookie: jar.header() }, redirect: 'manual' });
      expect(res.headers.get('location')).toMatch(/\/interaction\//);
      const { tokens } = await signIn(config, user.email, { prompt: 'select_account' }, jar);
      expect(tokens.claims()!.sub).toBe(user.id);
    });
  });

  describe('RP-initiated logout', () => {
    /** What a browser sends when the sign-out page's form is submitted as it stands: its hidden inputs only. */
    async function submitAsIs(page: string, base: string, jar: CookieJar) {
      const action = /<form[^>]*action="([^"]+)"/.exec(page)![1];
      const form = page.slice(page.indexOf('<form'), page.indexOf('</form>'));
      const inputs = [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(([, name, value]): [string, string] => [name, value]);
      const res = await fetch(new URL(action, base), {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(inputs).toString(),
        redirect: 'manual',
      });
      jar.store(res);
      return res;
    }

    async function silentSignIn(config: oidc.Configuration, jar: CookieJar) {
      const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', prompt: 'none' });
      return new URL((await followLogin(url.href, { identifier: '', password: '' }, REDIRECT_URI, jar)).redirectedTo!).searchParams;
    }

    // DEFECT — with an id_token_hint naming the signed-in user, Keycloak, Auth0 and Cognito sign out at once and go back to the application; here the user had to click "Sign out" first.
    it('signs out without a confirmation click when id_token_hint names the signed-in user, and asks otherwise', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ postLogoutRedirectUris: [SIGNED_OUT] });
      const { tokens, jar } = await signIn(config, user.email);

      const unhinted = oidc.buildEndSessionUrl(config, { client_id: config.clientMetadata().client_id, post_logout_redirect_uri: SIGNED_OUT });
      const asked = await fetch(unhinted, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.store(asked);
      const confirmation = await asked.text();
      expect(confirmation).toContain('Sign out');
      expect(confirmation).not.toMatch(/<input type="hidden" name="logout"/);

      const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: SIGNED_OUT, state: 'bye' });
      const page = await fetch(end, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.store(page);
      const done = await submitAsIs(await page.text(), end.href, jar);
      const back = new URL(done.headers.get('location')!);
      expect(back.origin + back.pathname).toBe(SIGNED_OUT);
      expect(back.searchParams.get('state')).toBe('bye');
      expect((await silentSignIn(config, jar)).get('error')).toBe('login_required');
    });

    it('refuses a post_logout_redirect_uri that is not registered with an error page, and keeps the session', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ postLogoutRedirectUris: [SIGNED_OUT] });
      const { tokens, jar } = await signIn(config, user.email);
      const end = oidc.buildEndSessionUrl(config, { id_token_hint: tokens.id_token!, post_logout_redirect_uri: 'https://evil.example/out' });
      const res = await fetch(end, { headers: { cookie: jar.header(), accept: 'text/html' }, redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).not.toContain('evil.example');
      expect((await silentSignIn(config, jar)).get('code')).toBeTruthy();
    });
  });

  describe('token endpoint', () => {
    it('accepts client_secret_post from an application registered for client_secret_basic and the reverse, as Keycloak and Cognito do', async () => {
      const user = await createUser(t, ws, pool);
      const basic = await createApplication(t, ws, { tokenEndpointAuthMethod: 'client_secret_basic' });
      const post = await createApplication(t, ws, { tokenEndpointAuthMethod: 'client_secret_post' });
      const as = (app: { clientId: string; clientSecret: string }, auth: oidc.ClientAuth) =>
        oidc.discovery(new URL(issuer), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
      expect(decodeJwt((await passwordGrant(await as(basic, oidc.ClientSecretPost(basic.clientSecret)), user.email, 'openid')).id_token!).sub).toBe(user.id);
      expect(decodeJwt((await passwordGrant(await as(post, oidc.ClientSecretBasic(post.clientSecret)), user.email, 'openid')).id_token!).sub).toBe(user.id);
    });

    it('answers a wrong secret sent with HTTP Basic 401 invalid_client with a Basic challenge (RFC 6749 §5.2)', async () => {
      const { app } = await relyingParty();
      const res = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:wrong`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(res.status).toBe(401);
      expect(res.headers.get('www-authenticate')).toMatch(/^Basic realm=.*error="invalid_client"/);
    });

    it('refuses the code of a public client redeemed without its PKCE verifier', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'] });
      const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
      const result = await followLogin(url.href, { identifier: user.email, password: PASSWORD }, REDIRECT_URI);
      const code = new URL(result.redirectedTo!).searchParams.get('code')!;
      expect(await oauthError(oidc.genericGrantRequest(config, 'authorization_code', { code, redirect_uri: REDIRECT_URI }))).toMatchObject({ status: 400, error: 'invalid_grant' });
    });
  });

  describe('refresh', () => {
    it('issues a refresh token for the code grant only with offline_access, as discovery and the password grant say', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      expect((await signIn(config, user.email, { scope: 'openid email' })).tokens.refresh_token).toBeUndefined();
      expect((await signIn(config, user.email, { scope: 'openid email offline_access' })).tokens.refresh_token).toBeDefined();
    });

    it('lets a public client (an SPA with PKCE) refresh and rotate its refresh token without a secret', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'] });
      const { tokens } = await signIn(config, user.email, { scope: 'openid offline_access' });
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.refresh_token).not.toBe(tokens.refresh_token);
      expect(refreshed.claims()!.sub).toBe(user.id);
      expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toMatchObject({ status: 400, error: 'invalid_grant' });
    });

    it('narrows the scope on refresh, in the access token and the ID token, and refuses a wider one', async () => {
      const user = await createUser(t, ws, pool, { mobile: '+14155550111' });
      const { config } = await relyingParty();
      const { tokens } = await signIn(config, user.email, { scope: 'openid email phone offline_access' });
      const narrowed = await oidc.refreshTokenGrant(config, tokens.refresh_token!, { scope: 'openid email offline_access' });
      expect(decodeJwt(narrowed.access_token).scope).toBe('openid email offline_access');
      expect(narrowed.claims()).toMatchObject({ email: user.email });
      expect(narrowed.claims()).not.toHaveProperty('phone_number');
      expect(await oidc.fetchUserInfo(config, narrowed.access_token, user.id)).not.toHaveProperty('phone_number');
      expect(await oauthError(oidc.refreshTokenGrant(config, narrowed.refresh_token!, { scope: 'openid groups' }))).toMatchObject({ status: 400, error: 'invalid_scope' });
    });

    it('puts the user’s current profile and groups in the ID token after a refresh', async () => {
      const user = await createUser(t, ws, pool, { givenName: 'Before' });
      const { config } = await relyingParty();
      const { tokens } = await signIn(config, user.email, { scope: 'openid profile groups offline_access' });
      expect(tokens.claims()).toMatchObject({ given_name: 'Before', groups: [] });
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [user.id]);
      await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).send({ givenName: 'After' }).expect(200);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.claims()).toMatchObject({ sub: user.id, given_name: 'After', groups: [group.name] });
    });
  });

  describe('revocation', () => {
    it('lets only the owning application revoke a refresh token; another application of the workspace gets 200 and revokes nothing', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { config: other } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid offline_access');
      await oidc.tokenRevocation(other, tokens.refresh_token!);
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      await oidc.fetchUserInfo(config, refreshed.access_token, user.id);
      await oidc.tokenRevocation(config, refreshed.refresh_token!);
      expect(await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).toMatchObject({ status: 400, error: 'invalid_grant' });
    });
    // DEFECT — every access token is a JWT, and revoking one answered 400 unsupported_token_type, which libraries that revoke both tokens at sign-out (as with Keycloak) treat as a failure.
    it('revokes an access token for its own application only, and with it the grant (RFC 7009 §2.1), as for an opaque one', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { config: other } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid offline_access');
      await oidc.tokenRevocation(other, tokens.access_token);
      await oidc.fetchUserInfo(config, tokens.access_token, user.id);
      await oidc.tokenRevocation(config, tokens.access_token);
      expect((await oauthError(oidc.fetchUserInfo(config, tokens.access_token, user.id))).status).toBe(401);
      expect(await oidc.tokenIntrospection(config, tokens.access_token)).toEqual({ active: false });
      expect(await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).toMatchObject({ status: 400, error: 'invalid_grant' });
      // Revoking it again, or a token that is not one, is no error (RFC 7009 §2.2).
      await oidc.tokenRevocation(config, tokens.access_token);
      await oidc.tokenRevocation(config, 'eyJhbGciOiJub25lIn0.e30.');
    });
  });

  describe('workspace isolation', () => {
    it('refuses workspace A’s tokens at workspace B’s issuer: introspection and refresh', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid offline_access');
      const otherWs = (await createWorkspace(t)).id;
      const { config: otherConfig } = await relyingPartyAt(otherWs);
      expect(await oauthError(oidc.refreshTokenGrant(otherConfig, tokens.refresh_token!))).toMatchObject({ status: 400, error: 'invalid_grant' });
      for (const token of [tokens.access_token, tokens.refresh_token!]) {
        expect(await oidc.tokenIntrospection(otherConfig, token)).toEqual({ active: false });
      }
      // Still good at home.
      await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    });
  });

  describe('claims by scope', () => {
    it('releases groups only with the groups scope, in the ID token and at userinfo, on the code flow', async () => {
      const user = await createUser(t, ws, pool);
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [user.id]);
      const { config } = await relyingParty();
      const without = (await signIn(config, user.email, { scope: 'openid profile email' })).tokens;
      expect(without.claims()).not.toHaveProperty('groups');
      expect(await oidc.fetchUserInfo(config, without.access_token, user.id)).not.toHaveProperty('groups');
      const withGroups = (await signIn(config, user.email, { scope: 'openid groups' })).tokens;
      expect(withGroups.claims()).toMatchObject({ groups: [group.name] });
      expect(withGroups.claims()).not.toHaveProperty('email_verified');
      expect(await oidc.fetchUserInfo(config, withGroups.access_token, user.id)).toEqual({ sub: user.id, groups: [group.name] });
    });
  });
});
