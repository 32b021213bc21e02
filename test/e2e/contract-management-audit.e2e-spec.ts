import { createPool, createUser, createWorkspace, createWorkspaceKey, errorFields, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * The management API read sentence by sentence from API.md, as an acceptance suite written
 * from it would probe it: what the other audits did not already pin down.
 */
const PASSWORD = 'correct horse battery';

describe('management API contract audit', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  const users = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/users`;
  const email = (prefix = 'contract') => `${unique(prefix)}@example.com`;
  const getUser = async (id: string) => (await t.root('get', `${users()}/${id}`).expect(200)).body;
  /** A request body as raw JSON text: a JavaScript object literal cannot hold an own "__proto__" key. */
  const raw = (method: 'post' | 'patch', path: string, json: string) => t.root(method, path).set('Content-Type', 'application/json').send(json);

  beforeAll(async () => {
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('defects', () => {
    // class-transformer builds `new value.constructor()` for an object holding a "constructor"
    // key (a 500), and Nest's pipe deletes "__proto__", "constructor" and "prototype" at any depth
    // (the attribute silently lost). Attributes are free-form JSON: either must be a 400 naming them.
    it('a user created with attributes holding a "constructor" or "__proto__" key: 400 naming attributes, not 500 or a silent loss', async () => {
      const address = email('machinery');
      for (const attributes of ['{"constructor":"Ada"}', '{"car":{"constructor":"Ferrari"}}', '{"__proto__":{"admin":true}}']) {
        const res = await raw('post', users(), `{"email":"${address}","attributes":${attributes},"credential":{"mode":"password","password":"${PASSWORD}"}}`);
        expect({ attributes, status: res.status, fields: errorFields(res) }).toEqual({ attributes, status: 400, fields: ['attributes'] });
      }
      expect((await t.root('get', `${users()}?search=${encodeURIComponent(address)}`).expect(200)).body.items).toEqual([]);
    });

    it('a PATCH of attributes holding a "prototype" or nested "constructor" key: 400 naming attributes, the stored ones untouched', async () => {
      const user = await createUser(t, ws, pool, { attributes: { plan: 'pro' } });
      for (const attributes of [{ prototype: 'x' }, { a: { constructor: 1 } }]) {
        const res = await t.root('patch', `${users()}/${user.id}`).send({ attributes });
        expect({ attributes, status: res.status, fields: errorFields(res) }).toEqual({ attributes, status: 400, fields: ['attributes'] });
      }
      expect((await getUser(user.id)).attributes).toEqual({ plan: 'pro' });
    });

    it('a top-level "constructor" field is refused as unknown (400 naming it), on create as on PATCH, not ignored', async () => {
      const create = await raw('post', users(), `{"email":"${email()}","constructor":"x","credential":{"mode":"password","password":"${PASSWORD}"}}`);
      expect({ status: create.status, fields: errorFields(create) }).toEqual({ status: 400, fields: ['constructor'] });
      const user = await createUser(t, ws, pool);
      const patch = await raw('patch', `${users()}/${user.id}`, '{"constructor":"x","givenName":"Changed"}');
      expect({ status: patch.status, fields: errorFields(patch) }).toEqual({ status: 400, fields: ['constructor'] });
      expect((await getUser(user.id)).givenName).toBeNull();
    });

    // "a bad record never stops the job": one record with such a key made the whole JSON upload a 500.
    it('a JSON import whose records hold "constructor" keys is accepted: the attribute is stored, the unknown field is that line’s error', async () => {
      const kept = email('import-kept');
      const refused = email('import-refused');
      const res = await raw('post', `/v1/workspaces/${ws}/pools/${pool}/imports`, `{"users":[{"email":"${kept}","attributes":{"constructor":"Ada"}},{"email":"${refused}","constructor":"x"}]}`);
      expect(res.status).toBe(202);
      const job = await eventually(async () => {
        const current = (await t.root('get', res.headers.location).expect(200)).body;
        expect(current.status).toBe('completed');
        return current;
      });
      expect(job).toMatchObject({ total: 2, created: 1, failed: 1 });
      const [user] = (await t.root('get', `${users()}?search=${encodeURIComponent(kept)}`).expect(200)).body.items;
      expect(user.attributes).toEqual({ constructor: 'Ada' });
      const errors = (await t.root('get', `${res.headers.location}/errors`).expect(200)).body.items;
      expect(errors).toEqual([expect.objectContaining({ line: 2, identifier: refused, code: 'invalid_record', message: expect.stringContaining('constructor') })]);
    });

    it('PATCH status: null is a 400 naming status (a status cannot be cleared), not a silent no-op', async () => {
      const user = await createUser(t, ws, pool);
      const res = await t.root('patch', `${users()}/${user.id}`).send({ status: null, givenName: 'Changed' });
      expect({ status: res.status, fields: errorFields(res) }).toEqual({ status: 400, fields: ['status'] });
      expect(await getUser(user.id)).toMatchObject({ status: 'active', givenName: null });
    });

    // API.md: search is a prefix of the mobile, stored as +14155550100. Written into a URL as is,
    // the "+" decodes as a space, and the search found nobody instead of the user.
    it('a mobile search with its "+" left unencoded in the URL (?search=+1415) still finds the user', async () => {
      const p = (await createPool(t, ws)).id;
      const user = await createUser(t, ws, p, { mobile: '+14155550123' });
      for (const query of ['search=+1415555', 'search=%2B1415555', 'search=+1%20(415)%20555']) {
        const res = await t.root('get', `${users(p)}?${query}`).expect(200);
        expect({ query, found: res.body.items.map((u: { id: string }) => u.id) }).toEqual({ query, found: [user.id] });
      }
    });

    // API.md writes the list as `?search=&status=&groupId=&limit=&cursor=`: a parameter left
    // empty (a cleared search box, that template filled in part) is one not given, as cursor was.
    it('a user list with its parameters left empty answers as without them, not 400', async () => {
      const p = (await createPool(t, ws)).id;
      const user = await createUser(t, ws, p);
      const res = await t.root('get', `${users(p)}?search=&status=&groupId=&limit=&cursor=`).expect(200);
      expect(res.body).toEqual({ items: [expect.objectContaining({ id: user.id })], nextCursor: null });
      expect((await t.root('get', `${users(p)}?search=&status=active&limit=1`).expect(200)).body.items).toHaveLength(1);
      expect((await t.root('get', `/v1/workspaces/${ws}/groups?limit=&cursor=`).expect(200)).body).toHaveProperty('items');
    });

    it('a JSON array as a new user is refused as not an object, without also claiming an email is missing', async () => {
      const res = await t.root('post', users()).send([{ email: email(), credential: { mode: 'password', password: PASSWORD } }]).expect(400);
      expect(errorFields(res)).toEqual(['']);
    });
  });

  describe('correct behaviour not pinned elsewhere', () => {
    it('workspace PATCH: names every invalid field (name null or 101 characters, description 501), changes nothing; null clears the description', async () => {
      const created = (await t.root('post', '/v1/workspaces').send({ name: unique('ws'), description: 'keep' }).expect(201)).body;
      const path = `/v1/workspaces/${created.id}`;
      const cases: [Record<string, unknown>, string[]][] = [
        [{ name: null }, ['name']],
        [{ name: 'x'.repeat(101), description: 'y'.repeat(501) }, ['description', 'name']],
        [{ name: '   ' }, ['name']],
        [{ id: created.id, createdAt: created.createdAt }, ['createdAt', 'id']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('patch', path).send(body);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
      }
      expect((await t.root('get', path).expect(200)).body).toEqual(created);
      await t.root('patch', path).send({ name: 'x'.repeat(100), description: 'y'.repeat(500) }).expect(200);
      expect((await t.root('patch', path).send({ description: null }).expect(200)).body).toMatchObject({ name: 'x'.repeat(100), description: null });
    });

    it('API key create: names a missing or 101-character name and unknown fields; a workspace key can revoke itself and stops working at once', async () => {
      const own = (await createWorkspace(t)).id;
      const keys = `/v1/workspaces/${own}/api-keys`;
      expect(errorFields(await t.root('post', keys).send({}).expect(400))).toEqual(['name']);
      expect(errorFields(await t.root('post', keys).send({ name: 'k'.repeat(101), scope: 'all' }).expect(400))).toEqual(['name', 'scope']);
      const key = await createWorkspaceKey(t, own);
      const listed = (await t.as(key, 'get', keys).expect(200)).body.items;
      expect(listed).toHaveLength(1);
      expect(JSON.stringify(listed)).not.toContain(key);
      await t.as(key, 'delete', `${keys}/${listed[0].id}`).expect(204);
      await t.as(key, 'get', `/v1/workspaces/${own}`).expect(401);
    });

    it('pool create: unknown fields inside a policy are named by their path, and nothing is created', async () => {
      const name = unique('nested');
      const res = await t
        .root('post', `/v1/workspaces/${ws}/pools`)
        .send({ name, passwordPolicy: { minLength: 10, special: true }, lockout: { forever: 1 }, selfRegistration: { captcha: true } })
        .expect(400);
      expect(errorFields(res)).toEqual(['lockout.forever', 'passwordPolicy.special', 'selfRegistration.captcha']);
      expect(await sql(t, 'SELECT 1 FROM pools WHERE name = $1', [name])).toEqual([]);
    });

    it('user PATCH refused with 409 writes none of its other fields', async () => {
      const taken = await createUser(t, ws, pool);
      const user = await createUser(t, ws, pool, { givenName: 'Before', mobile: '+14155550142' });
      const res = await t.root('patch', `${users()}/${user.id}`).send({ email: taken.email.toUpperCase(), givenName: 'After', mobile: '+14155550143' }).expect(409);
      expect(errorFields(res)).toEqual(['email']);
      expect(await getUser(user.id)).toMatchObject({ email: user.email, givenName: 'Before', mobile: '+14155550142' });
    });

    it('an invited user carries exactly the documented fields, its invitation exactly {status, sentAt, expiresAt}', async () => {
      const res = await t.root('post', users()).send({ email: ` ${unique('Invitee')}@Example.COM `, credential: { mode: 'invitation' } }).expect(201);
      expect(Object.keys(res.body).sort()).toEqual(
        ['attributes', 'createdAt', 'email', 'emailVerified', 'externalId', 'familyName', 'givenName', 'id', 'invitation', 'lastSignInAt', 'lockedUntil', 'mobile', 'name', 'poolId', 'status', 'updatedAt'],
      );
      expect(res.body.email).toMatch(/^Invitee-[0-9a-f]{8}@example\.com$/);
      expect(Object.keys(res.body.invitation).sort()).toEqual(['expiresAt', 'sentAt', 'status']);
      expect(res.body).toMatchObject({ status: 'invited', emailVerified: false, invitation: { status: 'queued', sentAt: null } });
    });
  });
});
