import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { createWorkspace, createWorkspaceKey, unique } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * A workspace key is confined to its workspace. Workspace A's key is tried against
 * every management route of workspace B, with B's real ids: each answer is 404, says
 * nothing about B, and B is unchanged afterwards.
 */
type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

interface Tenant {
  ws: { id: string; name: string };
  key: string;
  keyId: string;
  pool: { id: string; name: string };
  user: { id: string; email: string };
  otherUser: { id: string; email: string };
  group: { id: string; name: string };
}

/** Marks every name, email and description of a tenant, so any of them in an answer to another tenant is caught. */
const marker = (label: string) => `${label}-private`;

async function seedTenant(t: TestApp, label: string): Promise<Tenant> {
  const mark = marker(label);
  const ws = await createWorkspace(t, { name: `${label}-${mark}-ws-${unique('x')}`, description: `${label} ${mark} description` });
  const keyRes = await t.root('post', `/v1/workspaces/${ws.id}/api-keys`).send({ name: `${label}-${mark}-key` }).expect(201);
  const pool = (await t.root('post', `/v1/workspaces/${ws.id}/pools`).send({ name: `${label}-${mark}-pool` }).expect(201)).body;
  const makeUser = async (n: number) =>
    (
      await t
        .root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`)
        .send({
          email: `${label}-${mark}-${n}@${label}-tenant.example`,
          givenName: `${label}Given${mark}`,
          familyName: `${label}Family${mark}`,
          credential: { mode: 'password', password: 'correct horse battery staple' },
        })
        .expect(201)
    ).body;
  const user = await makeUser(1);
  const otherUser = await makeUser(2);
  const group = (await t.root('post', `/v1/workspaces/${ws.id}/groups`).send({ name: `${label}-${mark}-group` }).expect(201)).body;
  await t.root('post', `/v1/workspaces/${ws.id}/groups/${group.id}/members`).send({ userIds: [user.id] }).expect(200);
  return { ws, key: keyRes.body.key, keyId: keyRes.body.id, pool, user, otherUser, group };
}

function expectNotFound(res: request.Response, forbidden: string[], label: string): void {
  if (res.status !== 404) throw new Error(`${label}: expected 404, got ${res.status} ${res.text}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 404, detail: expect.any(String) });
  for (const value of forbidden) {
    if (res.text.includes(value)) throw new Error(`${label}: the answer contains "${value}": ${res.text}`);
  }
}

