import { randomBytes } from 'node:crypto';
import { TestApp } from '../support/test-app';

/** Builders: each call makes a fresh resource through the API and returns its body. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createWorkspace(t: TestApp, body: Record<string, unknown> = {}) {
  const res = await t.root('post', '/v1/workspaces').send({ name: unique('ws'), ...body }).expect(201);
  return res.body as { id: string; name: string };
}

export async function createWorkspaceKey(t: TestApp, workspaceId: string): Promise<string> {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/api-keys`).send({ name: unique('key') }).expect(201);
  return res.body.key;
}

export async function createPool(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/pools`).send({ name: unique('pool'), ...body }).expect(201);
  return res.body as { id: string; name: string; workspaceId: string };
}

export async function createUser(t: TestApp, workspaceId: string, poolId: string, body: Record<string, unknown> = {}) {
  const res = await t
    .root('post', `/v1/workspaces/${workspaceId}/pools/${poolId}/users`)
    .send({ email: `${unique('user')}@example.com`, credential: { mode: 'password', password: 'correct horse battery' }, ...body })
    .expect(201);
  return res.body as { id: string; email: string; status: string; poolId: string };
}

export async function createGroup(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/groups`).send({ name: unique('group'), ...body }).expect(201);
  return res.body as { id: string; name: string };
}
