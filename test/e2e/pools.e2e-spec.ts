import { randomUUID } from 'node:crypto';
import {
  addMembers,
  createGroup,
  createPool,
  createUser,
  createWorkspace,
  errorFields,
  ids,
  listAll,
  sql,
  unique,
  ISO,
  UUID,
} from '../factories';
import { startTestApp, TestApp } from '../support/test-app';


describe('identity pools', () => {
  let t: TestApp;
  let ws: string;
  const pools = () => `/v1/workspaces/${ws}/pools`;

  beforeAll(async () => {
    t = await startTestApp();
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  describe('create', () => {
    it('fills every default of the contract when only a name is given', async () => {
      const before = Date.now();
      const res = await t.root('post', pools()).send({ name: 'Customers' }).expect(201).expect('content-type', /application\/json/);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: ws,
        name: 'Customers',
        description: null,
        authenticationMechanisms: ['password'],
        passwordPolicy: { minLength: 8, maxLength: 128 },
        selfRegistration: { enabled: false, requireEmailVerification: true },
        invitationTtlHours: 72,
        lockout: { maxFailedAttempts: 5, durationSeconds: 900 },
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect(Date.parse(res.body.createdAt)).toBeGreaterThanOrEqual(before - 1000);
      expect(Date.parse(res.body.createdAt)).toBeLessThanOrEqual(Date.now() + 1000);

      const got = await t.root('get', `${pools()}/${res.body.id}`).expect(200);
      expect(got.body).toEqual(res.body);
    });

    it('fills the defaults of a nested policy that is given only in part', async () => {
      const res = await t
        .root('post', pools())
        .send({ name: unique('partial'), passwordPolicy: { minLength: 12 }, selfRegistration: { enabled: true }, lockout: { durationSeconds: 60 } })
        .expect(201);
      expect(res.body.passwordPolicy).toEqual({ minLength: 12, maxLength: 128 });
      expect(res.body.selfRegistration).toEqual({ enabled: true, requireEmailVerification: true });
      expect(res.body.lockout).toEqual({ maxFailedAttempts: 5, durationSeconds: 60 });
    });

    it('keeps every field that is set, and trims the name', async () => {
      const body = {
        name: '  Staff accounts  ',
        description: 'Employees of Acme',
        authenticationMechanisms: ['password'],
        passwordPolicy: { minLength: 14, maxLength: 64 },
        selfRegistration: { enabled: true, requireEmailVerification: false },
        invitationTtlHours: 24,
        lockout: { maxFailedAttempts: 3, durationSeconds: 3600 },
      };
      const res = await t.root('post', pools()).send(body).expect(201);
      expect(res.body).toEqual({
        ...body,
        name: 'Staff accounts',
        id: expect.stringMatching(UUID),
        workspaceId: ws,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect((await t.root('get', `${pools()}/${res.body.id}`).expect(200)).body).toEqual(res.body);
    });

    it('accepts the bounds of every field', async () => {
      const res = await t
        .root('post', pools())
        .send({
          name: 'x'.repeat(100),
          description: 'd'.repeat(500),
          passwordPolicy: { minLength: 8, maxLength: 8 },
          invitationTtlHours: 1,
          lockout: { maxFailedAttempts: 1, durationSeconds: 1 },
        })
        .expect(201);
      expect(res.body).toMatchObject({
        name: 'x'.repeat(100),
        description: 'd'.repeat(500),
        passwordPolicy: { minLength: 8, maxLength: 8 },
        invitationTtlHours: 1,
        lockout: { maxFailedAttempts: 1, durationSeconds: 1 },
      });
      await t
        .root('post', pools())
        .send({
          name: unique('max'),
          passwordPolicy: { minLength: 1024, maxLength: 1024 },
          invitationTtlHours: 24 * 365,
          lockout: { maxFailedAttempts: 100, durationSeconds: 30 * 24 * 3600 },
        })
        .expect(201);
    });

    it('answers 409 for a name that differs only in case or surrounding spaces, in the same workspace only', async () => {
      const name = unique('Dup');
      const first = await t.root('post', pools()).send({ name }).expect(201);
      for (const again of [name, name.toUpperCase(), name.toLowerCase(), `  ${name}  `]) {
        const res = await t.root('post', pools()).send({ name: again }).expect(409).expect('content-type', /application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 409, title: 'Conflict', errors: [{ field: 'name', message: expect.any(String) }] });
      }
      const list = await listAll<{ name: string }>(t, pools(), 200);
      expect(list.items.filter((p) => p.name.toLowerCase() === name.toLowerCase())).toHaveLength(1);

      const other = await createWorkspace(t);
      const elsewhere = await t.root('post', `/v1/workspaces/${other.id}/pools`).send({ name }).expect(201);
      expect(elsewhere.body.id).not.toBe(first.body.id);
    });

    it('lets exactly one of several concurrent creates with the same name win; the others get 409', async () => {
      const name = unique('Race');
      const results = await Promise.all([name, name.toUpperCase(), name.toLowerCase(), name, ` ${name}`].map((n) => t.root('post', pools()).send({ name: n })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409, 409]);
    });

    it('answers 404 in a workspace that does not exist', async () => {
      await t.root('post', `/v1/workspaces/${randomUUID()}/pools`).send({ name: 'x' }).expect(404);
      await t.root('post', '/v1/workspaces/not-a-uuid/pools').send({ name: 'x' }).expect(404);
    });
  });

  describe('validation', () => {
    const invalid = async (body: Record<string, unknown>, fields: string[]) => {
      const res = await t.root('post', pools()).send(body).expect(400).expect('content-type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
      expect(errorFields(res)).toEqual([...fields].sort());
      for (const error of res.body.errors) expect(error).toEqual({ field: expect.any(String), message: expect.any(String) });
      return res;
    };

    it('requires a name of 1 to 100 characters', async () => {
      await invalid({}, ['name']);
      await invalid({ name: '' }, ['name']);
      await invalid({ name: '    ' }, ['name']);
      await invalid({ name: 'x'.repeat(101) }, ['name']);
      await invalid({ name: 42 }, ['name']);
      await invalid({ name: null }, ['name']);
      await invalid({ name: ['a'] }, ['name']);
    });

    it('limits the description to 500 characters of text', async () => {
      await invalid({ name: unique('p'), description: 'd'.repeat(501) }, ['description']);
      await invalid({ name: unique('p'), description: 5 }, ['description']);
      const ok = await t.root('post', pools()).send({ name: unique('p'), description: null }).expect(201);
      expect(ok.body.description).toBeNull();
    });

    it('takes authenticationMechanisms only as a non-empty subset of ["password"]', async () => {
      await invalid({ name: unique('p'), authenticationMechanisms: [] }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: ['sms'] }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: ['password', 'otp'] }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: ['password', 'password'] }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: ['PASSWORD'] }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: 'password' }, ['authenticationMechanisms']);
      await invalid({ name: unique('p'), authenticationMechanisms: [1] }, ['authenticationMechanisms']);
    });

    it('checks the password policy: minLength ≥ 8, maxLength ≥ minLength, whole numbers', async () => {
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 7 } }, ['passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 0 } }, ['passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 9.5 } }, ['passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: '12' } }, ['passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 1025, maxLength: 2000 } }, ['passwordPolicy.maxLength', 'passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: null } }, ['passwordPolicy.minLength']);
      await invalid({ name: unique('p'), passwordPolicy: { maxLength: 7 } }, ['passwordPolicy.maxLength']);
      await invalid({ name: unique('p'), passwordPolicy: { maxLength: null } }, ['passwordPolicy.maxLength']);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 20, maxLength: 19 } }, ['passwordPolicy.maxLength']);
      // The default maxLength (128) applies when only minLength is given.
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 129 } }, ['passwordPolicy.maxLength']);
      await invalid({ name: unique('p'), passwordPolicy: 12 }, ['passwordPolicy']);
      // An array is no policy (its elements may be reported too, under passwordPolicy.<index>).
      const array = await t.root('post', pools()).send({ name: unique('p'), passwordPolicy: [8, 128] }).expect(400);
      expect(errorFields(array)).toContain('passwordPolicy');
      expect(errorFields(array).every((field) => field.startsWith('passwordPolicy'))).toBe(true);
      await invalid({ name: unique('p'), passwordPolicy: { minLength: 8, complexity: 'high' } }, ['passwordPolicy.complexity']);
    });

    it('takes selfRegistration flags only as booleans', async () => {
      await invalid({ name: unique('p'), selfRegistration: { enabled: 'yes' } }, ['selfRegistration.enabled']);
      await invalid({ name: unique('p'), selfRegistration: { enabled: 1 } }, ['selfRegistration.enabled']);
      await invalid({ name: unique('p'), selfRegistration: { enabled: null } }, ['selfRegistration.enabled']);
      await invalid({ name: unique('p'), selfRegistration: { requireEmailVerification: 'false' } }, ['selfRegistration.requireEmailVerification']);
      await invalid({ name: unique('p'), selfRegistration: { requireEmailVerification: null } }, ['selfRegistration.requireEmailVerification']);
      await invalid({ name: unique('p'), selfRegistration: true }, ['selfRegistration']);
      await invalid({ name: unique('p'), selfRegistration: { enabled: true, captcha: true } }, ['selfRegistration.captcha']);
    });

    it('takes invitationTtlHours only as a whole number of hours from 1 to 8760', async () => {
      for (const bad of [0, -1, 1.5, '72', 24 * 365 + 1, true]) {
        await invalid({ name: unique('p'), invitationTtlHours: bad }, ['invitationTtlHours']);
      }
    });

    it('takes lockout settings only as whole numbers in range', async () => {
      for (const bad of [0, -3, 2.5, '5', 101, null]) {
        await invalid({ name: unique('p'), lockout: { maxFailedAttempts: bad } }, ['lockout.maxFailedAttempts']);
      }
      for (const bad of [0, -1, 0.5, '900', 30 * 24 * 3600 + 1, null]) {
        await invalid({ name: unique('p'), lockout: { durationSeconds: bad } }, ['lockout.durationSeconds']);
      }
      await invalid({ name: unique('p'), lockout: 'strict' }, ['lockout']);
      await invalid({ name: unique('p'), lockout: { maxFailedAttempts: 5, resetAfter: 60 } }, ['lockout.resetAfter']);
    });

    it('rejects null for optional fields that have a default (omit them to get it)', async () => {
      for (const field of ['authenticationMechanisms', 'passwordPolicy', 'selfRegistration', 'invitationTtlHours', 'lockout']) {
        await invalid({ name: unique('p'), [field]: null }, [field]);
      }
    });

    it('rejects unknown fields, including read-only ones', async () => {
      await invalid({ name: unique('p'), colour: 'blue' }, ['colour']);
      await invalid({ name: unique('p'), id: randomUUID(), workspaceId: ws, createdAt: new Date().toISOString() }, ['createdAt', 'id', 'workspaceId']);
    });

    it('lists every invalid field at once, and creates nothing', async () => {
      const name = unique('many');
      await invalid(
        {
          name: '',
          description: 'd'.repeat(501),
          authenticationMechanisms: ['sms'],
          passwordPolicy: { minLength: 4, maxLength: 2 },
          selfRegistration: { enabled: 'y', requireEmailVerification: 0 },
          invitationTtlHours: 0,
          lockout: { maxFailedAttempts: 0, durationSeconds: -1 },
          extra: 1,
        },
        [
          'authenticationMechanisms',
          'description',
          'extra',
          'invitationTtlHours',
          'lockout.durationSeconds',
          'lockout.maxFailedAttempts',
          'name',
          'passwordPolicy.maxLength',
          'passwordPolicy.minLength',
          'selfRegistration.enabled',
          'selfRegistration.requireEmailVerification',
        ],
      );
      // A valid name with a crossed range: the range is reported and nothing is created.
      await invalid({ name, description: 'd'.repeat(501), passwordPolicy: { minLength: 30, maxLength: 20 } }, ['description', 'passwordPolicy.maxLength']);
      const list = await listAll<{ name: string }>(t, pools(), 200);
      expect(list.items.map((p) => p.name)).not.toContain(name);
    });

    it('answers 400 for a body that is not JSON and 415 for another media type', async () => {
      const bad = await t.root('post', pools()).set('Content-Type', 'application/json').send('{"name": ').expect(400);
      expect(bad.body.status).toBe(400);
      await t.root('post', pools()).set('Content-Type', 'text/plain').send('name=x').expect(415);
    });
  });

  describe('list', () => {
    let listWs: string;
    let created: string[];

    beforeAll(async () => {
      listWs = (await createWorkspace(t)).id;
      created = [];
      for (let i = 0; i < 5; i++) created.push((await createPool(t, listWs, { name: `pool ${i}` })).id);
      await createPool(t, (await createWorkspace(t)).id);
    });

    it('lists the workspace’s pools, oldest first, with the default limit', async () => {
      const res = await t.root('get', `/v1/workspaces/${listWs}/pools`).expect(200);
      expect(res.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(ids(res.body.items)).toEqual(created);
      expect(res.body.items[0]).toEqual({
        id: created[0],
        workspaceId: listWs,
        name: 'pool 0',
        description: null,
        authenticationMechanisms: ['password'],
        passwordPolicy: { minLength: 8, maxLength: 128 },
        selfRegistration: { enabled: false, requireEmailVerification: true },
        invitationTtlHours: 72,
        lockout: { maxFailedAttempts: 5, durationSeconds: 900 },
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
    });

    it('pages with limit and cursor, and ends with nextCursor null', async () => {
      const path = `/v1/workspaces/${listWs}/pools`;
      const first = await t.root('get', `${path}?limit=2`).expect(200);
      expect(ids(first.body.items)).toEqual(created.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.root('get', `${path}?limit=2&cursor=${first.body.nextCursor}`).expect(200);
      expect(ids(second.body.items)).toEqual(created.slice(2, 4));
      expect(second.body.nextCursor).toEqual(expect.any(String));
      const third = await t.root('get', `${path}?limit=2&cursor=${second.body.nextCursor}`).expect(200);
      expect(third.body).toEqual({ items: [expect.objectContaining({ id: created[4] })], nextCursor: null });

      // A page that ends exactly at the last item has no next page.
      const exact = await t.root('get', `${path}?limit=5`).expect(200);
      expect(ids(exact.body.items)).toEqual(created);
      expect(exact.body.nextCursor).toBeNull();
      const one = await listAll(t, path, 1);
      expect(one.pages).toEqual([1, 1, 1, 1, 1]);
      expect(ids(one.items as { id: string }[])).toEqual(created);
    });

    it('keeps pages stable when pools are created meanwhile', async () => {
      const stableWs = (await createWorkspace(t)).id;
      const path = `/v1/workspaces/${stableWs}/pools`;
      const early = [(await createPool(t, stableWs)).id, (await createPool(t, stableWs)).id, (await createPool(t, stableWs)).id];
      const first = await t.root('get', `${path}?limit=2`).expect(200);
      const late = (await createPool(t, stableWs)).id;
      const rest = await t.root('get', `${path}?limit=10&cursor=${first.body.nextCursor}`).expect(200);
      expect([...ids(first.body.items), ...ids(rest.body.items)]).toEqual([...early, late]);
    });

    it('accepts limits 1 to 200 and answers 400 naming limit otherwise', async () => {
      const path = `/v1/workspaces/${listWs}/pools`;
      await t.root('get', `${path}?limit=1`).expect(200);
      await t.root('get', `${path}?limit=200`).expect(200);
      // An empty ?limit= is the default (contract-management-audit); anything else out of 1..200 is refused.
      await t.root('get', `${path}?limit=`).expect(200);
      for (const bad of ['0', '201', '-1', '1.5', 'ten']) {
        const res = await t.root('get', `${path}?limit=${bad}`).expect(400);
        expect(errorFields(res)).toEqual(['limit']);
      }
    });

    it('answers 400 naming cursor for a cursor it did not issue', async () => {
      const path = `/v1/workspaces/${listWs}/pools`;
      const forged = [
        'garbage',
        Buffer.from('{"a":1}').toString('base64url'),
        Buffer.from('["not a date","0b7c1a8e-0f3c-4a4f-9d5e-1b2c3d4e5f60"]').toString('base64url'),
        Buffer.from('["2026-01-01T00:00:00.000Z","not-an-id"]').toString('base64url'),
        Buffer.from('null').toString('base64url'),
        'x'.repeat(201),
      ];
      for (const cursor of forged) {
        const res = await t.root('get', `${path}?cursor=${encodeURIComponent(cursor)}`).expect(400);
        expect(errorFields(res)).toEqual(['cursor']);
      }
    });

    it('answers 400 for unknown query parameters', async () => {
      const res = await t.root('get', `/v1/workspaces/${listWs}/pools?sort=name`).expect(400);
      expect(errorFields(res)).toEqual(['sort']);
    });

    it('answers 404 for a workspace that does not exist', async () => {
      await t.root('get', `/v1/workspaces/${randomUUID()}/pools`).expect(404);
    });
  });

  describe('get', () => {
    it('answers 404 for a non-UUID id, an unknown id and another workspace’s pool', async () => {
      const pool = await createPool(t, ws);
      const other = await createWorkspace(t);
      for (const path of [`${pools()}/not-a-uuid`, `${pools()}/${randomUUID()}`, `/v1/workspaces/${other.id}/pools/${pool.id}`, `${pools()}/${pool.id}x`]) {
        const res = await t.root('get', path).expect(404).expect('content-type', /application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 404, title: 'Pool not found' });
        await t.root('patch', path).send({ description: 'x' }).expect(404);
        await t.root('delete', path).expect(404);
      }
      // None of that touched the real pool.
      expect((await t.root('get', `${pools()}/${pool.id}`).expect(200)).body.description).toBeNull();
    });
  });

  describe('patch', () => {
    const fullPool = {
      description: 'before',
      passwordPolicy: { minLength: 10, maxLength: 100 },
      selfRegistration: { enabled: true, requireEmailVerification: false },
      invitationTtlHours: 48,
      lockout: { maxFailedAttempts: 7, durationSeconds: 1200 },
    };

    it('changes the top-level fields and leaves the others as they were', async () => {
      const pool = await createPool(t, ws, fullPool);
      const before = (await t.root('get', `${pools()}/${pool.id}`).expect(200)).body;
      const newName = unique('Renamed');
      const res = await t
        .root('patch', `${pools()}/${pool.id}`)
        .send({ name: `  ${newName} `, description: 'after', invitationTtlHours: 12, authenticationMechanisms: ['password'] })
        .expect(200);
      expect(res.body).toEqual({
        ...before,
        name: newName,
        description: 'after',
        invitationTtlHours: 12,
        updatedAt: expect.stringMatching(ISO),
      });
      expect(Date.parse(res.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt));
      expect((await t.root('get', `${pools()}/${pool.id}`).expect(200)).body).toEqual(res.body);

      const cleared = await t.root('patch', `${pools()}/${pool.id}`).send({ description: null }).expect(200);
      expect(cleared.body.description).toBeNull();
      const same = await t.root('patch', `${pools()}/${pool.id}`).send({}).expect(200);
      expect(same.body).toEqual({ ...cleared.body, updatedAt: expect.stringMatching(ISO) });
    });

    it('merges nested policies with the current ones', async () => {
      const pool = await createPool(t, ws, fullPool);
      const lockout = await t.root('patch', `${pools()}/${pool.id}`).send({ lockout: { maxFailedAttempts: 3 } }).expect(200);
      expect(lockout.body.lockout).toEqual({ maxFailedAttempts: 3, durationSeconds: 1200 });
      expect(lockout.body.passwordPolicy).toEqual(fullPool.passwordPolicy);
      expect(lockout.body.selfRegistration).toEqual(fullPool.selfRegistration);

      const duration = await t.root('patch', `${pools()}/${pool.id}`).send({ lockout: { durationSeconds: 60 } }).expect(200);
      expect(duration.body.lockout).toEqual({ maxFailedAttempts: 3, durationSeconds: 60 });

      const policy = await t.root('patch', `${pools()}/${pool.id}`).send({ passwordPolicy: { minLength: 16 } }).expect(200);
      expect(policy.body.passwordPolicy).toEqual({ minLength: 16, maxLength: 100 });
      const max = await t.root('patch', `${pools()}/${pool.id}`).send({ passwordPolicy: { maxLength: 200 } }).expect(200);
      expect(max.body.passwordPolicy).toEqual({ minLength: 16, maxLength: 200 });

      const reg = await t.root('patch', `${pools()}/${pool.id}`).send({ selfRegistration: { requireEmailVerification: true } }).expect(200);
      expect(reg.body.selfRegistration).toEqual({ enabled: true, requireEmailVerification: true });

      const got = await t.root('get', `${pools()}/${pool.id}`).expect(200);
      expect(got.body).toMatchObject({
        description: 'before',
        invitationTtlHours: 48,
        passwordPolicy: { minLength: 16, maxLength: 200 },
        selfRegistration: { enabled: true, requireEmailVerification: true },
        lockout: { maxFailedAttempts: 3, durationSeconds: 60 },
      });
    });

    it('checks maxLength ≥ minLength against the merged policy and changes nothing when it fails', async () => {
      const pool = await createPool(t, ws, fullPool);
      const res = await t.root('patch', `${pools()}/${pool.id}`).send({ name: unique('never'), passwordPolicy: { minLength: 101 } }).expect(400);
      expect(errorFields(res)).toEqual(['passwordPolicy.maxLength']);
      const low = await t.root('patch', `${pools()}/${pool.id}`).send({ passwordPolicy: { maxLength: 9 } }).expect(400);
      expect(errorFields(low)).toEqual(['passwordPolicy.maxLength']);
      const got = await t.root('get', `${pools()}/${pool.id}`).expect(200);
      expect(got.body).toMatchObject({ name: pool.name, passwordPolicy: fullPool.passwordPolicy });
      await t.root('patch', `${pools()}/${pool.id}`).send({ passwordPolicy: { minLength: 100 } }).expect(200);
    });

    it('validates every field as create does, and rejects null for fields that cannot be empty', async () => {
      const pool = await createPool(t, ws, fullPool);
      const path = `${pools()}/${pool.id}`;
      const cases: [Record<string, unknown>, string[]][] = [
        [{ name: '' }, ['name']],
        [{ name: '   ' }, ['name']],
        [{ name: 'x'.repeat(101) }, ['name']],
        [{ name: null }, ['name']],
        [{ description: 'd'.repeat(501) }, ['description']],
        [{ authenticationMechanisms: ['sms'] }, ['authenticationMechanisms']],
        [{ authenticationMechanisms: [] }, ['authenticationMechanisms']],
        [{ authenticationMechanisms: null }, ['authenticationMechanisms']],
        [{ passwordPolicy: { minLength: 7 } }, ['passwordPolicy.minLength']],
        [{ passwordPolicy: { minLength: null } }, ['passwordPolicy.minLength']],
        [{ passwordPolicy: { maxLength: 'long' } }, ['passwordPolicy.maxLength']],
        [{ passwordPolicy: null }, ['passwordPolicy']],
        [{ selfRegistration: { enabled: 'no' } }, ['selfRegistration.enabled']],
        [{ selfRegistration: null }, ['selfRegistration']],
        [{ invitationTtlHours: 0 }, ['invitationTtlHours']],
        [{ invitationTtlHours: null }, ['invitationTtlHours']],
        [{ lockout: { maxFailedAttempts: 0 } }, ['lockout.maxFailedAttempts']],
        [{ lockout: { durationSeconds: 1.5 } }, ['lockout.durationSeconds']],
        [{ lockout: null }, ['lockout']],
        [{ id: randomUUID() }, ['id']],
        [{ workspaceId: randomUUID() }, ['workspaceId']],
        [{ colour: 'red' }, ['colour']],
        [{ name: '', invitationTtlHours: -1, lockout: { maxFailedAttempts: 'x' }, extra: true }, ['extra', 'invitationTtlHours', 'lockout.maxFailedAttempts', 'name']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('patch', path).send(body);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
      }
      const got = await t.root('get', path).expect(200);
      expect(got.body).toMatchObject({ name: pool.name, ...fullPool });
    });

    it('answers 409 when renaming to another pool’s name in any case, and allows a change of case of its own name', async () => {
      const a = await createPool(t, ws, { name: unique('Alpha') });
      const b = await createPool(t, ws, { name: unique('Beta') });
      for (const name of [a.name, a.name.toUpperCase(), ` ${a.name.toLowerCase()} `]) {
        const res = await t.root('patch', `${pools()}/${b.id}`).send({ name }).expect(409);
        expect(res.body).toMatchObject({ status: 409, errors: [{ field: 'name', message: expect.any(String) }] });
      }
      expect((await t.root('get', `${pools()}/${b.id}`).expect(200)).body.name).toBe(b.name);
      const recased = await t.root('patch', `${pools()}/${a.id}`).send({ name: a.name.toUpperCase() }).expect(200);
      expect(recased.body.name).toBe(a.name.toUpperCase());
      // The old name is free once a pool is renamed away from it.
      await t.root('patch', `${pools()}/${b.id}`).send({ name: unique('Gamma') }).expect(200);
      await t.root('post', pools()).send({ name: b.name }).expect(201);
    });
  });

  describe('delete', () => {
    it('deletes the pool; a second delete is 404', async () => {
      const pool = await createPool(t, ws);
      const res = await t.root('delete', `${pools()}/${pool.id}`).expect(204);
      expect(res.text).toBe('');
      await t.root('get', `${pools()}/${pool.id}`).expect(404);
      await t.root('delete', `${pools()}/${pool.id}`).expect(404);
      const list = await listAll(t, pools(), 200);
      expect(ids(list.items as { id: string }[])).not.toContain(pool.id);
      // Its name is free again.
      await t.root('post', pools()).send({ name: pool.name }).expect(201);
    });

    it('deletes the pool’s users, credentials, invitations and memberships, and nothing of other pools', async () => {
      const doomed = await createPool(t, ws);
      const kept = await createPool(t, ws);
      const active = await createUser(t, ws, doomed.id);
      const invited = await createUser(t, ws, doomed.id, { credential: { mode: 'invitation' } });
      const survivor = await createUser(t, ws, kept.id);
      const group = await createGroup(t, ws);
      expect(await addMembers(t, ws, group.id, [active.id, invited.id, survivor.id])).toEqual({ added: 3, alreadyMembers: 0 });

      await t.root('delete', `${pools()}/${doomed.id}`).expect(204);

      const members = await t.root('get', `/v1/workspaces/${ws}/groups/${group.id}/members`).expect(200);
      expect(ids(members.body.items)).toEqual([survivor.id]);
      await t.root('get', `${pools()}/${doomed.id}/users`).expect(404);
      await t.root('get', `${pools()}/${doomed.id}/users/${active.id}`).expect(404);
      await t.root('get', `${pools()}/${kept.id}/users/${survivor.id}`).expect(200);
      await t.root('get', `/v1/workspaces/${ws}/groups/${group.id}`).expect(200);
      // Adding a deleted user now names it as unknown.
      const add = await t.root('post', `/v1/workspaces/${ws}/groups/${group.id}/members`).send({ userIds: [active.id] }).expect(400);
      expect(errorFields(add)).toEqual(['userIds[0]']);

      const gone = [active.id, invited.id];
      const [left] = await sql<{ users: string; credentials: string; invitations: string; memberships: string }>(
        t,
        `SELECT (SELECT count(*) FROM users WHERE id = ANY($1::uuid[]) OR pool_id = $2) AS users,
                (SELECT count(*) FROM credentials WHERE user_id = ANY($1::uuid[])) AS credentials,
                (SELECT count(*) FROM invitations WHERE user_id = ANY($1::uuid[])) AS invitations,
                (SELECT count(*) FROM group_members WHERE user_id = ANY($1::uuid[])) AS memberships`,
        [gone, doomed.id],
      );
      expect(left).toEqual({ users: '0', credentials: '0', invitations: '0', memberships: '0' });
      const [survivorRows] = await sql<{ credentials: string }>(t, 'SELECT count(*) AS credentials FROM credentials WHERE user_id = $1', [survivor.id]);
      expect(survivorRows.credentials).toBe('1');
    });
  });
});