describe('tenant isolation', () => {
  let t: TestApp;
  let a: Tenant;
  let b: Tenant;
  /** B's names, emails and descriptions, and B's key. */
  let bData: string[];

  beforeAll(async () => {
    t = await startTestApp();
    a = await seedTenant(t, 'alpha');
    b = await seedTenant(t, 'bravo');
    bData = [b.ws.name, b.pool.name, b.group.name, b.user.email, b.otherUser.email, b.key, marker('bravo')];
  });
  afterAll(() => t.close());

  /**
   * Every management route of a workspace, with the ids of B. Bodies are valid, so
   * only the tenant check can refuse them.
   */
  const routes = (): [Method, string, object?][] => {
    const ws = `/v1/workspaces/${b.ws.id}`;
    const pool = `${ws}/pools/${b.pool.id}`;
    const user = `${pool}/users/${b.user.id}`;
    const group = `${ws}/groups/${b.group.id}`;
    return [
      // Workspaces and keys
      ['get', ws],
      ['patch', ws, { name: 'renamed by A' }],
      ['delete', ws],
      ['post', `${ws}/api-keys`, { name: 'sneaky' }],
      ['get', `${ws}/api-keys`],
      ['get', `${ws}/api-keys/${b.keyId}`],
      ['delete', `${ws}/api-keys/${b.keyId}`],
      // Identity pools
      ['post', `${ws}/pools`, { name: 'sneaky pool' }],
      ['get', `${ws}/pools`],
      ['get', pool],
      ['patch', pool, { description: 'changed by A' }],
      ['delete', pool],
      // Users
      ['post', `${pool}/users`, { email: 'sneaky@example.com', credential: { mode: 'password', password: 'correct horse battery' } }],
      ['get', `${pool}/users`],
      ['get', `${pool}/users?search=bravo`],
      ['get', user],
      ['patch', user, { givenName: 'Changed' }],
      ['delete', user],
      ['put', `${user}/password`, { password: 'a brand new password' }],
      ['post', `${user}/invitations`],
      ['get', `${user}/groups`],
      // Groups
      ['post', `${ws}/groups`, { name: 'sneaky group' }],
      ['get', `${ws}/groups`],
      ['get', group],
      ['patch', group, { name: 'renamed group' }],
      ['delete', group],
      ['post', `${group}/members`, { userIds: [b.otherUser.id] }],
      ['get', `${group}/members`],
      ['delete', `${group}/members/${b.user.id}`],
    ];
  };

  const send = (key: string, method: Method, path: string, body?: object) => {
    const req = t.as(key, method, path);
    return body ? req.send(body) : req;
  };

  it('answers 404 to every route of another workspace, revealing nothing of it', async () => {
    for (const [method, path, body] of routes()) {
      const res = await send(a.key, method, path, body);
      expectNotFound(res, bData, `${method.toUpperCase()} ${path}`);
    }
  });

  it('covers every workspace route the service documents (any route added later is probed too)', async () => {
    const doc = (await t.http.get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
    const ids: Record<string, string> = { ws: b.ws.id, pool: b.pool.id, user: b.user.id, group: b.group.id, id: b.keyId };
    const tabled = new Set(routes().map(([method, path]) => `${method} ${path.split('?')[0]}`));
    const documented = Object.entries(doc.paths)
      .filter(([template]) => template.startsWith('/v1/workspaces/{ws}'))
      .flatMap(([template, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'patch', 'put', 'delete'].includes(m))
          .map((method) => ({ method: method as Method, template, path: template.replace(/\{(\w+)\}/g, (_, name: string) => ids[name] ?? randomUUID()) })),
      );
    // The foundation's routes (workspace, keys, pools, users, groups) are all in the table above.
    const FOUNDATION =
      /^\/v1\/workspaces\/\{ws\}(\/api-keys(\/\{id\})?|\/pools(\/\{pool\}(\/users(\/\{user\}(\/password|\/invitations|\/groups)?)?)?)?|\/groups(\/\{group\}(\/members(\/\{user\})?)?)?)?$/;
    const foundation = documented.filter(({ template }) => FOUNDATION.test(template));
    expect(foundation.map(({ method, path }) => `${method} ${path}`).filter((route) => !tabled.has(route))).toEqual([]);
    expect(foundation.length).toBe(routes().length - 1); // the table also searches users
    // Later routes get the same probe, with B's workspace and random ids for the rest.
    for (const { method, path } of documented) {
      if (tabled.has(`${method} ${path}`)) continue;
      expectNotFound(await send(a.key, method, path, method === 'get' || method === 'delete' ? undefined : {}), bData, `${method} ${path}`);
    }
  });

  it('lists only its own workspace and cannot create one', async () => {
    const list = await t.as(a.key, 'get', '/v1/workspaces').expect(200);
    expect(list.body.items.map((w: { id: string }) => w.id)).toEqual([a.ws.id]);
    for (const value of bData) expect(list.text).not.toContain(value);
    await t.as(a.key, 'get', `/v1/workspaces?cursor=&limit=200`).expect((res) => expect(res.text).not.toContain(b.ws.id));
    const created = await t.as(a.key, 'post', '/v1/workspaces').send({ name: 'new' }).expect(403);
    expect(created.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('answers 404 to its own workspace path with another workspace’s pool, user, group and key ids', async () => {
    const ws = `/v1/workspaces/${a.ws.id}`;
    const foreignPool = `${ws}/pools/${b.pool.id}`;
    const ownPool = `${ws}/pools/${a.pool.id}`;
    const table: [Method, string, object?][] = [
      ['delete', `${ws}/api-keys/${b.keyId}`],
      ['get', foreignPool],
      ['patch', foreignPool, { description: 'x' }],
      ['delete', foreignPool],
      ['post', `${foreignPool}/users`, { email: 'x@example.com', credential: { mode: 'invitation' } }],
      ['get', `${foreignPool}/users`],
      ['get', `${foreignPool}/users/${b.user.id}`],
      // B's user through A's own pool
      ['get', `${ownPool}/users/${b.user.id}`],
      ['patch', `${ownPool}/users/${b.user.id}`, { givenName: 'x' }],
      ['delete', `${ownPool}/users/${b.user.id}`],
      ['put', `${ownPool}/users/${b.user.id}/password`, { password: 'a brand new password' }],
      ['post', `${ownPool}/users/${b.user.id}/invitations`],
      ['get', `${ownPool}/users/${b.user.id}/groups`],
      // B's group
      ['get', `${ws}/groups/${b.group.id}`],
      ['patch', `${ws}/groups/${b.group.id}`, { name: 'x' }],
      ['delete', `${ws}/groups/${b.group.id}`],
      ['post', `${ws}/groups/${b.group.id}/members`, { userIds: [a.user.id] }],
      ['get', `${ws}/groups/${b.group.id}/members`],
      ['delete', `${ws}/groups/${b.group.id}/members/${b.user.id}`],
      // B's user through A's own group
      ['delete', `${ws}/groups/${a.group.id}/members/${b.user.id}`],
    ];
    for (const [method, path, body] of table) {
      expectNotFound(await send(a.key, method, path, body), bData, `${method.toUpperCase()} ${path}`);
    }
  });

  it('does not filter its users by another workspace’s group into view', async () => {
    const res = await t.as(a.key, 'get', `/v1/workspaces/${a.ws.id}/pools/${a.pool.id}/users?groupId=${b.group.id}`);
    expect([200, 404]).toContain(res.status);
    for (const value of bData) expect(res.text).not.toContain(value);
    if (res.status === 200) expect(res.body.items).toEqual([]);
  });

  it('refuses to add another workspace’s user to its group: 400 naming it, nobody added', async () => {
    const res = await t
      .as(a.key, 'post', `/v1/workspaces/${a.ws.id}/groups/${a.group.id}/members`)
      .send({ userIds: [a.otherUser.id, b.otherUser.id] })
      .expect(400);
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body.errors).toEqual([{ field: 'userIds[1]', message: expect.stringContaining(b.otherUser.id) }]);
    for (const value of bData) expect(res.text).not.toContain(value);
    const members = await t.as(a.key, 'get', `/v1/workspaces/${a.ws.id}/groups/${a.group.id}/members`).expect(200);
    expect(members.body.items.map((u: { id: string }) => u.id)).toEqual([a.user.id]);
  });

  it('leaves the other workspace exactly as it was', async () => {
    const ws = `/v1/workspaces/${b.ws.id}`;
    expect((await t.root('get', ws).expect(200)).body).toMatchObject({ name: b.ws.name });
    expect((await t.root('get', `${ws}/pools/${b.pool.id}`).expect(200)).body).toMatchObject({ name: b.pool.name, description: null });
    const users = await t.root('get', `${ws}/pools/${b.pool.id}/users`).expect(200);
    expect(users.body.items.map((u: { email: string; givenName: string }) => [u.email, u.givenName]).sort()).toEqual(
      [b.user.email, b.otherUser.email].sort().map((email) => [email, `bravoGiven${marker('bravo')}`]),
    );
    expect((await t.root('get', `${ws}/pools`).expect(200)).body.items).toHaveLength(1);
    expect((await t.root('get', `${ws}/groups`).expect(200)).body.items.map((g: { name: string }) => g.name)).toEqual([b.group.name]);
    const members = await t.root('get', `${ws}/groups/${b.group.id}/members`).expect(200);
    expect(members.body.items.map((u: { id: string }) => u.id)).toEqual([b.user.id]);
    expect((await t.root('get', `${ws}/api-keys`).expect(200)).body.items).toHaveLength(1);
    await t.as(b.key, 'get', ws).expect(200);
    // B's invitations were not re-sent, B's password not changed: the user is still active with no invitation.
    expect((await t.root('get', `${ws}/pools/${b.pool.id}/users/${b.user.id}`).expect(200)).body).toMatchObject({ status: 'active', invitation: null });
  });

  it('is symmetric: B’s key cannot reach A either', async () => {
    const aData = [a.ws.name, a.pool.name, a.user.email, a.group.name, marker('alpha')];
    for (const [method, path] of [
      ['get', `/v1/workspaces/${a.ws.id}`],
      ['get', `/v1/workspaces/${a.ws.id}/pools/${a.pool.id}/users/${a.user.id}`],
      ['get', `/v1/workspaces/${a.ws.id}/groups/${a.group.id}/members`],
    ] as [Method, string][]) {
      expectNotFound(await send(b.key, method, path), aData, `${method} ${path}`);
    }
    // And a freshly made key of a third workspace sees neither.
    const c = await createWorkspace(t);
    const cKey = await createWorkspaceKey(t, c.id);
    expectNotFound(await send(cKey, 'get', `/v1/workspaces/${b.ws.id}/groups`), bData, 'C → B groups');
  });
});
