import { createRemoteJWKSet, decodeProtectedHeader, JWK, jwtVerify } from 'jose';
import { TOKEN_SIGNING_ALGS } from '../../src/auth/applications/application.entity';
import { connectPool, createApplication, createPool, createUser, createWorkspace, errorFields, sql } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';

/** Each application chooses the algorithm its ID and access tokens are signed with, as a Keycloak client does. */
describe('Token signing algorithm per application', () => {
  let t: TestApp;
  let ws: string;
  let issuer: string;
  let email: string;
  let jwks: ReturnType<typeof createRemoteJWKSet>;
  let keys: JWK[];

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    email = (await createUser(t, ws, pool)).email;
    issuer = `${t.baseUrl}/oidc/${ws}`;
    jwks = createRemoteJWKSet(new URL(`${issuer}/jwks`));
    keys = ((await (await fetch(`${issuer}/jwks`)).json()) as { keys: JWK[] }).keys;
  });
  afterAll(() => t.close());

  type App = { clientId: string; clientSecret: string };

  /** A confidential application's POST to one of the issuer's endpoints. */
  async function post(app: App, path: string, form: Record<string, string>) {
    const res = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as Record<string, string>;
  }

  const passwordGrant = (app: App) => post(app, '/token', { grant_type: 'password', username: email, password: PASSWORD, scope: 'openid email offline_access' });

  /** Checks that the ID and access tokens name the key of `alg`, are signed with it and verify with the published JWKS. */
  async function signedWith(app: App, alg: string, tokens?: Record<string, string>) {
    tokens ??= await passwordGrant(app);
    const kid = keys.find((key) => key.alg === alg)!.kid;
    for (const [token, options] of [
      [tokens.id_token, { issuer, audience: app.clientId }],
      [tokens.access_token, { issuer, audience: issuer, typ: 'at+jwt' }],
    ] as const) {
      expect(decodeProtectedHeader(token)).toMatchObject({ alg, kid });
      await expect(jwtVerify(token, jwks, { ...options, algorithms: [alg] })).resolves.toBeDefined();
    }
    return tokens;
  }

  it('signs with RS256 by default and answers the field', async () => {
    const app = await createApplication(t, ws);
    expect(app).toMatchObject({ tokenSigningAlg: 'RS256' });
    await signedWith(app, 'RS256');
    const listed = await t.root('get', `/v1/workspaces/${ws}/applications`).expect(200);
    expect(listed.body.items.find((a: { id: string }) => a.id === app.id)).toMatchObject({ tokenSigningAlg: 'RS256' });
  });

  it('signs an ES256 application’s tokens with the ES256 key, and userinfo accepts its access token', async () => {
    const app = await createApplication(t, ws, { tokenSigningAlg: 'ES256' });
    expect(app).toMatchObject({ tokenSigningAlg: 'ES256' });
    const tokens = await signedWith(app, 'ES256');
    const info = await fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${tokens.access_token}` } });
    expect(info.status).toBe(200);
    expect(await info.json()).toMatchObject({ email });
    expect(await post(app, '/token/introspection', { token: tokens.access_token })).toMatchObject({ active: true, client_id: app.clientId });
    await signedWith(app, 'ES256', await post(app, '/token', { grant_type: 'refresh_token', refresh_token: tokens.refresh_token }));
  });

  it('applies a PATCH to the next token', async () => {
    const app = await createApplication(t, ws);
    await signedWith(app, 'RS256');
    const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ tokenSigningAlg: 'ES256' }).expect(200);
    expect(patched.body.tokenSigningAlg).toBe('ES256');
    const got = await t.root('get', `/v1/workspaces/${ws}/applications/${app.id}`).expect(200);
    expect(got.body.tokenSigningAlg).toBe('ES256');
    await signedWith(app, 'ES256');
  });

  it('keeps discovery listing both algorithms', async () => {
    const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { id_token_signing_alg_values_supported: string[] };
    expect(doc.id_token_signing_alg_values_supported).toEqual(expect.arrayContaining(['RS256', 'ES256']));
  });

  it('documents the field with its values and its default', async () => {
    type Schema = { properties: Record<string, { type?: string; enum?: string[]; description?: string }> };
    const { schemas } = ((await (await fetch(`${t.baseUrl}/docs-json`)).json()) as { components: { schemas: Record<string, Schema> } }).components;
    for (const schema of ['CreateApplicationDto', 'UpdateApplicationDto', 'ApplicationResponse', 'CreatedApplicationResponse']) {
      expect([schema, schemas[schema].properties.tokenSigningAlg]).toEqual([schema, expect.objectContaining({ type: 'string', enum: [...TOKEN_SIGNING_ALGS] })]);
    }
    // In words, as the other fields' defaults: PATCH shares the schema, and leaving the field out there changes nothing.
    expect(schemas.CreateApplicationDto.properties.tokenSigningAlg.description).toContain('`RS256` when left out at creation');
  });

  it.each(['HS256', 'none'])('refuses %s as a 400 naming the field, on create and update', async (alg) => {
    const before = await sql(t, 'SELECT count(*)::int AS n FROM applications');
    const created = await t
      .root('post', `/v1/workspaces/${ws}/applications`)
      .send({ name: 'Refused', redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['authorization_code'], tokenSigningAlg: alg })
      .expect(400);
    expect(created.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(errorFields(created)).toEqual(['tokenSigningAlg']);
    expect(await sql(t, 'SELECT count(*)::int AS n FROM applications')).toEqual(before);

    const app = await createApplication(t, ws);
    const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ tokenSigningAlg: alg }).expect(400);
    expect(errorFields(patched)).toEqual(['tokenSigningAlg']);
    expect((await t.root('get', `/v1/workspaces/${ws}/applications/${app.id}`).expect(200)).body.tokenSigningAlg).toBe('RS256');
  });
});
