import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { QueryFailedError } from 'typeorm';
import { PoolsService } from '../../src/pools/pools.service';
import { createGroup, createPool, createUser, createWorkspace } from '../factories';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * What HTTP clients get wrong, and what the service must answer: every error is RFC 9457
 * problem+json with type, title, status and detail, and never a stack.
 */
function expectProblem(res: request.Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  const body = JSON.parse(res.text);
  expect(body).toEqual({
    type: expect.any(String),
    title: expect.any(String),
    status,
    detail: expect.any(String),
    ...(body.errors ? { errors: expect.any(Array) } : {}),
  });
  expect(body.title.length).toBeGreaterThan(0);
  expect(body.detail.length).toBeGreaterThan(0);
  expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
}

const fields = (res: request.Response): string[] => [...new Set((res.body.errors ?? []).map((e: { field: string }) => e.field))].sort() as string[];

describe('HTTP edge cases', () => {
  let t: TestApp;
  let ws: { id: string };
  let pool: { id: string };
  let user: { id: string };
  let group: { id: string };
  const raw = (method: 'post' | 'patch' | 'put', path: string, contentType: string, body: string | Buffer) =>
    t.http[method](path).set('Authorization', `Bearer ${ROOT_KEY}`).set('Content-Type', contentType).send(body);

  beforeAll(async () => {
    t = await startTestApp();
    ws = await createWorkspace(t);
    pool = await createPool(t, ws.id);
    user = await createUser(t, ws.id, pool.id);
    group = await createGroup(t, ws.id);
  });
  afterAll(() => t.close());

  describe('bodies', () => {
    it('answers 400 to malformed JSON, saying so', async () => {
      for (const body of ['{"name": "x"', '{name: "x"}', "{'name': 'x'}", '{"name": "x",}', 'not json at all', '\u0000']) {
        const res = await raw('post', '/v1/workspaces', 'application/json', body);
        expectProblem(res, 400);
        expect(res.body.detail).toMatch(/JSON/);
      }
    });

    it('answers 400 to a body that is not UTF-8 (a Latin-1 "José") instead of storing it altered', async () => {
      const latin1 = Buffer.from('{"name": "Jos\u00e9"}', 'latin1');
      // As bytes: supertest would serialise a Buffer under a JSON content type.
      const res = await raw('post', '/v1/workspaces', 'application/json', latin1).serialize((bytes: Buffer) => bytes as unknown as string);
      expectProblem(res, 400);
      expect(res.body.detail).toMatch(/UTF-8/);
      const list = await t.root('get', '/v1/workspaces?limit=200').expect(200);
      expect(list.text).not.toContain('Jos\ufffd');
    });

    it('answers 413 to a body over 10 MB, and accepts one just under', async () => {
      const big = JSON.stringify({ name: 'x', description: 'y'.repeat(10 * 1024 * 1024) });
      const res = await raw('post', '/v1/workspaces', 'application/json', big);
      expectProblem(res, 413);
      expect(res.body.detail).toMatch(/10 MB/);
      // 9 MB parses, then fails validation like any too-long description.
      const fine = await raw('post', '/v1/workspaces', 'application/json', JSON.stringify({ name: 'x', description: 'y'.repeat(9 * 1024 * 1024) }));
      expectProblem(fine, 400);
      expect(fields(fine)).toEqual(['description']);
    });

    it('answers 415 to other content types, naming the one to use', async () => {
      for (const [type, body] of [
        ['text/plain', '{"name":"x"}'],
        ['application/x-www-form-urlencoded', 'name=x'],
        ['multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="name"\r\n\r\nx\r\n--xyz--\r\n'],
        ['application/xml', '<name>x</name>'],
      ]) {
        const res = await raw('post', '/v1/workspaces', type, body);
        expectProblem(res, 415);
        expect(res.body.detail).toMatch(/application\/json/);
      }
      // Also on PATCH and PUT.
      expectProblem(await raw('patch', `/v1/workspaces/${ws.id}`, 'text/plain', 'x'), 415);
      expectProblem(await raw('put', `/v1/workspaces/${ws.id}/pools/${pool.id}/users/${user.id}/password`, 'text/plain', 'x'), 415);
    });

    it('accepts application/json with a charset and +json media types', async () => {
      await raw('post', '/v1/workspaces', 'application/json; charset=utf-8', JSON.stringify({ name: 'charset' })).expect(201);
      await raw('patch', `/v1/workspaces/${ws.id}`, 'application/merge-patch+json', JSON.stringify({ description: 'merge' })).expect(200);
    });

    it('answers 400 to a JSON array, a bare string, a number or null instead of an object', async () => {
      for (const body of ['[{"name":"x"}]', '[]', '"x"', '42', 'null', 'true']) {
        const res = await raw('post', '/v1/workspaces', 'application/json', body);
        expectProblem(res, 400);
        // Said as it is, not as the object's missing fields.
        expect(res.body.errors ?? []).not.toContainEqual(expect.objectContaining({ field: 'name' }));
      }
      for (const body of ['[]', '"x"']) {
        expectProblem(await raw('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`, 'application/json', body), 400);
        expectProblem(await raw('post', `/v1/workspaces/${ws.id}/groups/${group.id}/members`, 'application/json', body), 400);
      }
    });

    it('answers 400 listing the required fields to an empty body', async () => {
      const res = await t.root('post', '/v1/workspaces');
      expectProblem(res, 400);
      expect(fields(res)).toEqual(['name']);
      const users = await t.root('post', `/v1/workspaces/${ws.id}/pools/${pool.id}/users`).send({});
      expectProblem(users, 400);
      expect(fields(users)).toContain('credential');
    });
  });

  describe('routes and ids', () => {
    it('lets no cache keep an API answer, success or problem', async () => {
      for (const res of [await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}/users/${user.id}`).expect(200), await t.http.get('/v1/workspaces').expect(401)]) {
        expect(res.headers['cache-control']).toBe('no-store');
      }
    });

    it('sends a browser opened on the service root to the console', async () => {
      const res = await t.http.get('/').expect(302);
      expect(res.headers.location).toBe('./console/');
    });

    it('names each created resource in Location, a path that GETs it (RFC 9110 §15.3.2)', async () => {
      const base = `/v1/workspaces/${ws.id}`;
      const creates: [string, Record<string, unknown>][] = [
        ['/v1/workspaces', { name: 'located' }],
        [`${base}/pools`, { name: `located-${randomUUID()}` }],
        [`${base}/pools/${pool.id}/users`, { email: `located-${randomUUID()}@example.com`, credential: { mode: 'invitation' } }],
        [`${base}/groups`, { name: `located-${randomUUID()}` }],
        [`${base}/applications`, { name: 'located', redirectUris: ['https://app.example.com/cb'], grantTypes: ['authorization_code'] }],
      ];
      for (const [path, body] of creates) {
        const created = await t.root('post', path).send(body);
        expect({ path, status: created.status, body: created.status === 201 ? null : created.body }).toEqual({ path, status: 201, body: null });
        expect(created.headers.location).toBe(`${path}/${created.body.id}`);
        expect((await t.root('get', created.headers.location).expect(200)).body.id).toBe(created.body.id);
      }
      const connected = await t.root('post', `${base}/identity-providers`).send({ type: 'identity_pool', poolId: pool.id, signInMethods: ['password'] }).expect(201);
      expect((await t.root('get', connected.headers.location).expect(200)).body.id).toBe(connected.body.id);
    });

    it('answers 404 problem+json to an unknown route', async () => {
      expectProblem(await t.root('get', '/v1/nothing-here'), 404);
      expectProblem(await t.http.get('/nope'), 404);
      expectProblem(await t.root('get', `/v1/workspaces/${ws.id}/unknown`), 404);
      expectProblem(await t.root('put', `/v1/workspaces/${ws.id}/pools/${randomUUID()}/nothing`), 404);
    });

    it('answers 405 problem+json with Allow to a method a real path does not answer', async () => {
      const cases: [string, string, string][] = [
        ['put', '/v1/workspaces', 'GET, HEAD, POST'],
        ['delete', '/v1/workspaces', 'GET, HEAD, POST'],
        ['put', `/v1/workspaces/${ws.id}`, 'DELETE, GET, HEAD, PATCH'],
        ['post', `/v1/workspaces/${ws.id}/pools/${randomUUID()}/users/${randomUUID()}/password`, 'PUT'],
      ];
      for (const [method, path, allow] of cases) {
        const res = await t.root(method as 'put', path);
        expectProblem(res, 405);
        expect(res.headers.allow).toBe(allow);
        expect(res.body.detail).toContain(allow);
      }
    });

    it('answers 404 to unknown and to non-UUID ids, everywhere', async () => {
      const base = `/v1/workspaces/${ws.id}`;
      const unknown = randomUUID();
      for (const bad of [unknown, 'not-a-uuid', '123', `${unknown}x`, '%20']) {
        for (const path of [
          `/v1/workspaces/${bad}`,
          `/v1/workspaces/${bad}/pools`,
          `${base}/pools/${bad}`,
          `${base}/pools/${bad}/users`,
          `${base}/pools/${pool.id}/users/${bad}`,
          `${base}/pools/${pool.id}/users/${bad}/groups`,
          `${base}/groups/${bad}`,
          `${base}/groups/${bad}/members`,
        ]) {
          expectProblem(await t.root('get', path), 404);
        }
        expectProblem(await t.root('delete', `${base}/api-keys/${bad}`), 404);
        expectProblem(await t.root('delete', `${base}/groups/${group.id}/members/${bad}`), 404);
        expectProblem(await t.root('put', `${base}/pools/${pool.id}/users/${bad}/password`).send({ password: 'long enough password' }), 404);
      }
    });

    it('answers 401 problem+json with WWW-Authenticate without a key', async () => {
      const res = await t.http.get(`/v1/workspaces/${ws.id}`);
      expectProblem(res, 401);
      expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
    });

    it('answers 401 to a request without a valid key before reading its body, whatever the body', async () => {
      const pools = `/v1/workspaces/${ws.id}/pools`;
      const bodies = [
        t.http.post('/v1/workspaces').type('form').send('name=x'),
        t.http.post(pools).set('Content-Type', 'application/json').send('{"name":'),
        t.http.post(pools).set('Content-Type', 'application/json').send(JSON.stringify({ name: 'x'.repeat(11 * 1024 * 1024) })),
        t.as('not-a-key', 'post', pools).set('Content-Type', 'text/plain').send('hello'),
        t.http.put(`/v1/workspaces/${ws.id}/no-such-route`).send({}),
      ];
      for (const res of await Promise.all(bodies)) {
        expectProblem(res, 401);
        expect(res.headers['www-authenticate']).toBe('Bearer');
      }
    });
  });

  describe('query parameters', () => {
    it.each(['0', '201', 'abc', '-1', '1.5', ''])('answers 400 naming limit to limit=%p', async (limit) => {
      for (const path of [
        '/v1/workspaces',
        `/v1/workspaces/${ws.id}/api-keys`,
        `/v1/workspaces/${ws.id}/pools`,
        `/v1/workspaces/${ws.id}/pools/${pool.id}/users`,
        `/v1/workspaces/${ws.id}/pools/${pool.id}/users/${user.id}/groups`,
        `/v1/workspaces/${ws.id}/groups`,
        `/v1/workspaces/${ws.id}/groups/${group.id}/members`,
      ]) {
        const res = await t.root('get', `${path}?limit=${limit}`);
        if (limit === '') {
          // An empty value is treated as absent or rejected, never a 500.
          expect([200, 400]).toContain(res.status);
          if (res.status === 400) expect(fields(res)).toEqual(['limit']);
          continue;
        }
        expectProblem(res, 400);
        expect(fields(res)).toEqual(['limit']);
      }
    });

    it('accepts limit=1 and limit=200', async () => {
      await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=1`).expect(200);
      await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=200`).expect(200);
    });

    it('answers 400 naming cursor to a cursor it did not issue, including out-of-range dates', async () => {
      const forged = [
        'garbage',
        Buffer.from('["not a date","x"]').toString('base64url'),
        Buffer.from(JSON.stringify(['-271821-04-20T00:00:00.000Z', randomUUID()])).toString('base64url'),
        Buffer.from(JSON.stringify(['+275760-09-13T00:00:00.000Z', randomUUID()])).toString('base64url'),
        Buffer.from(JSON.stringify(['0000-01-01T00:00:00.000Z', randomUUID()])).toString('base64url'),
        Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', '-'.repeat(36)])).toString('base64url'),
        Buffer.from(JSON.stringify(['2026-01-01T00:00:00.000Z', 'zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz'])).toString('base64url'),
        Buffer.from(JSON.stringify([1_700_000_000_000, randomUUID()])).toString('base64url'),
        Buffer.from(JSON.stringify({ a: 1 })).toString('base64url'),
      ];
      // A cursor of our own still works.
      await t.root('post', `/v1/workspaces/${ws.id}/pools`).send({ name: 'second page' }).expect(201);
      const first = await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=1`).expect(200);
      await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=1&cursor=${first.body.nextCursor}`).expect(200);
      for (const cursor of forged) {
        const res = await t.root('get', `/v1/workspaces/${ws.id}/pools?cursor=${encodeURIComponent(cursor)}`);
        expectProblem(res, 400);
        expect(fields(res)).toEqual(['cursor']);
      }
    });

    it('answers 400 naming each bad filter of the user list', async () => {
      const res = await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}/users?status=sleeping&groupId=nope&limit=0`);
      expectProblem(res, 400);
      expect(fields(res)).toEqual(['groupId', 'limit', 'status']);
    });

    it('answers 400 to an unknown query parameter rather than ignoring it', async () => {
      const res = await t.root('get', `/v1/workspaces/${ws.id}/pools?limt=5`);
      expectProblem(res, 400);
      expect(fields(res)).toEqual(['limt']);
    });
  });

  describe('unexpected failures', () => {
    afterEach(() => jest.restoreAllMocks());

    it('answers 500 problem+json without a stack, SQL or the error message', async () => {
      const secret = 'hunter2-in-an-error';
      jest
        .spyOn(t.app.get(PoolsService), 'list')
        .mockRejectedValueOnce(new QueryFailedError(`SELECT password_hash FROM credentials WHERE x = '${secret}'`, [], new Error(`boom ${secret}`)));
      const res = await t.root('get', `/v1/workspaces/${ws.id}/pools`);
      expectProblem(res, 500);
      expect(res.text).not.toContain(secret);
      expect(res.text).not.toMatch(/SELECT|password_hash|QueryFailedError|stack/i);

      jest.spyOn(t.app.get(PoolsService), 'get').mockImplementationOnce(() => {
        throw new TypeError(`Cannot read properties of undefined (reading '${secret}')`);
      });
      const thrown = await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}`);
      expectProblem(thrown, 500);
      expect(thrown.text).not.toContain(secret);
      expect(thrown.text).not.toMatch(/TypeError/);
    });
  });
});
