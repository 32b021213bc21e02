import { addMembers, createGroup, createPool, createUser, createWorkspace, errorFields, ids, sql } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of groups and memberships (API.md "Groups"; "Conventions"). Each test states the
 * contract or the expectation it holds the service to; groups.e2e-spec.ts covers the basics.
 */
describe('groups audit', () => {
  let t: TestApp;
  let ws: string;
  const groups = (workspaceId = ws) => `/v1/workspaces/${workspaceId}/groups`;

  beforeAll(async () => {
    // No worker (ROLE=api): nothing here needs mail.
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  // API.md: "400 malformed or invalid input", "A 5xx never ..."; the column is varchar(100) / varchar(500).
  // Was: a 500, since class-validator's Length skips variation selectors (U+FE0F) when it counts.
  it('counts name and description lengths as characters the database stores: too long is a 400, never a 500', async () => {
    const emoji = (n: number, selector = '\uFE0F') => `a${selector}`.repeat(n);
    const cases: [string, 'post' | 'patch', Record<string, unknown>, string][] = [
      ['name of 200 code points', 'post', { name: emoji(100) }, 'name'],
      ['description of 502 code points', 'post', { name: 'ok', description: emoji(251) }, 'description'],
      ['renamed to 200 code points', 'patch', { name: emoji(100, '\uFE0E') }, 'name'],
      ['described with 502 code points', 'patch', { description: emoji(251) }, 'description'],
    ];
    const group = await createGroup(t, ws, { description: 'keep' });
    for (const [label, method, body, field] of cases) {
      const res = await t.root(method, method === 'post' ? groups() : `${groups()}/${group.id}`).send(body);
      expect({ label, status: res.status, fields: errorFields(res) }).toEqual({ label, status: 400, fields: [field] });
    }
    expect((await t.root('get', `${groups()}/${group.id}`).expect(200)).body).toMatchObject({ name: group.name, description: 'keep' });
    // At the limits exactly, as stored.
    const fits = await t.root('post', groups()).send({ name: emoji(50), description: emoji(250) }).expect(201);
    expect(fits.body).toMatchObject({ name: emoji(50), description: emoji(250) });
    expect((await t.root('get', `${groups()}/${fits.body.id}`).expect(200)).body).toEqual(fits.body);
  });

  // API.md: 404 for an unknown workspace; "A 5xx never ...". Was: a create racing the workspace's deletion
  // passed the guard, then failed the groups.workspace_id foreign key: a 500.
  it('answers 201 or 404, never 500, to creates racing the deletion of their workspace, and leaves no group behind', async () => {
    const statuses = new Set<number>();
    for (let round = 0; round < 15; round++) {
      const doomed = (await createWorkspace(t)).id;
      const creates = Array.from({ length: 12 }, (_, i) => t.root('post', groups(doomed)).send({ name: `race-${round}-${i}` }));
      const [deleted, ...created] = await Promise.all([t.root('delete', `/v1/workspaces/${doomed}`), ...creates]);
      expect(deleted.status).toBe(204);
      created.forEach((res) => statuses.add(res.status));
      expect(await sql(t, 'SELECT 1 FROM groups WHERE workspace_id = $1', [doomed])).toHaveLength(0);
    }
    expect([...statuses].filter((status) => status !== 201 && status !== 404)).toEqual([]);
  });

  // API.md: "any unknown id ... → 400 naming them". Was: a malformed entry got one message for the whole list,
  // "each value in userIds must be a user id (UUID)", so a client with a long list could not tell which.
  it('names each malformed entry of userIds by its index, and adds nobody', async () => {
    const pool = await createPool(t, ws);
    const [a, b] = [await createUser(t, ws, pool.id), await createUser(t, ws, pool.id)];
    const group = await createGroup(t, ws);
    const res = await t.root('post', `${groups()}/${group.id}/members`).send({ userIds: [a.id, 'nope', b.id, 42, `${a.id}x`] }).expect(400);
    expect(errorFields(res)).toEqual(['userIds']);
    const message = res.body.errors.map((e: { message: string }) => e.message).join(' ');
    for (const index of [1, 3, 4]) expect(message).toContain(`userIds[${index}]`);
    for (const index of [0, 2]) expect(message).not.toContain(`userIds[${index}]`);
    // A long list names the first few and counts the rest, so the answer stays small.
    const many = await t.root('post', `${groups()}/${group.id}/members`).send({ userIds: Array.from({ length: 500 }, (_, i) => `bad-${i}`) }).expect(400);
    expect(many.text.length).toBeLessThan(4000);
    expect(many.text).toContain('userIds[19]');
    expect(many.text).toContain('480 more');
    expect((await t.root('get', `${groups()}/${group.id}/members`).expect(200)).body.items).toEqual([]);
  });

  // Correct today: pgLower's rule (lower() with the database's Unicode case mapping) on create and rename.
  it('compares names case-insensitively beyond ASCII (Ä/ä, İ/i), and lets a group re-case its own name', async () => {
    const own = (await createWorkspace(t)).id;
    await t.root('post', groups(own)).send({ name: 'Ärger' }).expect(201);
    expect(errorFields(await t.root('post', groups(own)).send({ name: 'äRGER' }).expect(409))).toEqual(['name']);
    const izmir = (await t.root('post', groups(own)).send({ name: 'İzmir' }).expect(201)).body;
    for (const name of ['izmir', 'IZMIR']) await t.root('post', groups(own)).send({ name }).expect(409);
    const other = await createGroup(t, own);
    expect(errorFields(await t.root('patch', `${groups(own)}/${other.id}`).send({ name: ' iZMİR ' }).expect(409))).toEqual(['name']);
    const recased = await t.root('patch', `${groups(own)}/${izmir.id}`).send({ name: ' izmir ' }).expect(200);
    expect(recased.body).toMatchObject({ id: izmir.id, name: 'izmir', createdAt: izmir.createdAt });
    expect(Date.parse(recased.body.updatedAt)).toBeGreaterThanOrEqual(Date.parse(izmir.updatedAt));
  });

  // Correct today: a user's groups are listed with the group fields, paged; members with the user fields.
  it('lists a user’s groups as groups and a group’s members as users, each from its own workspace only', async () => {
    const pool = await createPool(t, ws);
    const user = await createUser(t, ws, pool.id, { givenName: 'Ada' });
    const g1 = await createGroup(t, ws, { description: 'one' });
    const g2 = await createGroup(t, ws);
    await addMembers(t, ws, g2.id, [user.id]);
    await addMembers(t, ws, g1.id, [user.id]);
    const res = await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${user.id}/groups?limit=1`).expect(200);
    expect(res.body.items).toEqual([(await t.root('get', `${groups()}/${g1.id}`).expect(200)).body]);
    const next = await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${user.id}/groups?limit=1&cursor=${res.body.nextCursor}`).expect(200);
    expect(ids(next.body.items)).toEqual([g2.id]);
    expect(next.body.nextCursor).toBeNull();
    const member = (await t.root('get', `${groups()}/${g1.id}/members`).expect(200)).body.items[0];
    expect(member).toEqual((await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${user.id}`).expect(200)).body);
    expect(member).toHaveProperty('invitation', null);
    // A group deleted: its memberships go with it.
    await t.root('delete', `${groups()}/${g1.id}`).expect(204);
    expect(ids((await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${user.id}/groups`).expect(200)).body.items)).toEqual([g2.id]);
    expect(await sql(t, 'SELECT 1 FROM group_members WHERE group_id = $1', [g1.id])).toHaveLength(0);
  });
});
