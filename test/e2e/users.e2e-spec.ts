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

const HOUR = 3_600_000;
const PASSWORD = 'correct horse battery';

type User = {
  id: string;
  email: string | null;
  mobile: string | null;
  status: string;
  emailVerified: boolean;
  invitation: { status: string; sentAt: string | null; expiresAt: string } | null;
  [key: string]: unknown;
};

/** Within a minute of `expected` (ms since epoch). */
function near(iso: string, expected: number, slackMs = 60_000): void {
  expect(Math.abs(Date.parse(iso) - expected)).toBeLessThanOrEqual(slackMs);
}

describe('users', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  const users = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/users`;
  const email = (prefix = 'user') => `${unique(prefix)}@example.com`;

  const getUser = async (id: string, poolId = pool): Promise<User> => (await t.root('get', `${users(poolId)}/${id}`).expect(200)).body;

  beforeAll(async () => {
    // Cheap hashes: these tests are about the API, not the hashing cost. No worker (ROLE=api):
    // invitations stay 'queued', as the API leaves them, instead of racing the mail worker.
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(() => t.close());

  describe('create', () => {
    it('with a password: active at once, and the response carries no secret', async () => {
      const address = email('ada');
      const res = await t.root('post', users()).send({ email: address, credential: { mode: 'password', password: PASSWORD } }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        poolId: pool,
        email: address,
        mobile: null,
        givenName: null,
        familyName: null,
        name: null,
        status: 'active',
        emailVerified: false,
        externalId: null,
        attributes: {},
        invitation: null,
        lockedUntil: null,
        lastSignInAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|credential|hash/i);
      expect(await getUser(res.body.id)).toEqual(res.body);
      const [row] = await sql<{ password_hash: string }>(t, 'SELECT password_hash FROM credentials WHERE user_id = $1', [res.body.id]);
      expect(row.password_hash).toMatch(/^\$argon2id\$/);
      expect(row.password_hash).not.toContain(PASSWORD);
    });

    it('with every field set', async () => {
      const body = {
        email: email('grace'),
        mobile: '+14155550100',
        givenName: 'Grace',
        familyName: 'Hopper',
        name: 'Grace Brewster Hopper',
        externalId: 'crm-000123',
        attributes: { plan: 'pro', locale: 'en-US', nested: { tags: ['a', 'b'], n: 1.5, ok: true, none: null } },
      };
      const res = await t.root('post', users()).send({ ...body, credential: { mode: 'password', password: PASSWORD } }).expect(201);
      expect(res.body).toEqual({
        ...body,
        id: expect.stringMatching(UUID),
        poolId: pool,
        status: 'active',
        emailVerified: false,
        invitation: null,
        lockedUntil: null,
        lastSignInAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect(await getUser(res.body.id)).toEqual(res.body);
    });

    it('with a mobile number only', async () => {
      const res = await t.root('post', users()).send({ mobile: '+33612345678', credential: { mode: 'password', password: PASSWORD } }).expect(201);
      expect(res.body).toMatchObject({ email: null, mobile: '+33612345678', status: 'active' });
    });

    it('by invitation: invited, an invitation queued that expires after the pool’s TTL, and no password', async () => {
      const address = email('invitee');
      const before = Date.now();
      const res = await t.root('post', users()).send({ email: address, givenName: 'Ivy', credential: { mode: 'invitation' } }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        poolId: pool,
        email: address,
        mobile: null,
        givenName: 'Ivy',
        familyName: null,
        name: null,
        status: 'invited',
        emailVerified: false,
        externalId: null,
        attributes: {},
        invitation: { status: 'queued', sentAt: null, expiresAt: expect.stringMatching(ISO) },
        lockedUntil: null,
        lastSignInAt: null,
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      near(res.body.invitation.expiresAt, before + 72 * HOUR);
      const got = await getUser(res.body.id);
      expect(got.status).toBe('invited');
      expect(got.invitation?.expiresAt).toBe(res.body.invitation.expiresAt);
      const credentials = await sql(t, 'SELECT 1 FROM credentials WHERE user_id = $1', [res.body.id]);
      expect(credentials).toHaveLength(0);
    });

    it('by invitation in a pool with another TTL', async () => {
      const shortPool = await createPool(t, ws, { invitationTtlHours: 5 });
      const before = Date.now();
      const res = await t.root('post', users(shortPool.id)).send({ email: email(), credential: { mode: 'invitation' } }).expect(201);
      near(res.body.invitation.expiresAt, before + 5 * HOUR);
    });

    it('trims the email and lower-cases its domain, keeping the local part as given', async () => {
      const local = `Ada.Lovelace+${unique('Tag')}`;
      const res = await createUser(t, ws, pool, { email: `  ${local}@Example.COM \n` });
      expect(res.email).toBe(`${local}@example.com`);
      expect((await getUser(res.id)).email).toBe(`${local}@example.com`);
      const mobile = await createUser(t, ws, pool, { email: undefined, mobile: ' +14155550111 ' });
      expect((await getUser(mobile.id)).mobile).toBe('+14155550111');
    });

    it('answers 409 for an email that differs only in case, a taken mobile or a taken externalId', async () => {
      const local = unique('Dup');
      const first = await createUser(t, ws, pool, { email: `${local}@example.com`, mobile: '+14155550122', externalId: `ext-${local}` });
      const attempts: [Record<string, unknown>, string][] = [
        [{ email: `${local}@example.com` }, 'email'],
        [{ email: `${local.toUpperCase()}@EXAMPLE.COM` }, 'email'],
        [{ email: `  ${local.toLowerCase()}@example.com ` }, 'email'],
        [{ email: email(), mobile: '+14155550122' }, 'mobile'],
        [{ email: email(), externalId: `ext-${local}` }, 'externalId'],
      ];
      for (const [body, field] of attempts) {
        for (const credential of [{ mode: 'password', password: PASSWORD }, { mode: 'invitation' }]) {
          const res = await t.root('post', users()).send({ ...body, credential }).expect(409).expect('content-type', /application\/problem\+json/);
          expect(res.body).toMatchObject({ status: 409, title: 'Conflict', errors: [{ field, message: expect.any(String) }] });
        }
      }
      // Every field taken is named at once, not only the one the database hit first.
      const all = await t.root('post', users()).send({ email: `${local}@example.com`, mobile: '+14155550122', externalId: `ext-${local}`, credential: { mode: 'invitation' } }).expect(409);
      expect(errorFields(all)).toEqual(['email', 'externalId', 'mobile']);
      const found = await t.root('get', `${users()}?search=${encodeURIComponent(local.toLowerCase())}`).expect(200);
      expect(ids(found.body.items)).toEqual([first.id]);
      // Unique per pool only.
      const otherPool = await createPool(t, ws);
      await createUser(t, ws, otherPool.id, { email: `${local}@example.com`, mobile: '+14155550122', externalId: `ext-${local}` });
    });

    it('lets exactly one of several concurrent creates with the same email win; the others get 409', async () => {
      const local = unique('Race');
      const variants = [`${local}@example.com`, `${local.toUpperCase()}@example.com`, `${local}@EXAMPLE.COM`, `${local.toLowerCase()}@example.com`];
      const results = await Promise.all(
        variants.map((address, i) =>
          t.root('post', users()).send({ email: address, credential: i % 2 ? { mode: 'invitation' } : { mode: 'password', password: PASSWORD } }),
        ),
      );
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
      for (const res of results.filter((r) => r.status === 409)) expect(errorFields(res)).toEqual(['email']);
    });

    it('checks the password against the pool’s policy', async () => {
      const strict = await createPool(t, ws, { passwordPolicy: { minLength: 10, maxLength: 12 } });
      const create = (password: unknown) => t.root('post', users(strict.id)).send({ email: email(), credential: { mode: 'password', password } });
      for (const password of ['x'.repeat(9), 'x'.repeat(13), '', 'short']) {
        const res = await create(password).expect(400);
        expect(errorFields(res)).toEqual(['credential.password']);
        if (password) expect(JSON.stringify(res.body)).not.toContain(password);
      }
      await create('x'.repeat(10)).expect(201);
      await create('x'.repeat(12)).expect(201);
      // Characters, not UTF-16 units: 10 emoji are 10 characters.
      await create('😀'.repeat(10)).expect(201);
      await create('😀'.repeat(13)).expect(400);

      // A change of policy applies to the next password.
      await t.root('patch', `/v1/workspaces/${ws}/pools/${strict.id}`).send({ passwordPolicy: { minLength: 11 } }).expect(200);
      expect(errorFields(await create('x'.repeat(10)).expect(400))).toEqual(['credential.password']);
      await create('x'.repeat(11)).expect(201);

      const defaults = (password: string) => t.root('post', users()).send({ email: email(), credential: { mode: 'password', password } });
      await defaults('x'.repeat(7)).expect(400);
      await defaults('x'.repeat(8)).expect(201);
      await defaults('x'.repeat(128)).expect(201);
      await defaults('x'.repeat(129)).expect(400);
    });

    it('requires a password with mode password and refuses one with mode invitation', async () => {
      for (const credential of [{ mode: 'password' }, { mode: 'password', password: null }, { mode: 'password', password: 12345678 }, { mode: 'invitation', password: PASSWORD }]) {
        const res = await t.root('post', users()).send({ email: email(), credential });
        expect({ credential, status: res.status, fields: errorFields(res) }).toEqual({ credential, status: 400, fields: ['credential.password'] });
      }
      const long = await t.root('post', users()).send({ email: email(), credential: { mode: 'password', password: 'x'.repeat(4097) } }).expect(400);
      expect(errorFields(long)).toEqual(['credential.password']);
    });

    it('needs an email for an invitation, and an email or a mobile number in any case', async () => {
      const noEmail = await t.root('post', users()).send({ mobile: '+14155550133', credential: { mode: 'invitation' } }).expect(400);
      expect(errorFields(noEmail)).toEqual(['email']);
      const nullEmail = await t.root('post', users()).send({ email: null, mobile: '+14155550133', credential: { mode: 'invitation' } }).expect(400);
      expect(errorFields(nullEmail)).toEqual(['email']);
      for (const body of [{}, { email: null, mobile: null }, { givenName: 'Nobody' }]) {
        const res = await t.root('post', users()).send({ ...body, credential: { mode: 'password', password: PASSWORD } }).expect(400);
        expect(errorFields(res)).toEqual(['email']);
      }
      const list = await t.root('get', `${users()}?search=%2B14155550133`).expect(200);
      expect(list.body.items).toEqual([]);
    });

    it('takes mobile numbers only in E.164', async () => {
      for (const mobile of ['4155550100', '+0123456789', '+1 415 555 0100', '+1-415-555-0100', '+1234567890123456', '+', '+1', 'phone', 14155550100]) {
        const res = await t.root('post', users()).send({ mobile, credential: { mode: 'password', password: PASSWORD } });
        expect({ mobile, status: res.status, fields: errorFields(res) }).toEqual({ mobile, status: 400, fields: ['mobile'] });
      }
      await createUser(t, ws, pool, { email: undefined, mobile: '+123456789012345' });
      await createUser(t, ws, pool, { email: undefined, mobile: '+12' });
    });

    describe('validation', () => {
      const invalid = async (body: Record<string, unknown>, fields: string[]) => {
        const res = await t.root('post', users()).send({ credential: { mode: 'password', password: PASSWORD }, ...body });
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields: [...fields].sort() });
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      };

      it('checks the email', async () => {
        for (const bad of ['not-an-email', 'a@', '@example.com', 'a b@example.com', '', 42, `${'a'.repeat(310)}@example.com`]) {
          await invalid({ email: bad }, ['email']);
        }
      });

      it('checks the names: strings of 1 to 200 characters', async () => {
        for (const field of ['givenName', 'familyName', 'name']) {
          for (const bad of ['', 'x'.repeat(201), 7, ['Ada'], { first: 'Ada' }]) await invalid({ email: email(), [field]: bad }, [field]);
          const ok = await t
            .root('post', users())
            .send({ email: email(), [field]: 'é'.repeat(200), credential: { mode: 'password', password: PASSWORD } })
            .expect(201);
          expect(ok.body[field]).toBe('é'.repeat(200));
        }
      });

      it('checks the externalId: a string of 1 to 255 characters', async () => {
        for (const bad of ['', 'x'.repeat(256), 123]) await invalid({ email: email(), externalId: bad }, ['externalId']);
        await createUser(t, ws, pool, { externalId: 'x'.repeat(255) });
      });

      it('checks the attributes: a JSON object of at most 16 KB', async () => {
        for (const bad of [[], ['a'], 'plan=pro', 3, true, null, { blob: 'x'.repeat(16 * 1024) }]) {
          await invalid({ email: email(), attributes: bad }, ['attributes']);
        }
        const fits = { blob: 'x'.repeat(16 * 1024 - 20) };
        const ok = await t.root('post', users()).send({ email: email(), attributes: fits, credential: { mode: 'password', password: PASSWORD } }).expect(201);
        expect(ok.body.attributes).toEqual(fits);
      });

      it('checks the credential', async () => {
        await invalid({ email: email(), credential: undefined }, ['credential']);
        await invalid({ email: email(), credential: null }, ['credential']);
        await invalid({ email: email(), credential: 'password' }, ['credential']);
        await invalid({ email: email(), credential: {} }, ['credential.mode']);
        await invalid({ email: email(), credential: { mode: 'sms' } }, ['credential.mode']);
        await invalid({ email: email(), credential: { mode: 'PASSWORD', password: PASSWORD } }, ['credential.mode']);
        await invalid({ email: email(), credential: { mode: 'password', password: PASSWORD, hash: '$argon2id$' } }, ['credential.hash']);
      });

      it('rejects unknown and read-only fields', async () => {
        await invalid({ email: email(), nickname: 'x' }, ['nickname']);
        await invalid({ email: email(), status: 'active' }, ['status']);
        await invalid({ email: email(), emailVerified: true }, ['emailVerified']);
        await invalid({ email: email(), id: randomUUID(), poolId: pool }, ['id', 'poolId']);
        await invalid({ email: email(), password: PASSWORD }, ['password']);
      });

      it('lists every invalid field at once', async () => {
        await invalid(
          {
            email: 'nope',
            mobile: '555',
            givenName: '',
            familyName: 'x'.repeat(201),
            name: 5,
            externalId: '',
            attributes: [],
            credential: { mode: 'magic', extra: 1 },
            extra: true,
          },
          ['attributes', 'credential.extra', 'credential.mode', 'email', 'externalId', 'extra', 'familyName', 'givenName', 'mobile', 'name'],
        );
      });
    });

    it('answers 404 for a pool that is unknown, not a UUID, or of another workspace', async () => {
      const other = await createWorkspace(t);
      const foreign = await createPool(t, other.id);
      for (const path of [users(randomUUID()), users('not-a-uuid'), users(foreign.id)]) {
        const res = await t.root('post', path).send({ email: email(), credential: { mode: 'password', password: PASSWORD } }).expect(404);
        expect(res.body.status).toBe(404);
        await t.root('get', path).expect(404);
      }
      expect((await t.root('get', users(foreign.id).replace(ws, other.id)).expect(200)).body.items).toEqual([]);
    });
  });

  describe('list', () => {
    let listPool: string;
    const u: Record<string, User> = {};
    let group: { id: string };
    const list = async (query: string) => {
      const res = await t.root('get', `${users(listPool)}?${query}`).expect(200);
      expect(res.body).toEqual({ items: expect.any(Array), nextCursor: null });
      return ids(res.body.items);
    };

    beforeAll(async () => {
      listPool = (await createPool(t, ws)).id;
      const make = async (key: string, body: Record<string, unknown>) => {
        u[key] = (await t.root('post', users(listPool)).send({ credential: { mode: 'password', password: PASSWORD }, ...body }).expect(201)).body;
      };
      await make('ada', { email: 'Ada.Lovelace@example.com', givenName: 'Ada', familyName: 'Lovelace', name: 'Ada Lovelace', mobile: '+14155550101' });
      await make('alan', { email: 'alan.turing@example.org', givenName: 'Alan', familyName: 'Turing', name: 'Alan M. Turing', mobile: '+442071234567' });
      await make('grace', { email: 'grace@navy.mil', givenName: 'Grace', familyName: 'Hopper', name: 'Amazing Grace' });
      await make('percent', { email: '100%real@example.com' });
      await make('digits', { email: '1000real@example.com' });
      await make('underscore', { email: 'a_b@example.com' });
      await make('axb', { email: 'axb@example.com' });
      await make('phone', { mobile: '+447700900123', givenName: 'Zed' });
      await make('invited', { email: 'ivy@example.com', givenName: 'Adaline', credential: { mode: 'invitation' } });
      await make('disabled', { email: 'dora@example.com', familyName: 'Adams' });
      await t.root('patch', `${users(listPool)}/${u.disabled.id}`).send({ status: 'disabled' }).expect(200);
      // A user of another pool never shows up here.
      await createUser(t, ws, pool, { email: 'ada.other@example.com', givenName: 'Ada' });
      group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [u.grace.id, u.ada.id, u.invited.id]);
    });

    it('lists the pool’s users, oldest first, with their invitation', async () => {
      const res = await t.root('get', users(listPool)).expect(200);
      const order = ['ada', 'alan', 'grace', 'percent', 'digits', 'underscore', 'axb', 'phone', 'invited', 'disabled'];
      expect(ids(res.body.items)).toEqual(order.map((k) => u[k].id));
      expect(res.body.nextCursor).toBeNull();
      const byId = new Map<string, User>(res.body.items.map((item: User) => [item.id, item]));
      expect(byId.get(u.ada.id)).toEqual(u.ada);
      expect(byId.get(u.invited.id)!.invitation).toEqual({ status: 'queued', sentAt: null, expiresAt: u.invited.invitation!.expiresAt });
      expect(byId.get(u.disabled.id)!.status).toBe('disabled');
      expect(JSON.stringify(res.body)).not.toContain(PASSWORD);
    });

    it('searches case-insensitively by prefix of email, mobile, given, family or display name', async () => {
      expect(await list('search=ada')).toEqual([u.ada.id, u.invited.id, u.disabled.id]);
      expect(await list('search=ADA.LOVELACE@EXAMPLE.COM')).toEqual([u.ada.id]);
      expect(await list('search=lovelace')).toEqual([u.ada.id]);
      expect(await list('search=TURING')).toEqual([u.alan.id]);
      expect(await list('search=alan%20m.')).toEqual([u.alan.id]);
      expect(await list('search=amazing')).toEqual([u.grace.id]);
      expect(await list('search=grace')).toEqual([u.grace.id]);
      expect(await list('search=%2B44')).toEqual([u.alan.id, u.phone.id]);
      expect(await list('search=%2B4477')).toEqual([u.phone.id]);
      expect(await list('search=zed')).toEqual([u.phone.id]);
      // A prefix, not a substring.
      expect(await list('search=example')).toEqual([]);
      expect(await list('search=lace')).toEqual([]);
      expect(await list('search=nobody')).toEqual([]);
    });

    it('treats % and _ in the search as literal characters', async () => {
      expect(await list('search=100%25')).toEqual([u.percent.id]);
      expect(await list('search=%25')).toEqual([]);
      expect(await list('search=a_')).toEqual([u.underscore.id]);
      expect(await list('search=_')).toEqual([]);
      expect(await list('search=a%5C')).toEqual([]);
    });

    it('pages through a search whether its matches come early in page order or after many other users', async () => {
      const walk = async (path: string) => {
        const seen: string[] = [];
        for (let next: string | null = path; next; ) {
          const page: { items: User[]; nextCursor: string | null } = (await t.root('get', next).expect(200)).body;
          seen.push(...ids(page.items));
          next = page.nextCursor && `${path}&cursor=${page.nextCursor}`;
        }
        return seen;
      };
      // A page of one: the first two matches are found walking the pool in order, the last one from the prefix indexes.
      expect(await walk(`${users(listPool)}?search=ada&limit=1`)).toEqual([u.ada.id, u.invited.id, u.disabled.id]);
      // Matches behind more users than a search walks (40 per row asked for), and a match of every field.
      const late = (await createPool(t, ws)).id;
      const invite = (body: Record<string, unknown>) => t.root('post', users(late)).send({ credential: { mode: 'invitation' }, ...body }).expect(201);
      for (let n = 0; n < 90; n++) await invite({ email: `early${n}@example.com` });
      const matches = [
        await invite({ email: 'Late.One@example.com' }),
        await invite({ email: 'z1@example.com', givenName: 'LATEX' }),
        await invite({ email: 'z2@example.com', familyName: 'Laterre' }),
        await invite({ email: 'z3@example.com', name: 'Latecomer' }),
      ].map((res) => res.body.id);
      expect(await walk(`${users(late)}?search=LATE&limit=1`)).toEqual(matches);
      expect(await walk(`${users(late)}?search=late&limit=3`)).toEqual(matches);
      const early = await t.root('get', `${users(late)}?search=early&limit=50`).expect(200);
      expect(early.body.items.map((user: User) => user.email)).toEqual(Array.from({ length: 50 }, (_, n) => `early${n}@example.com`));
      expect(early.body.nextCursor).not.toBeNull();
    });

    it('filters by status', async () => {
      expect(await list('status=invited')).toEqual([u.invited.id]);
      expect(await list('status=disabled')).toEqual([u.disabled.id]);
      expect(await list('status=pending_verification')).toEqual([]);
      const active = await list('status=active');
      expect(active).toHaveLength(8);
      expect(active).not.toContain(u.invited.id);
      expect(active).not.toContain(u.disabled.id);
      expect(await list('status=active&search=ada')).toEqual([u.ada.id]);
      // An empty status is no filter (contract-management-audit); a wrong or mis-cased one is refused.
      for (const bad of ['enabled', 'ACTIVE']) {
        const res = await t.root('get', `${users(listPool)}?status=${bad}`).expect(400);
        expect(errorFields(res)).toEqual(['status']);
      }
    });

    it('filters by group', async () => {
      expect(await list(`groupId=${group.id}`)).toEqual([u.ada.id, u.grace.id, u.invited.id]);
      expect(await list(`groupId=${group.id}&status=active`)).toEqual([u.ada.id, u.grace.id]);
      expect(await list(`groupId=${group.id}&search=grace`)).toEqual([u.grace.id]);
      // A group nobody matches is an empty page; a group the workspace does not have is a 404.
      expect(await list(`groupId=${group.id}&search=nobody`)).toEqual([]);
      const unknown = await t.root('get', `${users(listPool)}?groupId=${randomUUID()}`).expect(404);
      expect(unknown.body.title).toMatch(/group/i);
      const res = await t.root('get', `${users(listPool)}?groupId=not-a-uuid`).expect(400);
      expect(errorFields(res)).toEqual(['groupId']);
    });

    it('names every bad query field at once, each with the one message that helps', async () => {
      const both = await t.root('get', `${users(listPool)}?limit=0&cursor=zzz&status=x`).expect(400);
      expect(errorFields(both).sort()).toEqual(['cursor', 'limit', 'status']);
      const word = await t.root('get', `${users(listPool)}?limit=abc`).expect(400);
      expect(word.body.errors).toEqual([{ field: 'limit', message: 'limit must be an integer number' }]);
      const missing = await t.root('put', `${users(listPool)}/${u.grace.id}/password`).send({}).expect(400);
      expect(missing.body.errors).toEqual([{ field: 'password', message: 'password is required' }]);
      // Spaces around a pasted search term are not part of it.
      const padded = await t.root('get', `${users(listPool)}?search=${encodeURIComponent('  grace ')}`).expect(200);
      expect(padded.body.items.map((u: { id: string }) => u.id)).toEqual([u.grace.id]);
    });

    it('pages with limit and cursor, also within a search', async () => {
      const all = await listAll<User>(t, users(listPool), 3);
      expect(all.pages).toEqual([3, 3, 3, 1]);
      expect(ids(all.items)).toEqual(ids((await t.root('get', users(listPool)).expect(200)).body.items));

      const exact = await t.root('get', `${users(listPool)}?limit=10`).expect(200);
      expect(exact.body.items).toHaveLength(10);
      expect(exact.body.nextCursor).toBeNull();

      const searched = await listAll<User>(t, `${users(listPool)}?search=a`, 1);
      expect(ids(searched.items)).toEqual(await list('search=a'));
      expect(searched.items.length).toBeGreaterThan(3);
      expect(searched.pages.every((n) => n === 1)).toBe(true);
    });

    it('answers 400 for bad paging, an over-long search and unknown parameters', async () => {
      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['limit=x', 'limit'],
        ['cursor=bogus', 'cursor'],
        [`search=${'a'.repeat(321)}`, 'search'],
        ['sort=email', 'sort'],
      ]) {
        const res = await t.root('get', `${users(listPool)}?${query}`).expect(400);
        expect({ query, fields: errorFields(res) }).toEqual({ query, fields: [field] });
      }
      await t.root('get', `${users(listPool)}?limit=200`).expect(200);
    });
  });

  describe('get', () => {
    it('answers 404 for a user that is unknown, not a UUID, in another pool or in another workspace', async () => {
      const user = await createUser(t, ws, pool);
      const otherPool = await createPool(t, ws);
      const other = await createWorkspace(t);
      const paths = [
        `${users()}/${randomUUID()}`,
        `${users()}/not-a-uuid`,
        `${users(otherPool.id)}/${user.id}`,
        `/v1/workspaces/${other.id}/pools/${pool}/users/${user.id}`,
      ];
      for (const path of paths) {
        const res = await t.root('get', path).expect(404);
        expect(res.body).toMatchObject({ status: 404 });
        await t.root('patch', path).send({ givenName: 'X' }).expect(404);
        await t.root('delete', path).expect(404);
        await t.root('put', `${path}/password`).send({ password: PASSWORD }).expect(404);
        await t.root('post', `${path}/invitations`).expect(404);
        await t.root('get', `${path}/groups`).expect(404);
      }
      expect((await getUser(user.id)).givenName).toBeNull();
    });
  });

  describe('patch', () => {
    it('changes each profile field and leaves the others', async () => {
      const user = await createUser(t, ws, pool, { givenName: 'Ada', familyName: 'Byron', name: 'Ada Byron', mobile: '+14155550144', attributes: { a: 1 } });
      const before = await getUser(user.id);
      const steps: [Record<string, unknown>, Record<string, unknown>][] = [
        [{ givenName: 'Augusta' }, { givenName: 'Augusta' }],
        [{ familyName: 'Lovelace' }, { familyName: 'Lovelace' }],
        [{ name: 'Ada Lovelace' }, { name: 'Ada Lovelace' }],
        [{ mobile: '+14155550145' }, { mobile: '+14155550145' }],
        [{ attributes: { b: 2 } }, { attributes: { a: 1, b: 2 } }],
        [{ givenName: null, familyName: null, name: null }, { givenName: null, familyName: null, name: null }],
        [{ mobile: null }, { mobile: null }],
      ];
      let expected: Record<string, unknown> = before;
      for (const [body, change] of steps) {
        const res = await t.root('patch', `${users()}/${user.id}`).send(body).expect(200);
        expected = { ...expected, ...change, updatedAt: expect.stringMatching(ISO) };
        expect(res.body).toEqual(expected);
        expect(await getUser(user.id)).toEqual(res.body);
      }
      const same = await t.root('patch', `${users()}/${user.id}`).send({}).expect(200);
      expect(same.body).toEqual(expected);
      expect(Date.parse(same.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(before.updatedAt as string));
    });

    it('normalises a new email and clears emailVerified, but not for a change of case', async () => {
      const local = unique('Verified');
      const user = await createUser(t, ws, pool, { email: `${local}@example.com` });
      await sql(t, 'UPDATE users SET email_verified = true WHERE id = $1', [user.id]);
      expect((await getUser(user.id)).emailVerified).toBe(true);

      const recased = await t.root('patch', `${users()}/${user.id}`).send({ email: ` ${local.toUpperCase()}@EXAMPLE.com ` }).expect(200);
      expect(recased.body).toMatchObject({ email: `${local.toUpperCase()}@example.com`, emailVerified: true });

      const unchanged = await t.root('patch', `${users()}/${user.id}`).send({ givenName: 'V' }).expect(200);
      expect(unchanged.body.emailVerified).toBe(true);

      const moved = await t.root('patch', `${users()}/${user.id}`).send({ email: `New.${local}@Example.NET` }).expect(200);
      expect(moved.body).toMatchObject({ email: `New.${local}@example.net`, emailVerified: false });
      expect(await getUser(user.id)).toMatchObject({ email: `New.${local}@example.net`, emailVerified: false });
    });

    // Auth0 merges metadata and Cognito updates the attributes named; replacing them whole lost the others.
    it('merges attributes into the stored ones (RFC 7396): adds and replaces members, removes one set to null, merges nested objects, and clears all with null', async () => {
      const user = await createUser(t, ws, pool, { attributes: { dept: 'eng', prefs: { theme: 'dark', lang: 'en' }, tags: ['a', 'b'] } });
      const patch = (attributes: unknown) => t.root('patch', `${users()}/${user.id}`).send({ attributes }).expect(200);

      expect((await patch({ team: 'x', tags: ['c'] })).body.attributes).toEqual({ dept: 'eng', team: 'x', prefs: { theme: 'dark', lang: 'en' }, tags: ['c'] });
      expect((await patch({ dept: null, prefs: { lang: null, tz: 'UTC' } })).body.attributes).toEqual({ team: 'x', prefs: { theme: 'dark', tz: 'UTC' }, tags: ['c'] });
      expect((await getUser(user.id)).attributes).toEqual({ team: 'x', prefs: { theme: 'dark', tz: 'UTC' }, tags: ['c'] });
      expect((await patch(null)).body.attributes).toEqual({});
    });

    it('refuses an attributes merge that would pass 16 KB, naming attributes, and keeps the stored ones', async () => {
      const user = await createUser(t, ws, pool, { attributes: { a: 'x'.repeat(10_000) } });
      const res = await t.root('patch', `${users()}/${user.id}`).send({ attributes: { b: 'y'.repeat(10_000) } }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'attributes', message: expect.stringContaining('16 KB') }]);
      expect(Object.keys((await getUser(user.id)).attributes as object)).toEqual(['a']);
    });

    it('keeps an email or a mobile number: removing the last one is 400', async () => {
      const emailOnly = await createUser(t, ws, pool);
      const res = await t.root('patch', `${users()}/${emailOnly.id}`).send({ email: null }).expect(400);
      expect(errorFields(res)).toEqual(['email']);

      const both = await createUser(t, ws, pool, { mobile: '+14155550155' });
      const together = await t.root('patch', `${users()}/${both.id}`).send({ email: null, mobile: null }).expect(400);
      expect(errorFields(together)).toContain('email');
      expect(await getUser(both.id)).toMatchObject({ email: both.email, mobile: '+14155550155' });

      await t.root('patch', `${users()}/${both.id}`).send({ email: null }).expect(200);
      const last = await t.root('patch', `${users()}/${both.id}`).send({ mobile: null }).expect(400);
      expect(errorFields(last)).toEqual(['mobile']);
      expect(await getUser(both.id)).toMatchObject({ email: null, mobile: '+14155550155' });
      // Swapping one for the other in a single request is fine.
      const swapped = await t.root('patch', `${users()}/${both.id}`).send({ email: email(), mobile: null }).expect(200);
      expect(swapped.body.mobile).toBeNull();
    });

    it('answers 409 when the new email (in any case) or mobile belongs to another user of the pool', async () => {
      const a = await createUser(t, ws, pool, { mobile: '+14155550166' });
      const b = await createUser(t, ws, pool);
      const taken = await t.root('patch', `${users()}/${b.id}`).send({ email: a.email.toUpperCase() }).expect(409);
      expect(taken.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
      const mobile = await t.root('patch', `${users()}/${b.id}`).send({ mobile: '+14155550166' }).expect(409);
      expect(mobile.body.errors).toEqual([{ field: 'mobile', message: expect.any(String) }]);
      const both = await t.root('patch', `${users()}/${b.id}`).send({ email: a.email, mobile: '+14155550166' }).expect(409);
      expect(errorFields(both)).toEqual(['email', 'mobile']);
      expect(await getUser(b.id)).toMatchObject({ email: b.email, mobile: null });
      // Its own email again is no conflict.
      await t.root('patch', `${users()}/${a.id}`).send({ email: a.email }).expect(200);
    });

    it('switches status between active and disabled', async () => {
      const user = await createUser(t, ws, pool);
      const disabled = await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      expect(disabled.body.status).toBe('disabled');
      expect((await getUser(user.id)).status).toBe('disabled');
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      const active = await t.root('patch', `${users()}/${user.id}`).send({ status: 'active' }).expect(200);
      expect(active.body.status).toBe('active');
      for (const bad of ['invited', 'pending_verification', 'enabled', 'DISABLED', 1]) {
        const res = await t.root('patch', `${users()}/${user.id}`).send({ status: bad });
        expect({ bad, status: res.status, fields: errorFields(res) }).toEqual({ bad, status: 400, fields: ['status'] });
      }
      expect((await getUser(user.id)).status).toBe('active');
    });

    it('refuses to activate an invited user, who has no password yet (409)', async () => {
      const user = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      const res = await t.root('patch', `${users()}/${user.id}`).send({ status: 'active' }).expect(409);
      expect(res.body).toMatchObject({ status: 409, errors: [{ field: 'status', message: expect.any(String) }] });
      const renamed = await t.root('patch', `${users()}/${user.id}`).send({ status: 'active', givenName: 'Nope' }).expect(409);
      expect(renamed.body.status).toBe(409);
      expect(await getUser(user.id)).toMatchObject({ status: 'invited', givenName: null });

      // An invited user can be disabled, but not activated from there either.
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'active' }).expect(409);
      expect((await getUser(user.id)).status).toBe('disabled');
    });

    it('validates every field and changes nothing when one is invalid', async () => {
      const user = await createUser(t, ws, pool, { givenName: 'Keep', attributes: { keep: 1 } });
      const cases: [Record<string, unknown>, string[]][] = [
        [{ email: 'nope' }, ['email']],
        [{ email: '' }, ['email']],
        [{ mobile: '0800' }, ['mobile']],
        [{ mobile: '' }, ['mobile']],
        [{ givenName: '' }, ['givenName']],
        [{ familyName: 'x'.repeat(201) }, ['familyName']],
        [{ name: 3 }, ['name']],
        [{ attributes: [] }, ['attributes']],
        [{ attributes: 'plan=pro' }, ['attributes']],
        [{ attributes: { big: 'x'.repeat(17 * 1024) } }, ['attributes']],
        [{ externalId: 'new' }, ['externalId']],
        [{ emailVerified: true }, ['emailVerified']],
        [{ credential: { mode: 'password', password: PASSWORD } }, ['credential']],
        [{ poolId: randomUUID() }, ['poolId']],
        [{ givenName: '', mobile: 'x', status: 'gone', extra: 1 }, ['extra', 'givenName', 'mobile', 'status']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('patch', `${users()}/${user.id}`).send(body);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
      }
      expect(await getUser(user.id)).toMatchObject({ givenName: 'Keep', attributes: { keep: 1 }, email: user.email, mobile: null, status: 'active' });
    });
  });

  describe('delete', () => {
    it('deletes the user with credentials, invitations and memberships; then 404', async () => {
      const user = await createUser(t, ws, pool, { mobile: '+14155550177' });
      const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [user.id, invited.id]);

      const res = await t.root('delete', `${users()}/${user.id}`).expect(204);
      expect(res.text).toBe('');
      await t.root('delete', `${users()}/${invited.id}`).expect(204);
      await t.root('get', `${users()}/${user.id}`).expect(404);
      await t.root('delete', `${users()}/${user.id}`).expect(404);
      await t.root('get', `${users()}/${user.id}/groups`).expect(404);

      const members = await t.root('get', `/v1/workspaces/${ws}/groups/${group.id}/members`).expect(200);
      expect(members.body).toEqual({ items: [], nextCursor: null });
      const [left] = await sql<{ n: string }>(
        t,
        `SELECT ((SELECT count(*) FROM credentials WHERE user_id = ANY($1::uuid[])) +
                 (SELECT count(*) FROM invitations WHERE user_id = ANY($1::uuid[])) +
                 (SELECT count(*) FROM group_members WHERE user_id = ANY($1::uuid[])))::text AS n`,
        [[user.id, invited.id]],
      );
      expect(left.n).toBe('0');
      // The email and mobile are free again.
      await createUser(t, ws, pool, { email: user.email, mobile: '+14155550177' });
    });
  });

  describe('set password', () => {
    const setPassword = (id: string, body: unknown, poolId = pool) => t.root('put', `${users(poolId)}/${id}/password`).send(body as object);
    const hashOf = async (id: string) => (await sql<{ password_hash: string }>(t, 'SELECT password_hash FROM credentials WHERE user_id = $1', [id]))[0]?.password_hash;

    it('replaces an active user’s password: 204 with no body', async () => {
      const user = await createUser(t, ws, pool);
      const before = await hashOf(user.id);
      const res = await setPassword(user.id, { password: 'another good password' }).expect(204);
      expect(res.text).toBe('');
      const after = await hashOf(user.id);
      expect(after).toMatch(/^\$argon2id\$/);
      expect(after).not.toBe(before);
      expect((await getUser(user.id)).status).toBe('active');
    });

    it('activates an invited user and retires the invitation', async () => {
      const user = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      await setPassword(user.id, { password: PASSWORD }).expect(204);
      const got = await getUser(user.id);
      expect(got).toMatchObject({ status: 'active', invitation: null });
      expect(await hashOf(user.id)).toMatch(/^\$argon2id\$/);
      const rows = await sql<{ status: string }>(t, 'SELECT status FROM invitations WHERE user_id = $1', [user.id]);
      expect(rows).toEqual([{ status: 'revoked' }]);
      await t.root('post', `${users()}/${user.id}/invitations`).expect(409);
    });

    it('makes a disabled user active, as the admin gave it a password', async () => {
      const user = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      await setPassword(user.id, { password: PASSWORD }).expect(204);
      expect((await getUser(user.id)).status).toBe('active');
    });

    it('lifts a lock', async () => {
      const user = await createUser(t, ws, pool);
      const until = new Date(Date.now() + HOUR);
      await sql(t, 'UPDATE users SET locked_until = $2, failed_sign_ins = 3 WHERE id = $1', [user.id, until]);
      expect((await getUser(user.id)).lockedUntil).toBe(until.toISOString());
      await setPassword(user.id, { password: PASSWORD }).expect(204);
      expect((await getUser(user.id)).lockedUntil).toBeNull();
      const [row] = await sql<{ failed_sign_ins: number }>(t, 'SELECT failed_sign_ins FROM users WHERE id = $1', [user.id]);
      expect(row.failed_sign_ins).toBe(0);
    });

    it('enforces the pool’s policy and the body’s shape, changing nothing on failure', async () => {
      const strict = await createPool(t, ws, { passwordPolicy: { minLength: 12, maxLength: 16 } });
      const user = await createUser(t, ws, strict.id, { credential: { mode: 'invitation' } });
      const cases: [unknown, string[]][] = [
        [{ password: 'x'.repeat(11) }, ['password']],
        [{ password: 'x'.repeat(17) }, ['password']],
        [{ password: '' }, ['password']],
        [{}, ['password']],
        [{ password: null }, ['password']],
        [{ password: 123456789012 }, ['password']],
        [{ password: 'x'.repeat(4097) }, ['password']],
        [{ password: 'x'.repeat(12), temporary: true }, ['temporary']],
      ];
      for (const [body, fields] of cases) {
        const res = await setPassword(user.id, body, strict.id);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
        expect(JSON.stringify(res.body)).not.toContain('xxxxxxxxxxx');
      }
      expect((await getUser(user.id, strict.id)).status).toBe('invited');
      expect(await hashOf(user.id)).toBeUndefined();
      await setPassword(user.id, { password: 'x'.repeat(12) }, strict.id).expect(204);
      await setPassword(user.id, { password: 'y'.repeat(16) }, strict.id).expect(204);
      expect((await getUser(user.id, strict.id)).status).toBe('active');
    });
  });

  describe('re-send invitation', () => {
    it('queues a new invitation for an invited user; earlier ones stop counting', async () => {
      const poolRes = await createPool(t, ws, { invitationTtlHours: 48 });
      const user = await createUser(t, ws, poolRes.id, { credential: { mode: 'invitation' } });
      const first = await getUser(user.id, poolRes.id);
      near(first.invitation!.expiresAt, Date.now() + 48 * HOUR);

      await t.root('patch', `/v1/workspaces/${ws}/pools/${poolRes.id}`).send({ invitationTtlHours: 2 }).expect(200);
      const before = Date.now();
      const res = await t.root('post', `${users(poolRes.id)}/${user.id}/invitations`).expect(202);
      expect(res.text).toBe('');
      const got = await getUser(user.id, poolRes.id);
      expect(got.status).toBe('invited');
      expect(got.invitation).toEqual({ status: 'queued', sentAt: null, expiresAt: expect.stringMatching(ISO) });
      near(got.invitation!.expiresAt, before + 2 * HOUR);
      expect(got.invitation!.expiresAt).not.toBe(first.invitation!.expiresAt);

      await t.root('post', `${users(poolRes.id)}/${user.id}/invitations`).expect(202);
      const rows = await sql<{ status: string }>(t, 'SELECT status FROM invitations WHERE user_id = $1 ORDER BY created_at, id', [user.id]);
      expect(rows.map((r) => r.status).sort()).toEqual(['queued', 'revoked', 'revoked']);
    });

    it('answers 409 for a user who has a password; a disabled one who never chose one is invited again', async () => {
      const active = await createUser(t, ws, pool);
      const res = await t.root('post', `${users()}/${active.id}/invitations`).expect(409);
      expect(res.body).toMatchObject({ status: 409, errors: [{ field: 'status', message: expect.any(String) }] });
      expect(await sql(t, 'SELECT 1 FROM invitations WHERE user_id = $1', [active.id])).toHaveLength(0);
      const invitedThenDisabled = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      await t.root('patch', `${users()}/${invitedThenDisabled.id}`).send({ status: 'disabled' }).expect(200);
      await t.root('post', `${users()}/${invitedThenDisabled.id}/invitations`).expect(202);
      const again = (await t.root('get', `${users()}/${invitedThenDisabled.id}`).expect(200)).body;
      expect(again).toMatchObject({ status: 'invited', invitation: { status: expect.stringMatching(/^(queued|sent)$/) } });
    });

    it('answers 409 naming email for an invited user whose email was removed', async () => {
      const user = await createUser(t, ws, pool, { mobile: '+14155550188', credential: { mode: 'invitation' } });
      await t.root('patch', `${users()}/${user.id}`).send({ email: null }).expect(200);
      const res = await t.root('post', `${users()}/${user.id}/invitations`).expect(409);
      expect(errorFields(res)).toEqual(['email']);
    });

    it('accepts an empty JSON object as the body', async () => {
      const user = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      await t.root('post', `${users()}/${user.id}/invitations`).send({}).expect(202);
    });
  });

  describe('groups of a user', () => {
    it('lists the user’s groups, paged, and nothing for a user in none', async () => {
      const user = await createUser(t, ws, pool);
      const loner = await createUser(t, ws, pool);
      const g1 = await createGroup(t, ws, { description: 'first' });
      const g2 = await createGroup(t, ws);
      const g3 = await createGroup(t, ws);
      await addMembers(t, ws, g1.id, [user.id]);
      await addMembers(t, ws, g3.id, [user.id, loner.id]);
      await t.root('delete', `/v1/workspaces/${ws}/groups/${g3.id}/members/${loner.id}`).expect(204);

      const res = await t.root('get', `${users()}/${user.id}/groups`).expect(200);
      expect(res.body).toEqual({
        items: [
          { id: g1.id, workspaceId: ws, name: g1.name, description: 'first', createdAt: expect.stringMatching(ISO), updatedAt: expect.stringMatching(ISO) },
          expect.objectContaining({ id: g3.id, name: g3.name, description: null }),
        ],
        nextCursor: null,
      });
      expect(ids(res.body.items)).not.toContain(g2.id);
      const paged = await listAll<{ id: string }>(t, `${users()}/${user.id}/groups`, 1);
      expect(ids(paged.items)).toEqual([g1.id, g3.id]);
      expect(paged.pages).toEqual([1, 1]);

      expect((await t.root('get', `${users()}/${loner.id}/groups`).expect(200)).body).toEqual({ items: [], nextCursor: null });
      await t.root('get', `${users()}/${user.id}/groups?limit=0`).expect(400);
    });
  });
});
