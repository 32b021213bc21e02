import { createWorkspace, createWorkspaceKey } from '../factories';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

describe('workspaces and API keys', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(() => t.close());

  it('creates, reads, renames and deletes a workspace with the root key', async () => {
    const created = await t.root('post', '/v1/workspaces').send({ name: '  Acme  ', description: 'prod' }).expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name: 'Acme',
      description: 'prod',
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
    });
    const id = created.body.id;
    await t.root('get', `/v1/workspaces/${id}`).expect(200);
    const renamed = await t.root('patch', `/v1/workspaces/${id}`).send({ name: 'Acme 2' }).expect(200);
    expect(renamed.body.name).toBe('Acme 2');
    await t.root('delete', `/v1/workspaces/${id}`).expect(204);
    await t.root('get', `/v1/workspaces/${id}`).expect(404);
  });

  it('answers 401 without a key, with a wrong key and with a malformed header', async () => {
    await t.http.get('/v1/workspaces').expect(401).expect('content-type', /application\/problem\+json/);
    await t.as('not-a-key', 'get', '/v1/workspaces').expect(401);
    await t.http.get('/v1/workspaces').set('Authorization', `Basic ${ROOT_KEY}`).expect(401);
  });

  it('shows a workspace key once, scopes it to its workspace and revokes it at once', async () => {
    const ws = await createWorkspace(t);
    const other = await createWorkspace(t);
    const created = await t.root('post', `/v1/workspaces/${ws.id}/api-keys`).send({ name: 'ci' }).expect(201);
    const key: string = created.body.key;
    expect(key).toMatch(/^ipk_[A-Za-z0-9_-]{43}$/);

    const listed = await t.root('get', `/v1/workspaces/${ws.id}/api-keys`).expect(200);
    expect(JSON.stringify(listed.body)).not.toContain(key);
    expect(listed.body.items[0]).toMatchObject({ id: created.body.id, name: 'ci', prefix: key.slice(0, 10) });

    await t.as(key, 'get', `/v1/workspaces/${ws.id}`).expect(200);
    await t.as(key, 'get', `/v1/workspaces/${other.id}`).expect(404);
    const mine = await t.as(key, 'get', '/v1/workspaces').expect(200);
    expect(mine.body.items.map((w: { id: string }) => w.id)).toEqual([ws.id]);
    await t.as(key, 'post', '/v1/workspaces').send({ name: 'nope' }).expect(403);
    await t.as(key, 'delete', `/v1/workspaces/${ws.id}`).expect(403);

    await t.root('delete', `/v1/workspaces/${ws.id}/api-keys/${created.body.id}`).expect(204);
    await t.as(key, 'get', `/v1/workspaces/${ws.id}`).expect(401);
    await t.root('delete', `/v1/workspaces/${ws.id}/api-keys/${created.body.id}`).expect(404);
  });

  it('does not let a workspace key touch another workspace’s keys', async () => {
    const ws = await createWorkspace(t);
    const other = await createWorkspace(t);
    const key = await createWorkspaceKey(t, ws.id);
    const otherKey = await t.root('post', `/v1/workspaces/${other.id}/api-keys`).send({ name: 'x' }).expect(201);
    await t.as(key, 'get', `/v1/workspaces/${other.id}/api-keys`).expect(404);
    await t.as(key, 'delete', `/v1/workspaces/${other.id}/api-keys/${otherKey.body.id}`).expect(404);
    await t.as(key, 'delete', `/v1/workspaces/${ws.id}/api-keys/${otherKey.body.id}`).expect(404);
    await t.as(otherKey.body.key, 'get', `/v1/workspaces/${other.id}`).expect(200);
  });

  it('validates workspace fields', async () => {
    const res = await t.root('post', '/v1/workspaces').send({ name: '', description: 'x'.repeat(501), extra: true }).expect(400);
    expect(res.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['description', 'extra', 'name']);
  });
});
