import { randomUUID } from 'node:crypto';
import { addMembers, createGroup, createPool, createUser, createWorkspace, errorFields, ids, listAll, ISO, sql, unique, UUID } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';


describe('groups', () => {
  let t: TestApp;
  let ws: string;
  const groups = (workspaceId = ws) => `/v1/workspaces/${workspaceId}/groups`;
  const members = (groupId: string) => `${groups()}/${groupId}/members`;
  const memberIds = async (groupId: string) => ids((await listAll<{ id: string }>(t, members(groupId), 200)).items);

  beforeAll(async () => {
    // No worker (ROLE=api): invitations stay 'queued' instead of racing the mail worker.
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  describe('CRUD', () => {
    it('creates a group with a trimmed name and reads it back', async () => {
      const res = await t.root('post', groups()).send({ name: '  Billing admins ', description: 'People who manage billing' }).expect(201);
      expect(res.body).toEqual({
        id: expect.stringMatching(UUID),
        workspaceId: ws,
        name: 'Billing admins',
        description: 'People who manage billing',
        createdAt: expect.stringMatching(ISO),
        updatedAt: expect.stringMatching(ISO),
      });
      expect((await t.root('get', `${groups()}/${res.body.id}`).expect(200)).body).toEqual(res.body);

      const bare = await t.root('post', groups()).send({ name: unique('bare') }).expect(201);
      expect(bare.body.description).toBeNull();
      const bounds = await t.root('post', groups()).send({ name: 'n'.repeat(100), description: 'd'.repeat(500) }).expect(201);
      expect(bounds.body).toMatchObject({ name: 'n'.repeat(100), description: 'd'.repeat(500) });
    });

    it('validates the fields and lists every invalid one', async () => {
      const cases: [Record<string, unknown>, string[]][] = [
        [{}, ['name']],
        [{ name: '' }, ['name']],
        [{ name: '   ' }, ['name']],
        [{ name: 'n'.repeat(101) }, ['name']],
        [{ name: 12 }, ['name']],
        [{ name: null }, ['name']],
        [{ name: unique('g'), description: 'd'.repeat(501) }, ['description']],
        [{ name: unique('g'), description: 5 }, ['description']],
        [{ name: unique('g'), members: [] }, ['members']],
        [{ name: unique('g'), id: randomUUID(), workspaceId: ws }, ['id', 'workspaceId']],
        [{ name: '', description: 'd'.repeat(501), colour: 'red' }, ['colour', 'description', 'name']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('post', groups()).send(body);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
        expect(res.headers['content-type']).toMatch(/application\/problem\+json/);
      }
    });

    it('lists the workspace’s groups, paged', async () => {
      const own = (await createWorkspace(t)).id;
      const created = [];
      for (let i = 0; i < 5; i++) created.push((await createGroup(t, own)).id);
      await createGroup(t, ws);

      const all = await t.root('get', groups(own)).expect(200);
      expect(all.body).toEqual({ items: expect.any(Array), nextCursor: null });
      expect(ids(all.body.items)).toEqual(created);

      const first = await t.root('get', `${groups(own)}?limit=2`).expect(200);
      expect(ids(first.body.items)).toEqual(created.slice(0, 2));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const paged = await listAll<{ id: string }>(t, groups(own), 2);
      expect(paged.pages).toEqual([2, 2, 1]);
      expect(ids(paged.items)).toEqual(created);
      const exact = await t.root('get', `${groups(own)}?limit=5`).expect(200);
      expect(exact.body.nextCursor).toBeNull();

      for (const [query, field] of [
        ['limit=0', 'limit'],
        ['limit=201', 'limit'],
        ['cursor=nope', 'cursor'],
        ['name=x', 'name'],
      ]) {
        const res = await t.root('get', `${groups(own)}?${query}`).expect(400);
        expect({ query, fields: errorFields(res) }).toEqual({ query, fields: [field] });
      }
      await t.root('get', groups(randomUUID())).expect(404);
    });

    it('changes name and description, and keeps what is not sent', async () => {
      const group = await createGroup(t, ws, { description: 'before' });
      const before = (await t.root('get', `${groups()}/${group.id}`).expect(200)).body;
      const renamed = await t.root('patch', `${groups()}/${group.id}`).send({ name: ' Renamed ' + group.name }).expect(200);
      expect(renamed.body).toEqual({ ...before, name: 'Renamed ' + group.name, updatedAt: expect.stringMatching(ISO) });
      const described = await t.root('patch', `${groups()}/${group.id}`).send({ description: 'after' }).expect(200);
      expect(described.body).toMatchObject({ name: 'Renamed ' + group.name, description: 'after' });
      const cleared = await t.root('patch', `${groups()}/${group.id}`).send({ description: null }).expect(200);
      expect(cleared.body.description).toBeNull();
      const same = await t.root('patch', `${groups()}/${group.id}`).send({}).expect(200);
      expect(same.body).toEqual({ ...cleared.body, updatedAt: expect.stringMatching(ISO) });
      expect((await t.root('get', `${groups()}/${group.id}`).expect(200)).body).toEqual(same.body);
    });

    it('validates a change and changes nothing when it is invalid', async () => {
      const group = await createGroup(t, ws, { description: 'keep' });
      const cases: [Record<string, unknown>, string[]][] = [
        [{ name: '' }, ['name']],
        [{ name: '  ' }, ['name']],
        [{ name: null }, ['name']],
        [{ name: 'n'.repeat(101) }, ['name']],
        [{ description: 'd'.repeat(501) }, ['description']],
        [{ workspaceId: randomUUID() }, ['workspaceId']],
        [{ name: '', extra: 1 }, ['extra', 'name']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('patch', `${groups()}/${group.id}`).send(body);
        expect({ body, status: res.status, fields: errorFields(res) }).toEqual({ body, status: 400, fields });
      }
      expect((await t.root('get', `${groups()}/${group.id}`).expect(200)).body).toMatchObject({ name: group.name, description: 'keep' });
    });

    it('keeps names unique per workspace, case-insensitively (409), on create and on rename', async () => {
      const name = unique('Admins');
      const first = await createGroup(t, ws, { name });
      for (const again of [name, name.toUpperCase(), ` ${name.toLowerCase()} `]) {
        const res = await t.root('post', groups()).send({ name: again }).expect(409).expect('content-type', /application\/problem\+json/);
        expect(res.body).toMatchObject({ status: 409, title: 'Conflict', errors: [{ field: 'name', message: expect.any(String) }] });
      }
      const second = await createGroup(t, ws);
      const rename = await t.root('patch', `${groups()}/${second.id}`).send({ name: name.toUpperCase() }).expect(409);
      expect(errorFields(rename)).toEqual(['name']);
      expect((await t.root('get', `${groups()}/${second.id}`).expect(200)).body.name).toBe(second.name);
      // A group may change the case of its own name; another workspace may use the name.
      await t.root('patch', `${groups()}/${first.id}`).send({ name: name.toLowerCase() }).expect(200);
      await createGroup(t, (await createWorkspace(t)).id, { name });
    });

    it('lets exactly one of several concurrent creates with the same name win; the others get 409', async () => {
      const name = unique('Race');
      const results = await Promise.all([name, name.toUpperCase(), name.toLowerCase(), ` ${name} `].map((n) => t.root('post', groups()).send({ name: n })));
      expect(results.map((r) => r.status).sort()).toEqual([201, 409, 409, 409]);
    });

    it('answers 404 for a group that is unknown, not a UUID or of another workspace', async () => {
      const group = await createGroup(t, ws);
      const user = await createUser(t, ws, (await createPool(t, ws)).id);
      const other = await createWorkspace(t);
      for (const path of [`${groups()}/${randomUUID()}`, `${groups()}/not-a-uuid`, `${groups(other.id)}/${group.id}`]) {
        const res = await t.root('get', path).expect(404);
        expect(res.body).toMatchObject({ status: 404, title: 'Group not found' });
        await t.root('patch', path).send({ description: 'x' }).expect(404);
        await t.root('delete', path).expect(404);
        await t.root('post', `${path}/members`).send({ userIds: [user.id] }).expect(404);
        await t.root('get', `${path}/members`).expect(404);
        await t.root('delete', `${path}/members/${user.id}`).expect(404);
      }
      expect(await memberIds(group.id)).toEqual([]);
    });

    it('deletes a group with its memberships, leaving the users as they were', async () => {
      const pool = await createPool(t, ws);
      const alice = await createUser(t, ws, pool.id);
      const bob = await createUser(t, ws, pool.id);
      const doomed = await createGroup(t, ws);
      const kept = await createGroup(t, ws);
      await addMembers(t, ws, doomed.id, [alice.id, bob.id]);
      await addMembers(t, ws, kept.id, [alice.id]);
      const aliceBefore = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${alice.id}`).expect(200)).body;

      const res = await t.root('delete', `${groups()}/${doomed.id}`).expect(204);
      expect(res.text).toBe('');
      await t.root('get', `${groups()}/${doomed.id}`).expect(404);
      await t.root('delete', `${groups()}/${doomed.id}`).expect(404);

      expect((await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${alice.id}`).expect(200)).body).toEqual(aliceBefore);
      await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${bob.id}`).expect(200);
      const aliceGroups = await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${alice.id}/groups`).expect(200);
      expect(ids(aliceGroups.body.items)).toEqual([kept.id]);
      expect(await memberIds(kept.id)).toEqual([alice.id]);
      expect(await sql(t, 'SELECT 1 FROM group_members WHERE group_id = $1', [doomed.id])).toHaveLength(0);
      // Its name is free again.
      await createGroup(t, ws, { name: doomed.name });
    });
  });

  describe('members', () => {
    let poolA: string;
    let poolB: string;
    let a1: { id: string; poolId: string };
    let a2: { id: string; poolId: string };
    let b1: { id: string; poolId: string };
    let b2: { id: string; poolId: string };
    let stranger: { id: string };

    beforeAll(async () => {
      poolA = (await createPool(t, ws)).id;
      poolB = (await createPool(t, ws)).id;
      a1 = await createUser(t, ws, poolA);
      b1 = await createUser(t, ws, poolB, { credential: { mode: 'invitation' } });
      a2 = await createUser(t, ws, poolA);
      b2 = await createUser(t, ws, poolB, { email: undefined, mobile: '+14155550199' });
      const other = await createWorkspace(t);
      stranger = await createUser(t, other.id, (await createPool(t, other.id)).id);
    });

    it('adds users from two pools of the workspace, and lists them as users', async () => {
      const group = await createGroup(t, ws);
      expect(await addMembers(t, ws, group.id, [b1.id, a1.id])).toEqual({ added: 2, alreadyMembers: 0 });
      const res = await t.root('get', members(group.id)).expect(200);
      expect(res.body).toEqual({ items: [expect.any(Object), expect.any(Object)], nextCursor: null });
      // Listed like users (oldest first), from both pools.
      expect(ids(res.body.items)).toEqual([a1.id, b1.id]);
      expect(res.body.items[0]).toEqual((await t.root('get', `/v1/workspaces/${ws}/pools/${poolA}/users/${a1.id}`).expect(200)).body);
      expect(res.body.items[1]).toMatchObject({ id: b1.id, poolId: poolB, status: 'invited', invitation: { status: 'queued' } });
      expect(JSON.stringify(res.body)).not.toMatch(/argon2|password/i);
    });

    it('is idempotent: members already in the group are counted, not added again', async () => {
      const group = await createGroup(t, ws);
      expect(await addMembers(t, ws, group.id, [a1.id])).toEqual({ added: 1, alreadyMembers: 0 });
      expect(await addMembers(t, ws, group.id, [a1.id, a2.id, b1.id])).toEqual({ added: 2, alreadyMembers: 1 });
      expect(await addMembers(t, ws, group.id, [a1.id, a2.id, b1.id])).toEqual({ added: 0, alreadyMembers: 3 });
      expect(await memberIds(group.id)).toEqual([a1.id, b1.id, a2.id]);
    });

    it('counts an id given twice (in any case) once', async () => {
      const group = await createGroup(t, ws);
      expect(await addMembers(t, ws, group.id, [a2.id, a2.id, a2.id.toUpperCase(), b2.id])).toEqual({ added: 2, alreadyMembers: 0 });
      expect(await addMembers(t, ws, group.id, [b2.id, b2.id.toUpperCase()])).toEqual({ added: 0, alreadyMembers: 1 });
      expect(await memberIds(group.id)).toEqual([a2.id, b2.id]);
      const [{ n }] = await sql<{ n: string }>(t, 'SELECT count(*)::text AS n FROM group_members WHERE group_id = $1', [group.id]);
      expect(n).toBe('2');
    });

    it('counts each user once when the same users are added concurrently', async () => {
      const group = await createGroup(t, ws);
      const userIds = [a1.id, a2.id, b1.id, b2.id];
      const results = await Promise.all(Array.from({ length: 4 }, () => t.root('post', members(group.id)).send({ userIds })));
      expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200]);
      for (const res of results) expect(res.body.added + res.body.alreadyMembers).toBe(4);
      expect(results.reduce((sum, res) => sum + res.body.added, 0)).toBe(4);
      expect(await memberIds(group.id)).toEqual([a1.id, b1.id, a2.id, b2.id]);
    });

    it('adds nobody when one id is unknown or of another workspace, and names exactly those entries', async () => {
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [b2.id]);
      const unknown = randomUUID();
      const res = await t
        .root('post', members(group.id))
        .send({ userIds: [a1.id, unknown, b1.id, stranger.id, a2.id] })
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(res.body).toEqual({
        type: expect.any(String),
        title: expect.any(String),
        status: 400,
        detail: expect.any(String),
        errors: [
          { field: 'userIds[1]', message: expect.stringContaining(unknown) },
          { field: 'userIds[3]', message: expect.stringContaining(stranger.id) },
        ],
      });
      expect(await memberIds(group.id)).toEqual([b2.id]);

      const only = await t.root('post', members(group.id)).send({ userIds: [stranger.id] }).expect(400);
      expect(errorFields(only)).toEqual(['userIds[0]']);
      const twice = await t.root('post', members(group.id)).send({ userIds: [unknown, a1.id, unknown] }).expect(400);
      expect(errorFields(twice)).toEqual(['userIds[0]', 'userIds[2]']);
      expect(await memberIds(group.id)).toEqual([b2.id]);
      // The stranger's own workspace is untouched too.
      expect(await sql(t, 'SELECT 1 FROM group_members WHERE user_id = $1', [stranger.id])).toHaveLength(0);
    });

    it('answers 400 for a body that is not a non-empty list of UUIDs, and adds nobody', async () => {
      const group = await createGroup(t, ws);
      const cases: [unknown, string[]][] = [
        [{ userIds: [] }, ['userIds']],
        [{}, ['userIds']],
        [{ userIds: null }, ['userIds']],
        [{ userIds: a1.id }, ['userIds']],
        [{ userIds: ['not-a-uuid'] }, ['userIds']],
        [{ userIds: [a1.id, 'nope', b1.id] }, ['userIds']],
        [{ userIds: [a1.id, 42] }, ['userIds']],
        [{ userIds: [a1.id], role: 'owner' }, ['role']],
        [{ userIds: Array.from({ length: 1001 }, () => randomUUID()) }, ['userIds']],
      ];
      for (const [body, fields] of cases) {
        const res = await t.root('post', members(group.id)).send(body as object);
        const label = JSON.stringify(body).slice(0, 80);
        expect({ label, status: res.status, fields: errorFields(res) }).toEqual({ label, status: 400, fields });
      }
      expect(await memberIds(group.id)).toEqual([]);
    });

    it('lists members page by page', async () => {
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [b2.id, a2.id, b1.id, a1.id]);
      const all = [a1.id, b1.id, a2.id, b2.id];
      const first = await t.root('get', `${members(group.id)}?limit=3`).expect(200);
      expect(ids(first.body.items)).toEqual(all.slice(0, 3));
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await t.root('get', `${members(group.id)}?limit=3&cursor=${first.body.nextCursor}`).expect(200);
      expect(second.body).toEqual({ items: [expect.objectContaining({ id: b2.id, poolId: poolB })], nextCursor: null });
      const paged = await listAll<{ id: string }>(t, members(group.id), 1);
      expect(paged.pages).toEqual([1, 1, 1, 1]);
      expect(ids(paged.items)).toEqual(all);
      expect((await t.root('get', `${members(group.id)}?limit=4`).expect(200)).body.nextCursor).toBeNull();
      for (const query of ['limit=0', 'limit=201', 'cursor=zzz', 'status=active']) {
        await t.root('get', `${members(group.id)}?${query}`).expect(400);
      }
      expect((await t.root('get', members((await createGroup(t, ws)).id)).expect(200)).body).toEqual({ items: [], nextCursor: null });
    });

    it('removes a member (204), then answers 404 for it', async () => {
      const group = await createGroup(t, ws);
      await addMembers(t, ws, group.id, [a1.id, b1.id]);
      const res = await t.root('delete', `${members(group.id)}/${b1.id}`).expect(204);
      expect(res.text).toBe('');
      expect(await memberIds(group.id)).toEqual([a1.id]);
      const again = await t.root('delete', `${members(group.id)}/${b1.id}`).expect(404);
      expect(again.body.status).toBe(404);
      // Not a member, unknown, not a UUID, of another workspace: all 404, and nothing changes.
      for (const user of [a2.id, randomUUID(), 'not-a-uuid', stranger.id]) await t.root('delete', `${members(group.id)}/${user}`).expect(404);
      expect(await memberIds(group.id)).toEqual([a1.id]);
      // The removed user is still there and can be added back.
      await t.root('get', `/v1/workspaces/${ws}/pools/${poolB}/users/${b1.id}`).expect(200);
      expect(await addMembers(t, ws, group.id, [b1.id, a1.id])).toEqual({ added: 1, alreadyMembers: 1 });
    });

    it('drops the memberships of a deleted user', async () => {
      const pool = await createPool(t, ws);
      const doomed = await createUser(t, ws, pool.id);
      const g1 = await createGroup(t, ws);
      const g2 = await createGroup(t, ws);
      await addMembers(t, ws, g1.id, [a1.id, doomed.id]);
      await addMembers(t, ws, g2.id, [doomed.id]);
      await t.root('delete', `/v1/workspaces/${ws}/pools/${pool.id}/users/${doomed.id}`).expect(204);
      expect(await memberIds(g1.id)).toEqual([a1.id]);
      expect(await memberIds(g2.id)).toEqual([]);
      await t.root('delete', `${members(g1.id)}/${doomed.id}`).expect(404);
      const res = await t.root('post', members(g1.id)).send({ userIds: [doomed.id] }).expect(400);
      expect(errorFields(res)).toEqual(['userIds[0]']);
    });

    it('drops the memberships of a deleted pool’s users, keeping the groups and other members', async () => {
      const pool = await createPool(t, ws);
      const x = await createUser(t, ws, pool.id);
      const y = await createUser(t, ws, pool.id, { credential: { mode: 'invitation' } });
      const group = await createGroup(t, ws);
      expect(await addMembers(t, ws, group.id, [x.id, a1.id, y.id, b2.id])).toEqual({ added: 4, alreadyMembers: 0 });
      await t.root('delete', `/v1/workspaces/${ws}/pools/${pool.id}`).expect(204);
      await t.root('get', `${groups()}/${group.id}`).expect(200);
      expect(await memberIds(group.id)).toEqual([a1.id, b2.id]);
      expect(await sql(t, 'SELECT 1 FROM group_members WHERE user_id = ANY($1::uuid[])', [[x.id, y.id]])).toHaveLength(0);
    });

    it('lets a workspace key manage members of its own workspace only', async () => {
      const key = (await t.root('post', `/v1/workspaces/${ws}/api-keys`).send({ name: unique('key') }).expect(201)).body.key as string;
      const group = await createGroup(t, ws);
      const res = await t.as(key, 'post', members(group.id)).send({ userIds: [a1.id, b1.id] }).expect(200);
      expect(res.body).toEqual({ added: 2, alreadyMembers: 0 });
      const rejected = await t.as(key, 'post', members(group.id)).send({ userIds: [stranger.id] }).expect(400);
      expect(errorFields(rejected)).toEqual(['userIds[0]']);
      expect(ids((await t.as(key, 'get', members(group.id)).expect(200)).body.items)).toEqual([a1.id, b1.id]);
      await t.as(key, 'delete', `${members(group.id)}/${a1.id}`).expect(204);
      expect(await memberIds(group.id)).toEqual([b1.id]);
    });
  });
});
