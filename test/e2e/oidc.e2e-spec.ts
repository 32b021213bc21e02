import * as argon2 from 'argon2';
import { createRemoteJWKSet, decodeJwt, jwtVerify } from 'jose';
import * as oidc from 'openid-client';
import { Client } from 'pg';
import { connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, oauthError, pkceAuthorization, REDIRECT_URI, unique } from '../factories';
import { followLogin } from '../support/browserless-login';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

describe('OpenID Connect issuer', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;
  let providerId: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { lockout: { maxFailedAttempts: 3, durationSeconds: 600 } })).id;
    providerId = (await connect(ws, pool)).id;
    issuer = `${t.baseUrl}/oidc/${ws}`;
  });
  afterAll(() => t.close());

  const connect = (workspaceId: string, poolId: string, body: Record<string, unknown> = {}) => connectPool(t, workspaceId, poolId, body);

  function application(body: Record<string, unknown> = {}) {
    return createApplication(t, ws, { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'], ...body });
  }

  async function relyingParty(body: Record<string, unknown> = {}) {
    const app = await application(body);
    const auth = app.clientSecret ? oidc.ClientSecretBasic(app.clientSecret) : oidc.None();
    return oidc.discovery(new URL(issuer), app.clientId, undefined, auth, { execute: [oidc.allowInsecureRequests] });
  }

  async function passwordGrant(config: oidc.Configuration, username: string, password: string, scope = 'openid profile email groups offline_access') {
    return oidc.genericGrantRequest(config, 'password', { username, password, scope });
  }

  /** Signs in through the login page; `redirectedTo` carries the code when it worked. */
  async function authorize(config: oidc.Configuration, identifier: string, password: string, scope: string) {
    const { url, verifier, state } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope });
    const result = await followLogin(url.href, { identifier, password }, REDIRECT_URI);
    const redeem = () => oidc.authorizationCodeGrant(config, new URL(result.redirectedTo!), { pkceCodeVerifier: verifier, expectedState: state });
    return { result, redeem };
  }

  async function codeFlow(config: oidc.Configuration, identifier: string, password: string, scope = 'openid profile email groups offline_access') {
    const { result, redeem } = await authorize(config, identifier, password, scope);
    return { result, tokens: result.redirectedTo ? await redeem() : null };
  }

  /** Runs the same grant `times` at once: the refresh tokens of those that got through, and the others' errors. */
  async function concurrently(times: number, grant: () => Promise<oidc.TokenEndpointResponse>) {
    const outcomes = await Promise.all(
      Array.from({ length: times }, () =>
        grant().then(
          (tokens) => ({ refreshToken: tokens.refresh_token!, error: undefined }),
          (error: oidc.ResponseBodyError) => ({ refreshToken: undefined, error: error.error }),
        ),
      ),
    );
    return { refreshTokens: outcomes.flatMap((o) => (o.refreshToken ? [o.refreshToken] : [])), errors: outcomes.flatMap((o) => (o.error ? [o.error] : [])) };
  }

  it('publishes discovery with the contract’s grants, scopes and endpoints', async () => {
    const res = await fetch(`${issuer}/.well-known/openid-configuration`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    expect(doc.issuer).toBe(issuer);
    expect(doc.grant_types_supported).toEqual(expect.arrayContaining(['authorization_code', 'refresh_token', 'client_credentials', 'password']));
    expect(doc.scopes_supported).toEqual(expect.arrayContaining(['openid', 'profile', 'email', 'phone', 'groups', 'offline_access']));
    expect(doc.code_challenge_methods_supported).toEqual(['S256']);
    expect(doc.userinfo_endpoint).toBe(`${issuer}/userinfo`);
    const jwks = (await (await fetch(doc.jwks_uri)).json()) as { keys: Record<string, unknown>[] };
    expect(jwks.keys.map((k) => k.alg as string).sort()).toEqual(['ES256', 'RS256']);
    for (const key of jwks.keys) for (const secret of ['d', 'p', 'q', 'dp', 'dq', 'qi']) expect(key).not.toHaveProperty(secret);
  });

  it('answers 404 for an issuer of no workspace, and for the workspace id spelled in upper case', async () => {
    const res = await fetch(`${t.baseUrl}/oidc/00000000-0000-4000-8000-000000000000/.well-known/openid-configuration`);
    expect(res.status).toBe(404);
    // One issuer per workspace: another spelling of its id would be an issuer (and a cached Provider) of its own.
    expect((await fetch(`${t.baseUrl}/oidc/${ws.toUpperCase()}/.well-known/openid-configuration`)).status).toBe(404);
  });

  it('answers a path or method the issuer does not serve with a problem pointing to discovery', async () => {
    for (const [method, path] of [['GET', '/nope'], ['GET', '/token']]) {
      const res = await fetch(`${issuer}${path}`, { method });
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: expect.stringMatching(/^application\/problem\+json/) });
      const problem = (await res.json()) as { status: number; detail: string };
      expect(problem).toMatchObject({ status: 404, detail: expect.stringContaining(`${method} at this path`) });
      expect(problem.detail).toContain(`${issuer}/.well-known/openid-configuration`);
    }
  });

  it('signs in through the login page with authorization code + PKCE, then userinfo and refresh rotation', async () => {
    const user = await createUser(t, ws, pool, { givenName: 'Ada', familyName: 'Lovelace', name: 'Ada Lovelace', mobile: '+14155550100' });
    const group = await createGroup(t, ws, { name: unique('admins') });
    await t.root('post', `/v1/workspaces/${ws}/groups/${group.id}/members`).send({ userIds: [user.id] }).expect(200);
    const config = await relyingParty();

    const { tokens } = await codeFlow(config, user.email.toUpperCase(), PASSWORD);
    expect(tokens).not.toBeNull();
    const claims = tokens!.claims()!;
    expect(claims).toMatchObject({ iss: issuer, sub: user.id, email: user.email, email_verified: false, given_name: 'Ada', family_name: 'Lovelace', name: 'Ada Lovelace', groups: [group.name] });

    const jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    const { payload, protectedHeader } = await jwtVerify(tokens!.access_token, jwks, { issuer, audience: issuer, typ: 'at+jwt' });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: user.id, client_id: config.clientMetadata().client_id });

    const info = await oidc.fetchUserInfo(config, tokens!.access_token, user.id);
    expect(info).toMatchObject({ sub: user.id, email: user.email, given_name: 'Ada', groups: [group.name] });
    expect(info).not.toHaveProperty('phone_number');

    const refreshed = await oidc.refreshTokenGrant(config, tokens!.refresh_token!);
    expect(refreshed.refresh_token).toBeDefined();
    expect(refreshed.refresh_token).not.toBe(tokens!.refresh_token);

    const me = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200);
    expect(me.body.lastSignInAt).not.toBeNull();
  });

  it('detects a reused refresh token and revokes the whole grant', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const first = await passwordGrant(config, user.email, PASSWORD);
    const second = await oidc.refreshTokenGrant(config, first.refresh_token!);
    expect((await oauthError(oidc.refreshTokenGrant(config, first.refresh_token!))).error).toBe('invalid_grant');
    // The rotated token belonged to the same grant, so it is gone too.
    expect((await oauthError(oidc.refreshTokenGrant(config, second.refresh_token!))).error).toBe('invalid_grant');
  });

  it('refuses at userinfo the access tokens of a grant revoked with its refresh token, or by reuse', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const revoked = await passwordGrant(config, user.email, PASSWORD);
    await oidc.fetchUserInfo(config, revoked.access_token, user.id);
    await oidc.tokenRevocation(config, revoked.refresh_token!);
    expect((await oauthError(oidc.fetchUserInfo(config, revoked.access_token, user.id))).status).toBe(401);

    const reused = await passwordGrant(config, user.email, PASSWORD);
    const rotated = await oidc.refreshTokenGrant(config, reused.refresh_token!);
    await oidc.fetchUserInfo(config, rotated.access_token, user.id);
    expect((await oauthError(oidc.refreshTokenGrant(config, reused.refresh_token!))).error).toBe('invalid_grant');
    for (const token of [reused.access_token, rotated.access_token]) {
      expect((await oauthError(oidc.fetchUserInfo(config, token, user.id))).status).toBe(401);
    }
    // Another grant of the same user is untouched.
    const other = await passwordGrant(config, user.email, PASSWORD);
    await oidc.fetchUserInfo(config, other.access_token, user.id);
  });

  it('lets only one of several concurrent refreshes with the same token through, and then revokes the grant', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const first = await passwordGrant(config, user.email, PASSWORD);
    const { refreshTokens, errors } = await concurrently(32, () => oidc.refreshTokenGrant(config, first.refresh_token!));
    expect(refreshTokens.length).toBeLessThanOrEqual(1);
    expect(errors).toEqual(Array(32 - refreshTokens.length).fill('invalid_grant'));
    // A token spent twice means it leaked: whatever the race handed out is revoked with the grant.
    for (const token of refreshTokens) expect((await oauthError(oidc.refreshTokenGrant(config, token))).error).toBe('invalid_grant');
  });

  it('redeems an authorization code once when it is sent several times at once, and then revokes the grant', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const { redeem } = await authorize(config, user.email, PASSWORD, 'openid offline_access');
    const { refreshTokens, errors } = await concurrently(16, redeem);
    expect(refreshTokens.length).toBeLessThanOrEqual(1);
    expect(errors).toEqual(Array(16 - refreshTokens.length).fill('invalid_grant'));
    for (const token of refreshTokens) expect((await oauthError(oidc.refreshTokenGrant(config, token))).error).toBe('invalid_grant');
  });

  it('requires PKCE for public clients', async () => {
    const config = await relyingParty({ tokenEndpointAuthMethod: 'none', grantTypes: ['authorization_code', 'refresh_token'] });
    const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 'x' });
    const res = await fetch(url, { redirect: 'manual' });
    const location = new URL(res.headers.get('location')!);
    expect(location.searchParams.get('error')).toBe('invalid_request');
    expect(location.searchParams.get('error_description')).toMatch(/PKCE/);

    const user = await createUser(t, ws, pool);
    const { tokens } = await codeFlow(config, user.email, PASSWORD, 'openid email');
    expect(tokens!.claims()!.sub).toBe(user.id);
  });

  it('issues client credentials tokens as verifiable JWTs', async () => {
    const config = await relyingParty();
    const tokens = await oidc.clientCredentialsGrant(config);
    const { payload } = await jwtVerify(tokens.access_token, createRemoteJWKSet(new URL(`${issuer}/jwks`)), { issuer, audience: issuer });
    expect(payload.client_id).toBe(config.clientMetadata().client_id);
    expect((await oauthError(oidc.clientCredentialsGrant(await relyingParty({ grantTypes: ['authorization_code'] })))).error).toBe('unauthorized_client');
    // Valid, but nobody's: userinfo says so rather than that the token stopped working.
    const withOpenid = await oidc.clientCredentialsGrant(config, { scope: 'openid' });
    const userinfo = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${withOpenid.access_token}` } });
    expect(userinfo.status).toBe(401);
    expect(((await userinfo.json()) as { error_description: string }).error_description).toMatch(/client credentials.*names no user/);
  });

  it('refuses a wrong client secret', async () => {
    const app = await application();
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}x`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'grant_type=client_credentials',
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: 'invalid_client' });
  });

  it('allows the password grant only to applications that list it', async () => {
    const user = await createUser(t, ws, pool);
    const allowed = await passwordGrant(await relyingParty(), user.email, PASSWORD);
    expect(decodeJwt(allowed.id_token!).sub).toBe(user.id);
    expect(allowed.refresh_token).toBeDefined();
    const noRefresh = await passwordGrant(await relyingParty({ grantTypes: ['password'] }), user.email, PASSWORD);
    expect(noRefresh.refresh_token).toBeUndefined();
    // Asked for, not granted: the scope says so.
    expect(noRefresh.scope!.split(' ')).not.toContain('offline_access');
    expect(allowed.scope!.split(' ')).toContain('offline_access');
    const refused = await oauthError(passwordGrant(await relyingParty({ grantTypes: ['authorization_code'] }), user.email, PASSWORD));
    expect(refused.error).toBe('unauthorized_client');
  });

  it('signs in only users of connected, enabled pools', async () => {
    const other = (await createPool(t, ws)).id;
    const user = await createUser(t, ws, other);
    const config = await relyingParty();
    expect((await oauthError(passwordGrant(config, user.email, PASSWORD))).error).toBe('invalid_grant');

    const connection = await connect(ws, other);
    const tokens = await passwordGrant(config, user.email, PASSWORD);

    await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${connection.id}`).send({ enabled: false }).expect(200);
    expect((await oauthError(passwordGrant(config, user.email, PASSWORD))).error).toBe('invalid_grant');
    expect((await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');

    await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${connection.id}`).send({ enabled: true }).expect(200);
    await passwordGrant(config, user.email, PASSWORD);
    // Refused above by the account check alone: the token itself was kept, and counts again.
    const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token!);
    await t.root('delete', `/v1/workspaces/${ws}/identity-providers/${connection.id}`).expect(204);
    expect((await oauthError(passwordGrant(config, user.email, PASSWORD))).error).toBe('invalid_grant');
    expect((await oauthError(oidc.refreshTokenGrant(config, refreshed.refresh_token!))).error).toBe('invalid_grant');
  });

  it('answers an unknown identifier exactly like a wrong password', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const wrong = await oauthError(passwordGrant(config, user.email, 'not the password'));
    const unknown = await oauthError(passwordGrant(config, `nobody-${user.email}`, 'not the password'));
    expect(unknown).toEqual(wrong);

    const page = async (identifier: string) => {
      const url = oidc.buildAuthorizationUrl(config, { redirect_uri: REDIRECT_URI, scope: 'openid', state: 's' });
      const { page } = await followLogin(url.href, { identifier, password: 'not the password' }, REDIRECT_URI);
      return { status: page!.status, body: page!.body.replace(/interaction\/[^/"]+/g, 'interaction/UID').replace(/value="[^"]*"/g, 'value=""') };
    };
    expect(await page(`nobody-${user.email}`)).toEqual(await page(user.email));
    expect((await page(user.email)).status).toBe(401);
  });

  it('locks an account after the pool’s failed attempts, then refuses even the right password the same way', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    const wrong = await oauthError(passwordGrant(config, user.email, 'nope'));
    await oauthError(passwordGrant(config, user.email, 'nope'));
    await oauthError(passwordGrant(config, user.email, 'nope'));
    expect(await oauthError(passwordGrant(config, user.email, PASSWORD))).toEqual(wrong);

    const locked = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200);
    expect(new Date(locked.body.lockedUntil).getTime()).toBeGreaterThan(Date.now() + 500_000);

    await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).send({ lockedUntil: null }).expect(200);
    await passwordGrant(config, user.email, PASSWORD);
  });

  it('resets the failure count on success', async () => {
    const user = await createUser(t, ws, pool);
    const config = await relyingParty();
    for (let round = 0; round < 3; round++) {
      await oauthError(passwordGrant(config, user.email, 'nope'));
      await oauthError(passwordGrant(config, user.email, 'nope'));
      await passwordGrant(config, user.email, PASSWORD);
    }
  });

  it('refuses invited and disabled users, and a disabled user’s refresh tokens and userinfo stop working', async () => {
    const config = await relyingParty();
    const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
    expect((await oauthError(passwordGrant(config, invited.email, PASSWORD))).error).toBe('invalid_grant');

    const user = await createUser(t, ws, pool);
    const tokens = await passwordGrant(config, user.email, PASSWORD);
    await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).send({ status: 'disabled' }).expect(200);
    expect((await oauthError(passwordGrant(config, user.email, PASSWORD))).error).toBe('invalid_grant');
    expect((await oauthError(oidc.refreshTokenGrant(config, tokens.refresh_token!))).error).toBe('invalid_grant');
    const info = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(401);
  });

  it('ends refresh tokens when an admin sets a new password, and when the user is deleted', async () => {
    const config = await relyingParty();
    const user = await createUser(t, ws, pool);
    const before = await passwordGrant(config, user.email, PASSWORD);
    await t.root('put', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/password`).send({ password: 'a brand new password' }).expect(204);
    expect((await oauthError(oidc.refreshTokenGrant(config, before.refresh_token!))).error).toBe('invalid_grant');
    const after = await passwordGrant(config, user.email, 'a brand new password');
    await oidc.refreshTokenGrant(config, after.refresh_token!);

    await t.root('delete', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(204);
    expect((await oauthError(oidc.refreshTokenGrant(config, after.refresh_token!))).error).toBe('invalid_grant');
  });

  it('upgrades a hash made with older parameters on the first successful sign-in', async () => {
    const user = await createUser(t, ws, pool);
    const db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    try {
      const weak = await argon2.hash(PASSWORD, { type: argon2.argon2id, memoryCost: 4096, timeCost: 1, parallelism: 1 });
      await db.query('UPDATE credentials SET password_hash = $1 WHERE user_id = $2', [weak, user.id]);
      await passwordGrant(await relyingParty(), user.email, PASSWORD);
      const { rows } = await db.query('SELECT password_hash FROM credentials WHERE user_id = $1', [user.id]);
      expect(rows[0].password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    } finally {
      await db.end();
    }
  });

  it('keeps the connection rules of the API: subset of mechanisms, one connection per pool, other tenants’ pools unknown', async () => {
    await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: pool, signInMethods: ['password'] }).expect(409);
    const bad = await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'saml', poolId: 'x', signInMethods: [] }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['poolId', 'signInMethods', 'type']);
    const foreign = await createPool(t, (await createWorkspace(t)).id);
    const res = await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: foreign.id, signInMethods: ['password'] }).expect(400);
    expect(res.body.errors[0].field).toBe('poolId');
    await t.root('get', `/v1/workspaces/${ws}/identity-providers/${providerId}`).expect(200);
    // A pool id sent in upper case is answered as it is stored, in lower case.
    const other = await createPool(t, ws);
    const upper = await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: other.id.toUpperCase(), signInMethods: ['password'] }).expect(201);
    expect(upper.body.poolId).toBe(other.id);
    expect((await t.root('get', `/v1/workspaces/${ws}/identity-providers/${upper.body.id}`).expect(200)).body.poolId).toBe(other.id);
  });

  it('validates applications and shows the secret once', async () => {
    const created = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: 'Portal', redirectUris: ['https://app.example.com/cb'], grantTypes: ['authorization_code'] })
      .expect(201);
    expect(created.body.clientSecret).toMatch(/^sec_/);
    const fetched = await t.root('get', `/v1/workspaces/${ws}/applications/${created.body.id}`).expect(200);
    expect(fetched.body).not.toHaveProperty('clientSecret');
    expect(JSON.stringify(fetched.body)).not.toContain(created.body.clientSecret);

    const bad = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: '', redirectUris: ['https://app.example.com/cb#frag', '/relative'], grantTypes: ['implicit'], tokenEndpointAuthMethod: 'private_key_jwt' })
      .expect(400);
    expect([...new Set(bad.body.errors.map((e: { field: string }) => e.field))].sort()).toEqual(['grantTypes', 'name', 'redirectUris', 'tokenEndpointAuthMethod']);
    await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: 'x', grantTypes: ['authorization_code'] }).expect(400);
    await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: 'x', grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'none' }).expect(400);
  });

  it('names each refused redirect URI, by its index, with the reason', async () => {
    const redirectUris = ['https://app.example.com/cb', 'https://*.example.com/cb', 'https://user:pw@app.example.com/cb', 'https:/app.example.com/cb', 'urn:ietf:wg:oauth:2.0:oob', 'com.example.app:/cb'];
    const res = await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: 'Wildcards', redirectUris, grantTypes: ['authorization_code'] }).expect(400);
    expect(res.body.errors).toHaveLength(1);
    const { field, message } = res.body.errors[0];
    expect(field).toBe('redirectUris');
    expect(message).toContain('redirectUris[1] must not hold "*": wildcards are not supported');
    expect(message).toContain('redirectUris[2] must not hold a user name or password');
    expect(message).toContain('redirectUris[3] must be an absolute URI');
    expect(message).toContain('redirectUris[4]');
    expect(message).not.toMatch(/redirectUris\[[05]\]/);
  });
});

describe('sign-in throttling', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let config: oidc.Configuration;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '4', RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '3' }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { lockout: { maxFailedAttempts: 50 } })).id;
    await connectPool(t, ws, pool);
    const app = await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: 'a', grantTypes: ['password'] }).expect(201);
    config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.body.clientId, undefined, oidc.ClientSecretBasic(app.body.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });
  });
  afterAll(() => t.close());

  async function attempt(username: string, password: string) {
    try {
      await oidc.genericGrantRequest(config, 'password', { username, password, scope: 'openid' });
      return { status: 200, retryAfter: null as string | null };
    } catch (e) {
      const error = e as oidc.ResponseBodyError;
      return { status: error.status, retryAfter: error.response?.headers.get('retry-after') ?? null };
    }
  }

  it('never throttles successful sign-ins, and throttles failures per identifier and per IP with Retry-After', async () => {
    const users = await Promise.all([1, 2, 3].map(() => createUser(t, ws, pool)));
    for (let i = 0; i < 10; i++) expect((await attempt(users[0].email, PASSWORD)).status).toBe(200);

    for (let i = 0; i < 3; i++) expect((await attempt(users[1].email, 'nope')).status).toBe(400);
    const limited = await attempt(users[1].email, PASSWORD);
    expect(limited.status).toBe(429);
    expect(Number(limited.retryAfter)).toBeGreaterThan(0);

    expect((await attempt(users[2].email, 'nope')).status).toBe(400); // the 4th failure from this IP
    expect((await attempt(users[2].email, 'nope again')).status).toBe(429);
    // The address is past its failure limit, yet a right password is never throttled per IP.
    expect((await attempt(users[2].email, PASSWORD)).status).toBe(200);
    expect((await attempt(users[0].email, PASSWORD)).status).toBe(200);
  });
});
