import { Client } from 'pg';
import { createPool, createWorkspace, unique } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Keyset pages are stable while rows are inserted: walking a list page by page sees
 * every row that existed before the walk exactly once, in (createdAt, id) order, with
 * no duplicates, however many rows arrive meanwhile.
 */
interface Item {
  id: string;
  createdAt: string;
}

async function inBatches<T>(count: number, size: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out: T[] = [];
  for (let start = 0; start < count; start += size) {
    out.push(...(await Promise.all(Array.from({ length: Math.min(size, count - start) }, (_, k) => make(start + k)))));
  }
  return out;
}

/**
 * Walks `path` with `limit` while `insert` runs in a loop; returns what the walk saw and
 * what was inserted meanwhile.
 */
async function walkWhileInserting(t: TestApp, path: string, limit: number, insert: (n: number) => Promise<string>) {
  let walking = true;
  const inserted: string[] = [];
  const writer = (async () => {
    for (let n = 0; walking; n++) inserted.push(await insert(n));
  })();
  const seen: Item[] = [];
  const pageSizes: number[] = [];
  let cursor: string | null = null;
  try {
    do {
      const sep = path.includes('?') ? '&' : '?';
      const res: { body: { items: Item[]; nextCursor: string | null } } = await t
        .root('get', `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`)
        .expect(200);
      seen.push(...res.body.items);
      pageSizes.push(res.body.items.length);
      cursor = res.body.nextCursor;
      // Give the writer room between pages, so rows really arrive mid-walk.
      await new Promise((r) => setImmediate(r));
      if (pageSizes.length > 500) throw new Error('no last page after 500 pages');
    } while (cursor);
  } finally {
    walking = false;
    await writer;
  }
  return { seen, pageSizes, inserted };
}

function expectStableWalk(walk: { seen: Item[]; pageSizes: number[]; inserted: string[] }, before: string[], limit: number): void {
  const ids = walk.seen.map((item) => item.id);
  const duplicates = ids.filter((id, i) => ids.indexOf(id) !== i);
  expect(duplicates).toEqual([]);
  const seen = new Set(ids);
  expect(before.filter((id) => !seen.has(id))).toEqual([]);
  // Every row seen existed before or was inserted during the walk.
  const known = new Set([...before, ...walk.inserted]);
  expect(ids.filter((id) => !known.has(id))).toEqual([]);
  // Full pages until the last one.
  expect(walk.pageSizes.slice(0, -1).every((size) => size === limit)).toBe(true);
  expect(walk.pageSizes[walk.pageSizes.length - 1]).toBeLessThanOrEqual(limit);
  // In (createdAt, id) order.
  for (let i = 1; i < walk.seen.length; i++) {
    const [a, b] = [walk.seen[i - 1], walk.seen[i]];
    expect(a.createdAt < b.createdAt || (a.createdAt === b.createdAt && a.id < b.id)).toBe(true);
  }
  // The writer really ran during the walk.
  expect(walk.inserted.length).toBeGreaterThan(0);
}

async function sql(t: TestApp, text: string, params: unknown[]): Promise<void> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    await client.query(text, params);
  } finally {
    await client.end();
  }
}

