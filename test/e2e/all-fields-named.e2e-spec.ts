import { randomUUID } from 'node:crypto';
import { createApplication, createPool, createUser, createWorkspace, errorFields, sql } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A 400 names every invalid field (API.md "Conventions"), those the DTO's rules find (a value of
 * the wrong kind, an unknown field) and those a rule of the service finds (the pool's password
 * policy, a pool of another workspace) in the same answer. Was: the DTO's problems answered
 * alone, and the service's surfaced only once they were fixed.
 */
describe('every invalid field named in one 400', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(() => t.close());

  const messageOf = (res: { body: { errors?: { field: string; message: string }[] } }, field: string) =>
    (res.body.errors ?? []).filter((error) => error.field === field).map(({ message }) => message);

  describe('PUT .../users/{user}/password', () => {
    const password = (poolId: string, user: string) => `/v1/workspaces/${ws}/pools/${poolId}/users/${user}/password`;
    const storedHash = async (user: string) => (await sql(t, 'SELECT password_hash FROM credentials WHERE user_id = $1', [user]))[0]?.password_hash;

    it('names a password the policy refuses beside an unknown field, and keeps the old password', async () => {
      const user = await createUser(t, ws, pool);
      const before = await storedHash(user.id);
      const res = await t.root('put', password(pool, user.id)).send({ password: 'short', x: 1 }).expect(400);
      expect(errorFields(res)).toEqual(['password', 'x']);
      expect(messageOf(res, 'password')).toEqual(['password must be at least 8 characters']);
      expect(res.text).not.toContain('short');
      expect(await storedHash(user.id)).toBe(before);
    });

    it('names a password longer than the pool allows beside an unknown field', async () => {
      const strict = (await createPool(t, ws, { passwordPolicy: { minLength: 8, maxLength: 12 } })).id;
      const user = await createUser(t, ws, strict, { credential: { mode: 'password', password: 'twelve chars' } });
      const res = await t.root('put', password(strict, user.id)).send({ password: 'x'.repeat(13), x: 1 }).expect(400);
      expect(errorFields(res)).toEqual(['password', 'x']);
      expect(messageOf(res, 'password')).toEqual(['password must be at most 12 characters']);
    });

    it('does not judge again a password the rules refused already', async () => {
      const user = await createUser(t, ws, pool);
      for (const sent of [5, 'x'.repeat(4097)]) {
        const res = await t.root('put', password(pool, user.id)).send({ password: sent, x: 1 }).expect(400);
        expect(errorFields(res)).toEqual(['password', 'x']);
        expect(messageOf(res, 'password')).toHaveLength(1);
      }
    });

    it('answers 404 for an unknown user or pool before judging the body, and 204 for a valid one', async () => {
      const user = await createUser(t, ws, pool);
      await t.root('put', password(pool, randomUUID())).send({ password: 'short', x: 1 }).expect(404);
      await t.root('put', password(randomUUID(), user.id)).send({ password: 'short', x: 1 }).expect(404);
      await t.root('put', password(pool, user.id)).send({ password: 'another good password' }).expect(204);
    });
  });

  describe('PATCH .../users/{user}', () => {
    const userPath = (user: string) => `/v1/workspaces/${ws}/pools/${pool}/users/${user}`;

    it('names the email a user cannot lose beside a field of the wrong kind, and changes nothing', async () => {
      const user = await createUser(t, ws, pool, { givenName: 'Ada' });
      const res = await t.root('patch', userPath(user.id)).send({ email: null, mobile: null, givenName: 5 }).expect(400);
      expect(errorFields(res)).toEqual(['email', 'givenName']);
      expect(messageOf(res, 'email')).toEqual(['a user needs an email or a mobile number']);
      const after = (await t.root('get', userPath(user.id)).expect(200)).body;
      expect(after).toMatchObject({ email: user.email, givenName: 'Ada' });
    });

    it('names attributes too large once merged beside an unknown field', async () => {
      const user = await createUser(t, ws, pool, { attributes: { a: 'x'.repeat(9000) } });
      const res = await t.root('patch', userPath(user.id)).send({ attributes: { b: 'y'.repeat(9000) }, bogus: 1 }).expect(400);
      expect(errorFields(res)).toEqual(['attributes', 'bogus']);
      expect(messageOf(res, 'attributes')).toEqual([expect.stringContaining('once merged')]);
    });

    it('does not judge again an email the rules refused', async () => {
      const user = await createUser(t, ws, pool);
      const res = await t.root('patch', userPath(user.id)).send({ email: 'not an email', mobile: null }).expect(400);
      expect(errorFields(res)).toEqual(['email']);
      expect(messageOf(res, 'email')).toHaveLength(1);
    });

    it('answers 404 for an unknown user before judging the body, and 200 for a valid change', async () => {
      await t.root('patch', userPath(randomUUID())).send({ email: null, mobile: null, givenName: 5 }).expect(404);
      const user = await createUser(t, ws, pool);
      const res = await t.root('patch', userPath(user.id)).send({ mobile: '+14155550100', email: null }).expect(200);
      expect(res.body).toMatchObject({ email: null, mobile: '+14155550100' });
    });
  });

  describe('POST .../identity-providers', () => {
    const providers = () => `/v1/workspaces/${ws}/identity-providers`;
    const connections = async () => sql(t, 'SELECT id FROM identity_providers WHERE workspace_id = $1', [ws]);

    it('names a pool of another workspace beside a field of the wrong kind or an unknown one', async () => {
      const other = await createWorkspace(t);
      const foreign = (await createPool(t, other.id)).id;
      const body = { type: 'identity_pool', poolId: foreign, signInMethods: ['password'] };
      const wrongKind = await t.root('post', providers()).send({ ...body, priority: 'x' }).expect(400);
      expect(errorFields(wrongKind)).toEqual(['poolId', 'priority']);
      expect(messageOf(wrongKind, 'poolId')).toEqual([`no pool ${foreign} in this workspace`]);
      expect(errorFields(await t.root('post', providers()).send({ ...body, bogus: 1 }).expect(400))).toEqual(['bogus', 'poolId']);
      expect(await connections()).toEqual([]);
    });

    it('names sign-in methods the pool does not offer beside a field of the wrong kind', async () => {
      const closed = (await createPool(t, ws)).id;
      // No request makes such a pool today (a pool offers at least one method); the rule guards the day one can.
      await sql(t, `UPDATE pools SET authentication_mechanisms = '{}' WHERE id = $1`, [closed]);
      const res = await t.root('post', providers()).send({ type: 'identity_pool', poolId: closed, signInMethods: ['password'], priority: 'x' }).expect(400);
      expect(errorFields(res)).toEqual(['priority', 'signInMethods']);
      expect(messageOf(res, 'signInMethods')).toEqual([expect.stringContaining('does not offer password')]);
      expect(await connections()).toEqual([]);
    });

    it('does not look up a pool id the rules refused, and connects a valid body', async () => {
      const res = await t.root('post', providers()).send({ type: 'identity_pool', poolId: 'nope', signInMethods: ['password'], priority: 'x' }).expect(400);
      expect(errorFields(res)).toEqual(['poolId', 'priority']);
      expect(messageOf(res, 'poolId')).toHaveLength(1);
      await t.root('post', providers()).send({ type: 'identity_pool', poolId: pool, signInMethods: ['password'] }).expect(201);
    });
  });

  describe('applications', () => {
    const applications = () => `/v1/workspaces/${ws}/applications`;
    const stored = async () => sql(t, 'SELECT id FROM applications WHERE workspace_id = $1', [ws]);
    const publicClientCredentials = { name: 'x', redirectUris: ['javascript:x'], grantTypes: ['client_credentials'], tokenEndpointAuthMethod: 'none' };

    it('POST names a rule across fields beside a refused redirect URI and an unknown field, and registers nothing', async () => {
      const before = await stored();
      const res = await t.root('post', applications()).send(publicClientCredentials).expect(400);
      expect(errorFields(res)).toEqual(['grantTypes', 'redirectUris']);
      expect(messageOf(res, 'grantTypes')).toEqual([expect.stringContaining('cannot use client_credentials')]);
      const unknown = await t.root('post', applications()).send({ ...publicClientCredentials, bogus: 1 }).expect(400);
      expect(errorFields(unknown)).toEqual(['bogus', 'grantTypes', 'redirectUris']);
      expect(await stored()).toEqual(before);
    });

    it('POST does not judge the kind of client by a list the rules refused', async () => {
      const res = await t
        .root('post', applications())
        .send({ name: 'x', redirectUris: ['myapp:/cb', 'not a uri'], postLogoutRedirectUris: ['https://app.example.com/'], grantTypes: ['authorization_code'] })
        .expect(400);
      expect(errorFields(res)).toEqual(['redirectUris']);
    });

    it('PATCH names the fixed auth method beside a refused name, and changes nothing', async () => {
      const app = await createApplication(t, ws);
      const before = (await t.root('get', `${applications()}/${app.id}`).expect(200)).body;
      const res = await t.root('patch', `${applications()}/${app.id}`).send({ tokenEndpointAuthMethod: 'none', name: '' }).expect(400);
      expect(errorFields(res)).toEqual(['name', 'tokenEndpointAuthMethod']);
      expect(messageOf(res, 'tokenEndpointAuthMethod')).toEqual([expect.stringContaining('cannot be changed after creation')]);
      expect((await t.root('get', `${applications()}/${app.id}`).expect(200)).body).toEqual(before);
    });

    it('PATCH answers 404 for an unknown application before judging the body, and 200 for a valid change', async () => {
      await t.root('patch', `${applications()}/${randomUUID()}`).send({ tokenEndpointAuthMethod: 'none', name: '' }).expect(404);
      const app = await createApplication(t, ws);
      const res = await t.root('patch', `${applications()}/${app.id}`).send({ name: 'Renamed', tokenEndpointAuthMethod: 'client_secret_basic' }).expect(200);
      expect(res.body).toMatchObject({ name: 'Renamed', tokenEndpointAuthMethod: 'client_secret_basic' });
    });
  });
});
