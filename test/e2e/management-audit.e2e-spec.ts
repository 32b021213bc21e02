import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { connectPool, createApplication, createPool, createWorkspace, createWorkspaceKey, errorFields, ids, ISO, listAll, unique, UUID } from '../factories';
import { PoolsService } from '../../src/pools/pools.service';
import { WorkspacesService } from '../../src/workspaces/workspaces.service';
import { eventually } from '../support/eventually';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of the management API for workspaces, API keys, identity pools, identity
 * providers (pool connections) and applications. The tests under "defects" failed when
 * written; each cites the API.md line (or the Keycloak / Auth0 / Cognito expectation) it
 * holds the service to. The others pin subtle behaviour that is right and not covered elsewhere.
 */

describe('management API audit', () => {
  let t: TestApp;
  let ws: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  const connect = (workspaceId: string, poolId: string, body: Record<string, unknown> = {}) => connectPool(t, workspaceId, poolId, body);

  /** The first answer of the issuer to an authorization request of `clientId` (no redirect followed). */
  async function authorize(workspaceId: string, clientId: string, redirectUri: string) {
    const issuer = `${t.baseUrl}/oidc/${workspaceId}`;
    const doc = (await (await fetch(`${issuer}/.well-known/openid-configuration`)).json()) as { authorization_endpoint: string };
    const url = new URL(doc.authorization_endpoint);
    url.search = new URLSearchParams({
      client_id: clientId,
      response_type: 'code',
      redirect_uri: redirectUri,
      scope: 'openid',
      state: 'st',
      code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
      code_challenge_method: 'S256',
    }).toString();
    const res = await fetch(url, { redirect: 'manual' });
    return { status: res.status, location: res.headers.get('location'), body: await res.text() };
  }

  describe('defects', () => {
    // API.md "Applications": redirectUris are accepted at registration, custom schemes too (native apps, as Keycloak
    // allows). An application the API accepts with 201 must then work at its issuer; one it cannot serve must be
    // refused at registration with 400 naming redirectUris, not accepted and broken at every sign-in. oidc-provider 9
    // takes no custom scheme in a web client, and no http on a non-loopback host nor https on a loopback one in a
    // native client: such a mix is refused (one application per platform), what a native client may hold signs in.
    it('refuses a custom-scheme URI next to a web URI with 400, and signs in with each URI of a native application it accepts', async () => {
      for (const [redirectUris, postLogoutRedirectUris, field] of [
        [['com.example.app:/callback', 'http://app.example.com/callback'], [], 'redirectUris'],
        [['com.example.desktop:/cb', 'https://localhost:8443/cb'], [], 'redirectUris'],
        [['com.example.app:/callback'], ['http://app.example.com/'], 'postLogoutRedirectUris'],
      ] as [string[], string[], string][]) {
        const res = await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: unique('app'), redirectUris, postLogoutRedirectUris, grantTypes: ['authorization_code'] });
        expect({ redirectUris, status: res.status, fields: errorFields(res) }).toEqual({ redirectUris, status: 400, fields: [field] });
        expect(res.body.errors[0].message).toMatch(/one application per platform/);
      }
      const native = ['com.example.app:/callback', 'http://127.0.0.1:8123/cb', 'https://app.example.com/cb'];
      const app = await createApplication(t, ws, { redirectUris: native, postLogoutRedirectUris: ['com.example.app:/signed-out', 'https://app.example.com/'], grantTypes: ['authorization_code'] });
      for (const uri of native) {
        const res = await authorize(ws, app.clientId, uri);
        expect({ uri, status: res.status, location: res.location }).toEqual({ uri, status: 303, location: expect.stringMatching(/\/interaction\//) });
      }
    });

    // Same defect through PATCH: adding a mobile app's callback to a working web application would break its web sign-in.
    it('refuses by PATCH a custom-scheme redirect URI next to a web one with 400, and the web sign-in keeps working', async () => {
      const web = 'http://portal.example.com/callback';
      const app = await createApplication(t, ws, { redirectUris: [web], grantTypes: ['authorization_code'] });
      expect((await authorize(ws, app.clientId, web)).status).toBe(303);
      const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ redirectUris: [web, 'com.example.portal:/callback'] }).expect(400);
      expect(errorFields(patched)).toEqual(['redirectUris']);
      const after = await authorize(ws, app.clientId, web);
      expect({ status: after.status, error: /(invalid_\w+|server_error)[^<]*/.exec(after.body)?.[0] }).toEqual({ status: 303, error: undefined });
    });

    // API.md "Conventions": 400 … "every invalid field listed in errors".
    it('lists every invalid field of an application at once (redirectUris and grantTypes)', async () => {
      const res = await t
        .root('post', `/v1/workspaces/${ws}/applications`)
        .send({ name: unique('app'), grantTypes: ['authorization_code', 'client_credentials'], tokenEndpointAuthMethod: 'none' })
        .expect(400);
      expect(errorFields(res)).toEqual(['grantTypes', 'redirectUris']);
      const app = await createApplication(t, ws);
      const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ grantTypes: ['refresh_token'], tokenEndpointAuthMethod: 'none' }).expect(400);
      expect(errorFields(patched)).toEqual(['grantTypes', 'tokenEndpointAuthMethod']);
    });

    // API.md "Conventions": 400 … "every invalid field listed in errors" — a bad name and a minLength above the default maxLength.
    it('lists every invalid field of a pool at once (name and passwordPolicy.maxLength)', async () => {
      const res = await t
        .root('post', `/v1/workspaces/${ws}/pools`)
        .send({ name: '', passwordPolicy: { minLength: 200 } })
        .expect(400);
      expect(errorFields(res)).toEqual(['name', 'passwordPolicy.maxLength']);
      // It names the default maxLength the request never mentioned, and both ways out.
      expect(res.body.errors[1].message).toBe('maxLength (128) must be greater than or equal to minLength (200): raise maxLength or lower minLength');
      // And by PATCH, against the stored maxLength.
      const pool = await createPool(t, ws);
      const patched = await t.root('patch', `/v1/workspaces/${ws}/pools/${pool.id}`).send({ name: '', passwordPolicy: { minLength: 200 } }).expect(400);
      expect(errorFields(patched)).toEqual(['name', 'passwordPolicy.maxLength']);
    });

    // API.md "Conventions": UUID ids; "Issuer: {PUBLIC_URL}/oidc/{workspaceId}". The root key was let in with the
    // workspace id in upper case, answering upper-case ids and an issuer that 404s. A UUID is read in either case
    // (RFC 9562), as every other id of a path is, but only the id as issued is ever answered.
    it('reads the workspace id in upper case as the workspace, answering only the id as issued', async () => {
      const own = (await createWorkspace(t)).id;
      const upper = own.toUpperCase();
      const app = await t.root('post', `/v1/workspaces/${upper}/applications`).send({ name: unique('app'), grantTypes: ['client_credentials'] }).expect(201);
      const pool = await t.root('post', `/v1/workspaces/${upper}/pools`).send({ name: unique('pool') }).expect(201);
      const workspace = await t.root('get', `/v1/workspaces/${upper}`).expect(200);
      expect([app.body.workspaceId, pool.body.workspaceId, workspace.body.id]).toEqual([own, own, own]);
      expect((await t.root('get', app.headers.location).expect(200)).body.id).toBe(app.body.id);
      expect((await t.root('get', `/v1/workspaces/${own}/applications`).expect(200)).body.items.map((a: { id: string }) => a.id)).toEqual([app.body.id]);
    });

    // Redirect URIs are compared exactly by the issuer (RFC 6749 §3.1.2.3): a URI stored with a stray space or newline
    // never matches, so the application cannot sign anyone in. Refused with 400, by POST and PATCH alike.
    it('refuses a redirect URI with whitespace (around it, or a tab inside) that no authorization request can match', async () => {
      for (const given of [' https://app.example.com/cb\n', 'https://app.exa\tmple.com/cb', 'https://app.example.com/a b']) {
        const res = await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: unique('app'), redirectUris: [given], grantTypes: ['authorization_code'] });
        expect({ given, status: res.status, fields: errorFields(res) }).toEqual({ given, status: 400, fields: ['redirectUris'] });
      }
      const app = await createApplication(t, ws, { redirectUris: ['https://app.example.com/cb'], grantTypes: ['authorization_code'] });
      const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${app.id}`).send({ postLogoutRedirectUris: ['https://app.example.com/\r\n'] }).expect(400);
      expect(errorFields(patched)).toEqual(['postLogoutRedirectUris']);
    });
  });

  describe('defects: deletes racing creates', () => {
    afterEach(() => jest.restoreAllMocks());

    // API.md "Conventions": "A 5xx never …" and 404 for unknown; a pool deleted between the check and the insert is
    // unknown (as users.repository answers for users: 404), never a 500. The spy deletes the pool right after the check.
    it('connecting a pool that is deleted meanwhile answers 400/404 naming it, never 500', async () => {
      const pool = await createPool(t, ws);
      const pools = t.app.get(PoolsService);
      const original = pools.findRules.bind(pools);
      jest.spyOn(pools, 'findRules').mockImplementationOnce(async (workspaceId: string, poolId: string) => {
        const rules = await original(workspaceId, poolId);
        await t.root('delete', `/v1/workspaces/${ws}/pools/${pool.id}`).expect(204);
        return rules;
      });
      const res = await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: pool.id, signInMethods: ['password'] });
      expect([400, 404].includes(res.status) ? 'answered as unknown' : `${res.status} ${res.text}`).toBe('answered as unknown');
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    });

    // Same for a workspace deleted between the key check and the insert (e.g. a teardown racing a provisioning script).
    it('creating a pool, an application or an API key in a workspace deleted meanwhile answers 404, never 500', async () => {
      const observed: Record<string, number> = {};
      for (const [what, path, body] of [
        ['pool', 'pools', { name: unique('pool') }],
        ['application', 'applications', { name: unique('app'), grantTypes: ['client_credentials'] }],
        ['api key', 'api-keys', { name: unique('key') }],
      ] as [string, string, object][]) {
        const doomed = (await createWorkspace(t)).id;
        const workspaces = t.app.get(WorkspacesService);
        const original = workspaces.assertAccess.bind(workspaces);
        jest.spyOn(workspaces, 'assertAccess').mockImplementationOnce(async (principal, workspaceId) => {
          await original(principal, workspaceId);
          await t.root('delete', `/v1/workspaces/${doomed}`).expect(204);
        });
        observed[what] = (await t.root('post', `/v1/workspaces/${doomed}/${path}`).send(body)).status;
      }
      expect(observed).toEqual({ pool: 404, application: 404, 'api key': 404 });
    });
  });

  describe('correct behaviour', () => {
    it('identity provider: defaults enabled true and priority 0, PATCH keeps the other fields', async () => {
      const pool = await createPool(t, ws);
      const created = await connect(ws, pool.id);
      expect(created).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: ws,
        type: 'identity_pool',
        poolId: pool.id,
        signInMethods: ['password'],
        enabled: true,
        priority: 0,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      const patched = await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${created.id}`).send({ priority: 5 }).expect(200);
      expect(patched.body).toMatchObject({ enabled: true, priority: 5, signInMethods: ['password'], poolId: pool.id });
      for (const [body, field] of [
        [{ poolId: randomUUID() }, 'poolId'],
        [{ type: 'identity_pool' }, 'type'],
        [{ signInMethods: [] }, 'signInMethods'],
        [{ signInMethods: ['sms'] }, 'signInMethods'],
      ] as [Record<string, unknown>, string][]) {
        const res = await t.root('patch', `/v1/workspaces/${ws}/identity-providers/${created.id}`).send(body).expect(400);
        expect(errorFields(res)).toEqual([field]);
      }
    });

    it('deleting a pool removes its connection (404, gone from the list)', async () => {
      const pool = await createPool(t, ws);
      const connection = await connect(ws, pool.id);
      await t.root('delete', `/v1/workspaces/${ws}/pools/${pool.id}`).expect(204);
      await t.root('get', `/v1/workspaces/${ws}/identity-providers/${connection.id}`).expect(404);
      const list = await listAll<{ id: string }>(t, `/v1/workspaces/${ws}/identity-providers`, 200);
      expect(ids(list.items)).not.toContain(connection.id);
    });

    it('identity-providers and applications: 404 problem+json to unknown and non-UUID ids, 400 to bad limits and cursors', async () => {
      for (const kind of ['identity-providers', 'applications']) {
        const base = `/v1/workspaces/${ws}/${kind}`;
        for (const bad of [randomUUID(), 'not-a-uuid', '123']) {
          for (const method of ['get', 'delete'] as const) {
            const res = await t.root(method, `${base}/${bad}`).expect(404);
            expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
          }
          await t.root('patch', `${base}/${bad}`).send({}).expect(404);
        }
        for (const limit of ['0', '201', 'x']) expect(errorFields(await t.root('get', `${base}?limit=${limit}`).expect(400))).toEqual(['limit']);
        expect(errorFields(await t.root('get', `${base}?cursor=garbage`).expect(400))).toEqual(['cursor']);
        await t.root('get', `${base}?limit=200`).expect(200);
        const unsupported = await t.http.post(base).set('Authorization', `Bearer ${ROOT_KEY}`).set('Content-Type', 'text/plain').send('{}');
        expect(unsupported.status).toBe(415);
        const malformed = await t.http.post(base).set('Authorization', `Bearer ${ROOT_KEY}`).set('Content-Type', 'application/json').send('{"name":');
        expect(malformed.status).toBe(400);
      }
    });

    it('applications: the secret once at creation, none for a public client, PATCH keeps it secret-free', async () => {
      const confidential = await t
        .root('post', `/v1/workspaces/${ws}/applications`)
        .send({ name: unique('app'), grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'client_secret_post' })
        .expect(201);
      expect(confidential.body.clientSecret).toEqual(expect.any(String));
      const patched = await t.root('patch', `/v1/workspaces/${ws}/applications/${confidential.body.id}`).send({ name: 'renamed' }).expect(200);
      expect(patched.body).not.toHaveProperty('clientSecret');
      const listed = await t.root('get', `/v1/workspaces/${ws}/applications?limit=200`).expect(200);
      expect(listed.text).not.toContain(confidential.body.clientSecret);
      const publicApp = await t
        .root('post', `/v1/workspaces/${ws}/applications`)
        .send({ name: unique('spa'), redirectUris: ['https://spa.example.com/cb'], grantTypes: ['authorization_code', 'refresh_token'], tokenEndpointAuthMethod: 'none' })
        .expect(201);
      expect(publicApp.body).not.toHaveProperty('clientSecret');
      // A public client cannot gain client_credentials by PATCH either.
      const res = await t.root('patch', `/v1/workspaces/${ws}/applications/${publicApp.body.id}`).send({ grantTypes: ['client_credentials'] }).expect(400);
      expect(errorFields(res)).toEqual(['grantTypes']);
      // refresh_token alone has nothing to start from.
      const lone = await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: unique('app'), grantTypes: ['refresh_token'] }).expect(400);
      expect(errorFields(lone)).toEqual(['grantTypes']);
    });

    it('API keys: lastUsedAt is set once a key is used; deleting the workspace ends its keys, pools, applications and issuer', async () => {
      const own = (await createWorkspace(t)).id;
      const key = await createWorkspaceKey(t, own);
      const before = await t.root('get', `/v1/workspaces/${own}/api-keys`).expect(200);
      expect(before.body.items[0].lastUsedAt).toBeNull();
      await t.as(key, 'get', `/v1/workspaces/${own}`).expect(200);
      await eventually(async () => {
        const after = await t.root('get', `/v1/workspaces/${own}/api-keys`).expect(200);
        expect(after.body.items[0].lastUsedAt).toEqual(expect.stringMatching(ISO));
        expect(after.text).not.toContain(key);
      }, 5000);
      const pool = await createPool(t, own);
      await connect(own, pool.id);
      const app = await createApplication(t, own);
      expect((await fetch(`${t.baseUrl}/oidc/${own}/.well-known/openid-configuration`)).status).toBe(200);

      await t.root('delete', `/v1/workspaces/${own}`).expect(204);
      await t.as(key, 'get', `/v1/workspaces/${own}`).expect(401);
      await t.root('get', `/v1/workspaces/${own}/pools/${pool.id}`).expect(404);
      await t.root('get', `/v1/workspaces/${own}/applications/${app.id}`).expect(404);
      // At once on the process that deleted it (others re-check within a second).
      expect((await fetch(`${t.baseUrl}/oidc/${own}/.well-known/openid-configuration`)).status).toBe(404);
      expect((await fetch(`${t.baseUrl}/oidc/${own}/jwks`)).status).toBe(404);
    });

    it('another workspace’s applications and connections, by their real ids: 404 to its key and through its own path, nothing changed', async () => {
      const a = (await createWorkspace(t)).id;
      const b = (await createWorkspace(t)).id;
      const aKey = await createWorkspaceKey(t, a);
      const bPool = await createPool(t, b);
      const bConnection = await connect(b, bPool.id);
      const bApp = await createApplication(t, b);
      for (const base of [`/v1/workspaces/${a}`, `/v1/workspaces/${b}`]) {
        for (const [method, path, body] of [
          ['get', `${base}/applications/${bApp.id}`],
          ['patch', `${base}/applications/${bApp.id}`, { name: 'taken over' }],
          ['delete', `${base}/applications/${bApp.id}`],
          ['get', `${base}/identity-providers/${bConnection.id}`],
          ['patch', `${base}/identity-providers/${bConnection.id}`, { enabled: false }],
          ['delete', `${base}/identity-providers/${bConnection.id}`],
        ] as ['get' | 'patch' | 'delete', string, object?][]) {
          const req = t.as(aKey, method, path);
          const res = await (body ? req.send(body) : req);
          expect({ path, method, status: res.status }).toEqual({ path, method, status: 404 });
          expect(res.text).not.toContain(bApp.clientId);
        }
      }
      // A's own connection cannot name B's pool.
      const res = await t.as(aKey, 'post', `/v1/workspaces/${a}/identity-providers`).send({ type: 'identity_pool', poolId: bPool.id, signInMethods: ['password'] }).expect(400);
      expect(errorFields(res)).toEqual(['poolId']);
      expect((await t.root('get', `/v1/workspaces/${b}/applications/${bApp.id}`).expect(200)).body.name).not.toBe('taken over');
      expect((await t.root('get', `/v1/workspaces/${b}/identity-providers/${bConnection.id}`).expect(200)).body.enabled).toBe(true);
    });

    it('a workspace key cannot reach root-only routes: 403 on its own workspace, 404 on another', async () => {
      const own = (await createWorkspace(t)).id;
      const other = (await createWorkspace(t)).id;
      const key = await createWorkspaceKey(t, own);
      const res = await t.as(key, 'delete', `/v1/workspaces/${own}`);
      expect(res.status).toBe(403);
      await t.as(key, 'delete', `/v1/workspaces/${other}`).expect(404);
      await t.as(key, 'get', `/v1/workspaces?limit=200`).expect((r: request.Response) => expect(r.body.items.map((w: { id: string }) => w.id)).toEqual([own]));
    });
  });
});