describe('paging under concurrent inserts', () => {
  let t: TestApp;
  let ws: { id: string };
  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
  });
  afterAll(() => t.close());

  it('walks 120 users with limit 7 while users keep being added: each existing user exactly once', async () => {
    const pool = await createPool(t, ws.id);
    const users = `/v1/workspaces/${ws.id}/pools/${pool.id}/users`;
    const create = async (label: string) =>
      (await t.root('post', users).send({ email: `${unique(label)}@example.com`, credential: { mode: 'invitation' } }).expect(201)).body.id as string;
    const before = await inBatches(120, 20, () => create('seed'));
    // Forty of them share one creation instant, so only the id tells them apart.
    await sql(t, `UPDATE users SET created_at = (SELECT min(created_at) FROM users WHERE id = ANY($1)) WHERE id = ANY($2)`, [
      before,
      before.filter((_, i) => i % 3 === 0),
    ]);

    const walk = await walkWhileInserting(t, users, 7, () => create('during'));
    expectStableWalk(walk, before, 7);
    expect(walk.pageSizes.length).toBeGreaterThanOrEqual(Math.ceil(120 / 7));
  });

  it('walks the users matching a search the same way', async () => {
    const pool = await createPool(t, ws.id);
    const users = `/v1/workspaces/${ws.id}/pools/${pool.id}/users`;
    const create = async (prefix: string) =>
      (await t.root('post', users).send({ email: `${unique(prefix)}@example.com`, credential: { mode: 'invitation' } }).expect(201)).body.id as string;
    const before = await inBatches(30, 15, () => create('match'));
    await inBatches(10, 10, () => create('other'));
    const walk = await walkWhileInserting(t, `${users}?search=match`, 4, (n) => create(n % 2 ? 'match' : 'other'));
    expectStableWalk(walk, before, 4);
  });

  it('walks pools with limit 4 while pools keep being added', async () => {
    const own = await createWorkspace(t);
    const create = async () => (await t.root('post', `/v1/workspaces/${own.id}/pools`).send({ name: unique('pool') }).expect(201)).body.id as string;
    const before = await inBatches(30, 15, create);
    const walk = await walkWhileInserting(t, `/v1/workspaces/${own.id}/pools`, 4, create);
    expectStableWalk(walk, before, 4);
  });

  it('walks groups with limit 4 while groups keep being added', async () => {
    const own = await createWorkspace(t);
    const create = async () => (await t.root('post', `/v1/workspaces/${own.id}/groups`).send({ name: unique('group') }).expect(201)).body.id as string;
    const before = await inBatches(30, 15, create);
    const walk = await walkWhileInserting(t, `/v1/workspaces/${own.id}/groups`, 4, create);
    expectStableWalk(walk, before, 4);
  });

  it('walks a group’s members with limit 3 while members keep being added', async () => {
    const pool = await createPool(t, ws.id);
    const group = (await t.root('post', `/v1/workspaces/${ws.id}/groups`).send({ name: unique('members') }).expect(201)).body;
    const create = async () =>
      (
        await t
          .root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`)
          .send({ email: `${unique('m')}@example.com`, credential: { mode: 'invitation' } })
          .expect(201)
      ).body.id as string;
    const before = await inBatches(20, 10, create);
    await t.root('post', `/v1/workspaces/${ws.id}/groups/${group.id}/members`).send({ userIds: before }).expect(200);
    const walk = await walkWhileInserting(t, `/v1/workspaces/${ws.id}/groups/${group.id}/members`, 3, async () => {
      const id = await create();
      await t.root('post', `/v1/workspaces/${ws.id}/groups/${group.id}/members`).send({ userIds: [id] }).expect(200);
      return id;
    });
    expectStableWalk(walk, before, 3);
  });

  it('ends with nextCursor null exactly when the last page is reached', async () => {
    const own = await createWorkspace(t);
    for (let i = 0; i < 6; i++) await t.root('post', `/v1/workspaces/${own.id}/groups`).send({ name: `g${i}` }).expect(201);
    const first = await t.root('get', `/v1/workspaces/${own.id}/groups?limit=3`).expect(200);
    expect(first.body.items).toHaveLength(3);
    const second = await t.root('get', `/v1/workspaces/${own.id}/groups?limit=3&cursor=${first.body.nextCursor}`).expect(200);
    expect(second.body.items.map((g: { name: string }) => g.name)).toEqual(['g3', 'g4', 'g5']);
    expect(second.body.nextCursor).toBeNull();
    const all = await t.root('get', `/v1/workspaces/${own.id}/groups?limit=6`).expect(200);
    expect(all.body.nextCursor).toBeNull();
  });
});
