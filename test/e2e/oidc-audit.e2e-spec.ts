import { createRemoteJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, oauthError, pkceAuthorization, REDIRECT_URI, unique } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of sign-in through the per-workspace OpenID Connect issuer. The tests marked
 * DEFECT failed when written; each names the contract line, RFC or expectation it holds
 * the issuer to. The others pin subtle behaviour that is right and not covered elsewhere.
 */

const PASSWORD = 'correct horse battery';
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('OpenID Connect issuer audit', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '1000', RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000' }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
    await connect(ws, pool);
    issuer = `${t.baseUrl}/oidc/${ws}`;
  });
  afterAll(() => t.close());

  const connect = (workspaceId: string, poolId: string, body: Record<string, unknown> = {}) => connectPool(t, workspaceId, poolId, body);

  async function relyingParty(body: Record<string, unknown> = {}, method?: 'post') {
    const app = await createApplication(t, ws, body);
    const auth = !app.clientSecret ? oidc.None() : method === 'post' ? oidc.ClientSecretPost(app.clientSecret) : oidc.ClientSecretBasic(app.clientSecret);
    const config = await oidc.discovery(new URL(issuer), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
    return { app, config };
  }

  /** Another workspace with a connected pool, a user, an application and its relying party at that workspace's issuer. */
  async function otherWorkspace() {
    const otherWs = (await createWorkspace(t)).id;
    const otherPool = (await createPool(t, otherWs)).id;
    await connect(otherWs, otherPool);
    const user = await createUser(t, otherWs, otherPool);
    const app = await createApplication(t, otherWs);
    const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${otherWs}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
    return { user, app, config };
  }

  const passwordGrant = (config: oidc.Configuration, username: string, scope = 'openid', extra: Record<string, string> = {}) =>
    oidc.genericGrantRequest(config, 'password', { username, password: PASSWORD, scope, ...extra });

  const authorizationUrl = (config: oidc.Configuration, params: Record<string, string> = {}) => pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid', ...params });

  /** Signs in through the login page (reusing the browser's cookies in `jar`) and redeems the code. */
  async function signIn(config: oidc.Configuration, email: string, params: Record<string, string> = {}, jar = new CookieJar()) {
    const { url, verifier, state } = await authorizationUrl(config, params);
    const result = await followLogin(url.href, { identifier: email, password: PASSWORD }, REDIRECT_URI, jar);
    if (!result.redirectedTo) throw new Error(`sign-in stopped on a page: ${result.page?.status} ${result.page?.body.slice(0, 300)}`);
    const tokens = await oidc.authorizationCodeGrant(config, new URL(result.redirectedTo), {
      pkceCodeVerifier: verifier,
      expectedState: state,
      ...(params.nonce && { expectedNonce: params.nonce }),
      ...(params.max_age && { maxAge: Number(params.max_age) }),
    });
    return { tokens, jar };
  }

  /** A silent authorization request (prompt=none) with the browser's cookies: where the issuer sends it back. */
  async function silent(config: oidc.Configuration, jar: CookieJar, params: Record<string, string> = {}) {
    const { url, state } = await authorizationUrl(config, { prompt: 'none', ...params });
    const result = await followLogin(url.href, { identifier: '', password: '' }, REDIRECT_URI, jar);
    return { redirectedTo: result.redirectedTo ? new URL(result.redirectedTo) : null, state, page: result.page };
  }

  describe('discovery and keys', () => {
    it('lists every endpoint a relying party needs, under the issuer, and the signing algorithms of its keys', async () => {
      const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
      for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint']) {
        expect(doc[endpoint]).toEqual(expect.stringMatching(new RegExp(`^${issuer}/`)));
      }
      expect(doc.response_types_supported).toEqual(['code']);
      expect(doc.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
      expect(doc.token_endpoint_auth_methods_supported).toEqual(expect.arrayContaining(['client_secret_basic', 'client_secret_post', 'none']));
      expect(doc.claims_supported).toEqual(expect.arrayContaining(['sub', 'email', 'email_verified', 'given_name', 'family_name', 'name', 'phone_number', 'groups']));
    });
  });

  describe('authorization endpoint', () => {
    it('refuses a redirect_uri that is not registered with an error page, never a redirect to it', async () => {
      const { config } = await relyingParty();
      const { url } = await authorizationUrl(config, { redirect_uri: 'https://evil.example/callback' });
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      expect(await res.text()).not.toContain('evil.example');
    });

    it('redeems a code only with its PKCE verifier and its redirect_uri', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const code = async () => {
        const { url, verifier } = await authorizationUrl(config);
        const result = await followLogin(url.href, { identifier: user.email, password: PASSWORD }, REDIRECT_URI);
        return { code: new URL(result.redirectedTo!).searchParams.get('code')!, verifier };
      };
      const wrongVerifier = await code();
      expect(
        await oauthError(oidc.genericGrantRequest(config, 'authorization_code', { code: wrongVerifier.code, redirect_uri: REDIRECT_URI, code_verifier: oidc.randomPKCECodeVerifier() })),
      ).toMatchObject({ status: 400, error: 'invalid_grant' });
      const wrongUri = await code();
      expect(
        await oauthError(oidc.genericGrantRequest(config, 'authorization_code', { code: wrongUri.code, redirect_uri: 'http://127.0.0.1/elsewhere', code_verifier: wrongUri.verifier })),
      ).toMatchObject({ status: 400, error: 'invalid_grant' });
    });

    it('refuses plain PKCE', async () => {
      const { config } = await relyingParty({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code'] });
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', code_challenge: 'x'.repeat(43), code_challenge_method: 'plain', state: 's' });
      const location = new URL((await fetch(url, { redirect: 'manual' })).headers.get('location')!);
      expect(location.searchParams.get('error')).toBe('invalid_request');
      expect(location.searchParams.get('state')).toBe('s');
    });

    it('answers prompt=none without a session with login_required at the redirect URI, state echoed', async () => {
      const { config } = await relyingParty();
      const { redirectedTo, state } = await silent(config, new CookieJar());
      expect(redirectedTo?.searchParams.get('error')).toBe('login_required');
      expect(redirectedTo?.searchParams.get('state')).toBe(state);
      expect(redirectedTo?.searchParams.get('iss')).toBe(issuer);
    });

    it('puts the nonce and auth_time in the ID token, and forces a new login when max_age has passed', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const nonce = oidc.randomNonce();
      const { tokens, jar } = await signIn(config, user.email, { nonce, max_age: '3600' });
      const claims = tokens.claims()!;
      expect(claims.nonce).toBe(nonce);
      expect(typeof claims.auth_time).toBe('number');
      // The session answers a silent request...
      expect((await silent(config, jar)).redirectedTo?.searchParams.get('code')).toBeTruthy();
      await sleep(2100);
      // ...but not one whose max_age the sign-in is older than.
      expect((await silent(config, jar, { max_age: '1' })).redirectedTo?.searchParams.get('error')).toBe('login_required');
    });

    /** RP-initiated logout with the ID token as hint, confirmed as the page's form does; where the issuer sends the browser back. */
    async function signOut(config: oidc.Configuration, idToken: string, jar: CookieJar): Promise<URL> {
      const end = oidc.buildEndSessionUrl(config, { id_token_hint: idToken, post_logout_redirect_uri: 'http://127.0.0.1/signed-out', state: 'bye' });
      const confirm = await fetch(end, { headers: { cookie: jar.header() }, redirect: 'manual' });
      jar.store(confirm);
      const page = await confirm.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(page)![1];
      const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)![1];
      const done = await fetch(new URL(action, end), {
        method: 'POST',
        headers: { cookie: jar.header(), 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ xsrf, logout: 'yes' }).toString(),
        redirect: 'manual',
      });
      jar.store(done);
      return new URL(done.headers.get('location')!);
    }

    it('ends the session at RP-initiated logout: a silent request afterwards gets login_required', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ postLogoutRedirectUris: ['http://127.0.0.1/signed-out'] });
      const { tokens, jar } = await signIn(config, user.email);
      const back = await signOut(config, tokens.id_token!, jar);
      expect(back.origin + back.pathname).toBe('http://127.0.0.1/signed-out');
      expect(back.searchParams.get('state')).toBe('bye');
      expect((await silent(config, jar)).redirectedTo?.searchParams.get('error')).toBe('login_required');
    });

    // offline_access is access beyond the browser session (OIDC Core §11): Keycloak's offline tokens and Auth0's refresh tokens outlive a sign-out.
    it('keeps an offline_access refresh token working after the browser session is signed out', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ postLogoutRedirectUris: ['http://127.0.0.1/signed-out'] });
      const { tokens, jar } = await signIn(config, user.email, { scope: 'openid offline_access' });
      expect(tokens.refresh_token).toBeTruthy();
      await signOut(config, tokens.id_token!, jar);
      expect((await silent(config, jar)).redirectedTo?.searchParams.get('error')).toBe('login_required');
      const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
      expect(refreshed.access_token).toBeTruthy();
    });

    // DEFECT — an application whose grantTypes lack authorization_code may not start the flow (RFC 6749 §4.1.2.1 unauthorized_client, to the redirect URI).
    it('refuses the authorization endpoint to an application without authorization_code', async () => {
      const { config } = await relyingParty({ grantTypes: ['password'] });
      const { url, state } = await authorizationUrl(config);
      const res = await fetch(url, { redirect: 'manual' });
      const location = res.headers.get('location');
      expect(location).not.toBeNull();
      expect(new URL(location!).searchParams.get('error')).toBe('unauthorized_client');
      expect(new URL(location!).searchParams.get('state')).toBe(state);
    });

    // DEFECT — revoking a refresh token (RFC 7009) revokes its grant; signing in to the application again from the same browser must still work, not loop between /auth and the interaction.
    it('signs the user in again after the application revoked its refresh token, with the browser session still alive', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { tokens, jar } = await signIn(config, user.email, { scope: 'openid offline_access' });
      await oidc.tokenRevocation(config, tokens.refresh_token!);
      const again = await signIn(config, user.email, { scope: 'openid offline_access' }, jar);
      expect(again.tokens.claims()!.sub).toBe(user.id);
    });

    // DEFECT — same loop after refresh-token reuse detection revoked the grant (the SSO session is untouched).
    it('signs the user in again after refresh-token reuse revoked the grant', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { tokens, jar } = await signIn(config, user.email, { scope: 'openid' });
      expect(tokens.claims()!.sub).toBe(user.id);
      const first = await signIn(config, user.email, { scope: 'openid offline_access' }, jar);
      await oidc.refreshTokenGrant(config, first.tokens.refresh_token!);
      expect((await oauthError(oidc.refreshTokenGrant(config, first.tokens.refresh_token!))).error).toBe('invalid_grant');
      const again = await signIn(config, user.email, { scope: 'openid' }, jar);
      expect(again.tokens.claims()!.sub).toBe(user.id);
    });

    // DEFECT — Keycloak / Cognito / Auth0 keep one session per realm / pool / tenant: signing in at another workspace's issuer must not end this one's (the `_session` cookie is shared at path /).
    it('keeps the browser session of one workspace when the user signs in at another workspace', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { jar } = await signIn(config, user.email);
      expect((await silent(config, jar)).redirectedTo?.searchParams.get('code')).toBeTruthy();

      const { user: otherUser, config: otherConfig } = await otherWorkspace();
      await signIn(otherConfig, otherUser.email, {}, jar);

      const back = await silent(config, jar);
      expect(back.redirectedTo?.searchParams.get('error')).toBeNull();
      expect(back.redirectedTo?.searchParams.get('code')).toBeTruthy();
    });

    // DEFECT — the issuer's own rule (Keycloak / Cognito behaviour, OIDC Core §11 "other conditions"): offline_access yields a refresh token without a consent screen; with prompt=login it is silently dropped.
    it('hands out a refresh token for offline_access with prompt=login', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const { tokens } = await signIn(config, user.email, { scope: 'openid offline_access', prompt: 'login' });
      expect(tokens.refresh_token).toBeDefined();
    });
  });

  describe('claims and tokens', () => {
    it('releases phone_number with scope phone, in the ID token and at userinfo, and nothing else unasked', async () => {
      const user = await createUser(t, ws, pool, { mobile: '+14155550123', givenName: 'Grace' });
      const { config } = await relyingParty();
      const { tokens } = await signIn(config, user.email, { scope: 'openid phone' });
      const claims = tokens.claims()!;
      expect(claims.phone_number).toBe('+14155550123');
      for (const hidden of ['email', 'given_name', 'groups']) expect(claims).not.toHaveProperty(hidden);
      const info = await oidc.fetchUserInfo(config, tokens.access_token, user.id);
      expect(info).toEqual({ sub: user.id, phone_number: '+14155550123' });
    });

    it('limits the password grant’s ID token to the requested scope', async () => {
      const user = await createUser(t, ws, pool, { givenName: 'Alan' });
      const group = await createGroup(t, ws);
      await t.root('post', `/v1/workspaces/${ws}/groups/${group.id}/members`).send({ userIds: [user.id] }).expect(200);
      const { config } = await relyingParty();
      const bare = decodeJwt((await passwordGrant(config, user.email, 'openid')).id_token!);
      for (const hidden of ['email', 'email_verified', 'given_name', 'groups']) expect(bare).not.toHaveProperty(hidden);
      const full = decodeJwt((await passwordGrant(config, user.email, 'openid email groups')).id_token!);
      expect(full).toMatchObject({ email: user.email, email_verified: false, groups: [group.name] });
      expect(full).not.toHaveProperty('given_name');
    });

    it('issues RFC 9068 access tokens: typ at+jwt and every required claim, verifiable with the JWKS', async () => {
      const user = await createUser(t, ws, pool);
      const { config, app } = await relyingParty();
      const { tokens } = await signIn(config, user.email, { scope: 'openid email' });
      const { payload, protectedHeader } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: issuer, typ: 'at+jwt' });
      expect(protectedHeader.kid).toBeDefined();
      expect(payload).toMatchObject({ sub: user.id, client_id: app.clientId, scope: expect.stringContaining('email') });
      for (const claim of ['exp', 'iat', 'jti']) expect(payload).toHaveProperty(claim);
      expect(decodeProtectedHeader(tokens.id_token!).typ).not.toBe('at+jwt');
    });

    const introspect = (app: { clientId: string; clientSecret: string }, token: string) =>
      fetch(`${issuer}/token/introspection`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ token }).toString(),
      }).then(async (res) => ({ status: res.status, body: (await res.json()) as Record<string, unknown> }));

    // DEFECT — RFC 7662 §2.2: introspection answers 200 with `active` for any token; every access token the issuer makes (a JWT) gets 400 unsupported_token_type.
    it('introspects its own access tokens (RFC 7662)', async () => {
      const user = await createUser(t, ws, pool);
      const { config, app } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid offline_access');
      expect(await introspect(app, tokens.refresh_token!)).toMatchObject({ status: 200, body: { active: true, sub: user.id, client_id: app.clientId } });
      expect(await introspect(app, tokens.access_token)).toMatchObject({ status: 200, body: { active: true, sub: user.id, client_id: app.clientId, scope: 'openid offline_access' } });
      // A token it does not know is inactive, not an error.
      expect(await introspect(app, 'no-such-token')).toEqual({ status: 200, body: { active: false } });
    });

    // DEFECT — RFC 7662 §2.1 / Keycloak: the protected resource (an API registered as its own confidential application) introspects the tokens sent to it; the issuer only lets the token's own client do so.
    it('lets another confidential application of the workspace (a resource server) introspect a user’s access token', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid');
      const api = await createApplication(t, ws, { grantTypes: ['client_credentials'], redirectUris: [] });
      expect(await introspect(api, tokens.access_token)).toMatchObject({ status: 200, body: { active: true, sub: user.id } });
    });

    // DEFECT — RFC 8707 §2: `resource` must be an absolute URI (invalid_target otherwise); the password grant mints tokens for any string.
    it('refuses a resource that is not an absolute URI at the password grant', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      expect(await oauthError(passwordGrant(config, user.email, 'openid', { resource: 'not a uri' }))).toMatchObject({ status: 400, error: 'invalid_target' });
    });
  });

  describe('userinfo', () => {
    // DEFECT — a public (SPA) client calls userinfo from the browser: CORS for the application's origin, as oidc-provider's token endpoint gives it.
    it('answers a CORS preflight and request from a registered application’s origin', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'] });
      const { tokens } = await signIn(config, user.email, { scope: 'openid email' });
      const origin = 'http://127.0.0.1';
      const token = await fetch(`${issuer}/token`, { method: 'OPTIONS', headers: { origin, 'access-control-request-method': 'POST' } });
      expect(token.headers.get('access-control-allow-origin')).toBe(origin);
      const preflight = await fetch(`${issuer}/userinfo`, {
        method: 'OPTIONS',
        headers: { origin, 'access-control-request-method': 'GET', 'access-control-request-headers': 'authorization' },
      });
      expect(preflight.headers.get('access-control-allow-origin')).toBe(origin);
      const res = await fetch(`${issuer}/userinfo`, { headers: { origin, authorization: `Bearer ${tokens.access_token}` } });
      expect(res.status).toBe(200);
      expect(res.headers.get('access-control-allow-origin')).toBe(origin);
    });

    it('answers POST as GET (OIDC Core §5.3.1)', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid email');
      const res = await fetch(`${issuer}/userinfo`, { method: 'POST', headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({ sub: user.id, email: user.email, email_verified: false });
    });

    it('takes the token as access_token in a POSTed form (RFC 6750 §2.2), one way only, and challenges a request without one (§3.1)', async () => {
      const user = await createUser(t, ws, pool);
      const { config } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid email');
      const form = { 'content-type': 'application/x-www-form-urlencoded' };
      const inForm = await fetch(`${issuer}/userinfo`, { method: 'POST', headers: form, body: new URLSearchParams({ access_token: tokens.access_token }) });
      expect(inForm.status).toBe(200);
      expect(((await inForm.json()) as { sub: string }).sub).toBe(user.id);

      const both = await fetch(`${issuer}/userinfo`, { method: 'POST', headers: { ...form, authorization: `Bearer ${tokens.access_token}` }, body: new URLSearchParams({ access_token: tokens.access_token }) });
      expect(both.status).toBe(400);
      expect(((await both.json()) as { error: string }).error).toBe('invalid_request');

      const none = await fetch(`${issuer}/userinfo`);
      expect(none.status).toBe(401);
      expect(none.headers.get('www-authenticate')).toBe('Bearer');
      const wrong = await fetch(`${issuer}/userinfo`, { method: 'POST', headers: form, body: new URLSearchParams({ access_token: 'not-a-token' }) });
      expect(wrong.status).toBe(401);
      expect(wrong.headers.get('www-authenticate')).toMatch(/^Bearer error="invalid_token"/);
    });

    it('refuses an access token once its identity provider is disabled', async () => {
      const other = (await createPool(t, ws)).id;
      const connection = await connect(ws, other);
      const user = await createUser(t, ws, other);
      const { config } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid');
      await oidc.fetchUserInfo(config, tokens.access_token, user.id);
      await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${connection.id}`).send({ enabled: false }).expect(200);
      expect((await oauthError(oidc.fetchUserInfo(config, tokens.access_token, user.id))).status).toBe(401);
    });

    it('refuses an access token of another workspace’s issuer', async () => {
      const { user, app, config } = await otherWorkspace();
      const tokens = await passwordGrant(config, user.email, 'openid');
      const res = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
      expect(res.status).toBe(401);
      // ...and its client is unknown here.
      const token = await fetch(`${issuer}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: 'grant_type=client_credentials',
      });
      expect(token.status).toBe(401);
    });
  });

  describe('applications', () => {
    it('applies a PATCH of redirectUris and grantTypes to the very next request', async () => {
      const user = await createUser(t, ws, pool);
      const { config, app } = await relyingParty();
      const before = await passwordGrant(config, user.email, 'openid offline_access');
      const other = 'http://127.0.0.1/other-callback';
      await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ redirectUris: [other], grantTypes: ['authorization_code', 'password'] }).expect(200);

      const { url } = await authorizationUrl(config);
      const res = await fetch(url, { redirect: 'manual' });
      expect(res.status).toBe(400);
      expect(res.headers.get('location')).toBeNull();
      const moved = await authorizationUrl(config, { redirect_uri: other });
      const ok = await fetch(moved.url, { redirect: 'manual' });
      expect(ok.headers.get('location')).toMatch(/\/interaction\//);

      expect((await oauthError(oidc.refreshTokenGrant(config, before.refresh_token!))).error).toBe('unauthorized_client');
      const after = await passwordGrant(config, user.email, 'openid offline_access');
      expect(after.refresh_token).toBeUndefined();
    });

    it('stops a deleted application’s refresh tokens', async () => {
      const user = await createUser(t, ws, pool);
      const { config, app } = await relyingParty();
      const tokens = await passwordGrant(config, user.email, 'openid offline_access');
      await t.root('delete', `/v1/workspaces/${ws}/applications/${app.id}`).expect(204);
      expect((await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_client');
    });
  });

  describe('identity providers', () => {
    it('signs in the user of the pool with the lowest priority when an email is in two connected pools', async () => {
      const email = `${unique('twin')}@example.com`;
      const high = (await createPool(t, ws)).id;
      const low = (await createPool(t, ws)).id;
      const inHigh = await createUser(t, ws, high, { email, credential: { mode: 'password', password: 'password of the first pool' } });
      const inLow = await createUser(t, ws, low, { email, credential: { mode: 'password', password: 'password of the second pool' } });
      const highConnection = await connect(ws, high, { priority: 10 });
      await connect(ws, low, { priority: 1 });
      const { config } = await relyingParty();
      const grant = (password: string) => oidc.genericGrantRequest(config, 'password', { username: email, password, scope: 'openid' });
      expect(decodeJwt((await grant('password of the second pool')).id_token!).sub).toBe(inLow.id);
      expect((await oauthError(grant('password of the first pool'))).error).toBe('invalid_grant');
      await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${highConnection.id}`).send({ priority: 0 }).expect(200);
      expect(decodeJwt((await grant('password of the first pool')).id_token!).sub).toBe(inHigh.id);
    });
  });
});

describe.each([
  ['a TLS-terminating proxy', 'https://id.example.test'],
  ['a proxy that adds a path prefix', 'https://id.example.test/identity'],
])('OpenID Connect issuer behind %s', (_name, publicUrl) => {
  let t: TestApp;

  beforeAll(async () => {
    // As deployed: PUBLIC_URL is the https address the proxy answers at; the service speaks plain HTTP behind it.
    t = await startTestApp({ PUBLIC_URL: publicUrl });
  });
  afterAll(() => t.close());

  // DEFECT — API.md: the issuer is `{PUBLIC_URL}/oidc/{ws}` and "endpoints as discovery says"; every endpoint must live under that issuer (OIDC Discovery §3, Keycloak's hostname setting), not under the request's scheme and host.
  it('publishes every endpoint under the issuer built from PUBLIC_URL', async () => {
    const ws = (await createWorkspace(t)).id;
    const issuer = `${publicUrl}/oidc/${ws}`;
    const res = await t.http.get(`/oidc/${ws}/.well-known/openid-configuration`).set('Host', 'id.example.test').expect(200);
    expect(res.body.issuer).toBe(issuer);
    for (const endpoint of ['authorization_endpoint', 'token_endpoint', 'jwks_uri', 'end_session_endpoint', 'revocation_endpoint', 'introspection_endpoint', 'userinfo_endpoint']) {
      expect({ endpoint, url: res.body[endpoint] }).toEqual({ endpoint, url: expect.stringMatching(new RegExp(`^${issuer}/`)) });
    }
  });

  it('sends the browser to the login page under the issuer, its cookies scoped to the public paths and Secure', async () => {
    const ws = (await createWorkspace(t)).id;
    const issuer = `${publicUrl}/oidc/${ws}`;
    const app = await createApplication(t, ws);
    const query = new URLSearchParams({ client_id: app.clientId, redirect_uri: REDIRECT_URI, response_type: 'code', scope: 'openid', state: 's' });
    const res = await t.http.get(`/oidc/${ws}/auth?${query}`).set('Host', 'id.example.test').expect(303);
    expect(res.headers.location).toMatch(new RegExp(`^${issuer}/interaction/[^/]+$`));
    const cookies = ([] as string[]).concat(res.headers['set-cookie'] ?? []);
    const cookiePaths = cookies.map((cookie) => /;\s*path=([^;]+)/i.exec(cookie)?.[1]);
    expect(cookiePaths.length).toBeGreaterThan(0);
    for (const path of cookiePaths) expect(path).toMatch(new RegExp(`^${new URL(issuer).pathname}/`));
    // The proxy sent no X-Forwarded-Proto (and TRUST_PROXY is unset): the https issuer alone makes them Secure.
    for (const cookie of cookies) expect(cookie).toMatch(/;\s*secure/i);
  });
});
