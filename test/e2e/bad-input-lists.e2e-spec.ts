import { randomUUID } from 'node:crypto';
import { createGroup, createPool, createUser, createWorkspace, errorFields, sql } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Lists in a request body with more than one kind of bad entry (API.md "Conventions": a 400 lists
 * every invalid field in `errors`). Was: the first kind found hid the others.
 */
describe('bad input in lists', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    // No worker (ROLE=api): nothing here is imported, only refused.
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(() => t.close());

  describe('group members', () => {
    const members = (group: string) => `/v1/workspaces/${ws}/groups/${group}/members`;
    const memberRows = async (group: string) => sql(t, 'SELECT user_id FROM group_members WHERE group_id = $1', [group]);

    // API.md "Groups": "any unknown id (or a user of another workspace) → 400 naming them, nothing assigned".
    // Was: a malformed entry answered alone, so the unknown ids beside it surfaced only on the retry.
    it('names malformed, unknown and other-workspace entries in one 400, and adds nobody', async () => {
      const known = await createUser(t, ws, pool);
      const other = await createWorkspace(t);
      const stranger = await createUser(t, other.id, (await createPool(t, other.id)).id);
      const unknown = randomUUID();
      const group = await createGroup(t, ws);

      const res = await t
        .root('post', members(group.id))
        .send({ userIds: [known.id, 'nope', unknown, 42, stranger.id] })
        .expect(400)
        .expect('content-type', /application\/problem\+json/);
      expect(res.body).toMatchObject({ status: 400 });
      expect(res.body.errors).toEqual([
        { field: 'userIds', message: expect.stringMatching(/userIds\[1\].*userIds\[3\]/) },
        { field: 'userIds[2]', message: expect.stringContaining(unknown) },
        { field: 'userIds[4]', message: expect.stringContaining(stranger.id) },
      ]);
      expect(res.body.errors[0].message).not.toMatch(/userIds\[(0|2|4)\]/);
      expect(res.text).not.toContain(other.id);
      expect(await memberRows(group.id)).toEqual([]);
    });

    it('names unknown ids beside other invalid fields of the body', async () => {
      const group = await createGroup(t, ws);
      const unknown = randomUUID();
      const res = await t.root('post', members(group.id)).send({ userIds: [unknown], role: 'owner' }).expect(400);
      expect(errorFields(res)).toEqual(['role', 'userIds[0]']);
      expect(await memberRows(group.id)).toEqual([]);
    });

    it('keeps each kind alone as it was: 400 naming the list for malformed entries, each index for unknown ones', async () => {
      const known = await createUser(t, ws, pool);
      const group = await createGroup(t, ws);
      expect(errorFields(await t.root('post', members(group.id)).send({ userIds: [known.id, 'nope'] }).expect(400))).toEqual(['userIds']);
      expect(errorFields(await t.root('post', members(group.id)).send({ userIds: [known.id, randomUUID()] }).expect(400))).toEqual(['userIds[1]']);
      expect(await memberRows(group.id)).toEqual([]);
      await t.root('post', members(group.id)).send({ userIds: [known.id] }).expect(200, { added: 1, alreadyMembers: 0 });
    });

    it('answers 404 for an unknown group before judging the body, as for a valid one', async () => {
      await t.root('post', members(randomUUID())).send({ userIds: ['nope', randomUUID()] }).expect(404);
    });
  });

  describe('imports', () => {
    const imports = () => `/v1/workspaces/${ws}/pools/${pool}/imports`;

    // Was: a 400 "Bad request" with no `errors`, naming no field.
    it('names users in a JSON upload of no records, beside the other invalid fields', async () => {
      const res = await t.root('post', imports()).send({ users: [] }).expect(400);
      expect(res.body.errors).toEqual([{ field: 'users', message: 'users must hold at least one record' }]);
      const more = await t.root('post', imports()).send({ users: [], options: { onConflict: 'merge' } }).expect(400);
      expect(errorFields(more)).toEqual(['options.onConflict', 'users']);
      expect((await t.root('get', imports()).expect(200)).body.items).toEqual([]);
    });

    it('names the body in an NDJSON upload of no records', async () => {
      for (const body of ['', '\n\n', '   \n']) {
        const res = await t.root('post', imports()).set('content-type', 'application/x-ndjson').send(body).expect(400);
        expect(res.body.errors).toEqual([{ field: '', message: expect.stringContaining('at least one record') }]);
        expect(res.body.detail).toMatch(/no records/);
      }
      expect((await t.root('get', imports()).expect(200)).body.items).toEqual([]);
    });
  });
});
