import request from 'supertest';
import { createPool, createWorkspace, unique } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Uniqueness holds under concurrency: twenty simultaneous creates of one name or email,
 * differing only in case, make exactly one resource; the other nineteen get 409.
 */
const PARALLEL = 20;

/** `Alice@…`, `aLice@…`: the same text in twenty different casings (the first as typed). */
function casings(text: string, count: number): string[] {
  const letters = [...text].map((c, i) => ({ c, i })).filter(({ c }) => c.toLowerCase() !== c.toUpperCase());
  if (2 ** letters.length < count) throw new Error(`"${text}" has too few letters for ${count} casings`);
  return Array.from({ length: count }, (_, n) =>
    [...text].map((c, i) => {
      const which = letters.findIndex((l) => l.i === i);
      return which >= 0 && (n >> which) & 1 ? c.toUpperCase() : c.toLowerCase();
    }).join(''),
  );
}

function expectOneWinner(responses: request.Response[]): request.Response {
  const statuses = responses.map((r) => r.status).sort();
  expect(statuses).toEqual([201, ...Array(PARALLEL - 1).fill(409)]);
  for (const res of responses.filter((r) => r.status === 409)) {
    expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(res.body).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 409, detail: expect.any(String) });
  }
  return responses.find((r) => r.status === 201)!;
}

describe('concurrent creates of the same name or email', () => {
  let t: TestApp;
  let ws: { id: string };
  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
  });
  afterAll(() => t.close());

  it('makes one user per email, whatever the case of the local part and domain', async () => {
    const pool = await createPool(t, ws.id);
    const emails = casings(`${unique('race')}@Example.com`, PARALLEL);
    const responses = await Promise.all(
      emails.map((email) =>
        t.root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`).send({ email, credential: { mode: 'invitation' } }),
      ),
    );
    const winner = expectOneWinner(responses);
    for (const res of responses.filter((r) => r.status === 409)) {
      expect(res.body.errors).toEqual([{ field: 'email', message: expect.any(String) }]);
    }
    const list = await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}/users?limit=200`).expect(200);
    expect(list.body.items.map((u: { id: string }) => u.id)).toEqual([winner.body.id]);
  });

  it('makes one user per email also with passwords (hashing before the insert widens the race)', async () => {
    const pool = await createPool(t, ws.id);
    const emails = casings(`${unique('hash')}@example.org`, PARALLEL);
    const responses = await Promise.all(
      emails.map((email) =>
        t
          .root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`)
          .send({ email, credential: { mode: 'password', password: 'correct horse battery staple' } }),
      ),
    );
    expectOneWinner(responses);
    const list = await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}/users?limit=200`).expect(200);
    expect(list.body.items).toHaveLength(1);
  });

  it('makes one pool per name', async () => {
    const names = casings(unique('PoolRace'), PARALLEL);
    const responses = await Promise.all(names.map((name) => t.root('post', `/v1/workspaces/${ws.id}/pools`).send({ name })));
    const winner = expectOneWinner(responses);
    const pools = await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=200`).expect(200);
    const same = pools.body.items.filter((p: { name: string }) => p.name.toLowerCase() === names[0].toLowerCase());
    expect(same.map((p: { id: string }) => p.id)).toEqual([winner.body.id]);
  });

  it('makes one group per name', async () => {
    const names = casings(unique('GroupRace'), PARALLEL);
    const responses = await Promise.all(names.map((name) => t.root('post', `/v1/workspaces/${ws.id}/groups`).send({ name })));
    const winner = expectOneWinner(responses);
    const groups = await t.root('get', `/v1/workspaces/${ws.id}/groups?limit=200`).expect(200);
    const same = groups.body.items.filter((g: { name: string }) => g.name.toLowerCase() === names[0].toLowerCase());
    expect(same.map((g: { id: string }) => g.id)).toEqual([winner.body.id]);
  });

  it('keeps names per workspace: the same pool name at once in twenty workspaces all succeed', async () => {
    const workspaces = await Promise.all(Array.from({ length: PARALLEL }, () => createWorkspace(t)));
    const name = unique('Shared');
    const responses = await Promise.all(workspaces.map((w) => t.root('post', `/v1/workspaces/${w.id}/pools`).send({ name })));
    expect(responses.map((r) => r.status)).toEqual(Array(PARALLEL).fill(201));
  });
});
