import { createConnection, createServer, Server, Socket } from 'node:net';
import { gzipSync } from 'node:zlib';
import request from 'supertest';
import { PoolsService } from '../../src/pools/pools.service';
import { createPool, createWorkspace, UUID } from '../factories';
import { builtServer, freshDatabaseUrl, ServerProcess, startServer } from '../support/server-process';
import { TEST_SERVER_URL } from '../support/databases';
import { cloneDatabase, freePort, ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * Cross-cutting conventions (API.md "Conventions", "Configuration", "Operations") that the
 * other suites leave out: request ids, content codings, repeated query parameters, and
 * configuration refused with one line at start.
 */
function expectProblem(res: request.Response, status: number): void {
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${res.text}`);
  expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
  expect(JSON.parse(res.text)).toMatchObject({ type: expect.any(String), title: expect.any(String), status, detail: expect.any(String) });
}

describe('HTTP conventions audit', () => {
  let t: TestApp;
  let ws: { id: string };
  let pool: { id: string };

  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    ws = await createWorkspace(t);
    pool = await createPool(t, ws.id);
  });
  afterAll(() => t.close());

  describe('request ids', () => {
    afterEach(() => jest.restoreAllMocks());

    it('answers every request with its own X-Request-Id, also a 404, a refused body and a health check', async () => {
      const answers = [
        await t.root('get', '/v1/workspaces').expect(200),
        await t.root('get', '/v1/nothing-here').expect(404),
        await t.root('post', '/v1/workspaces').set('Content-Type', 'text/plain').send('x').expect(415),
        await t.http.get('/health/live').expect(200),
      ];
      const ids = answers.map((res) => res.headers['x-request-id']);
      for (const id of ids) expect(id).toMatch(UUID);
      expect(new Set(ids).size).toBe(ids.length);
    });

    it('names the request id in a 500, the one thing support needs to find its log line', async () => {
      jest.spyOn(t.app.get(PoolsService), 'list').mockRejectedValueOnce(new Error('boom'));
      const res = await t.root('get', `/v1/workspaces/${ws.id}/pools`);
      expectProblem(res, 500);
      expect(res.headers['x-request-id']).toMatch(UUID);
      expect(res.body.detail).toContain(res.headers['x-request-id']);
      expect(res.text).not.toContain('boom');
    });

    it('does not take a request id from the client without TRUST_PROXY', async () => {
      const res = await t.http.get('/health/live').set('X-Request-Id', 'chosen-by-the-client').expect(200);
      expect(res.headers['x-request-id']).toMatch(UUID);
    });
  });

  describe('content codings', () => {
    const imports = () => `/v1/workspaces/${ws.id}/pools/${pool.id}/imports`;
    const ndjson = '{"email":"gz-1@example.com"}\n{"email":"gz-2@example.com"}\n';

    it('answers 415 with Accept-Encoding to a gzip NDJSON upload instead of staging binary lines after a 202', async () => {
      const res = await t
        .root('post', imports())
        .set('Content-Type', 'application/x-ndjson')
        .set('Content-Encoding', 'gzip')
        .send(gzipSync(ndjson));
      expectProblem(res, 415);
      expect(res.headers['accept-encoding']).toBe('identity');
      expect(res.body.detail).toMatch(/gzip/);
      expect((await t.root('get', imports()).expect(200)).body.items).toEqual([]);
      // The same upload uncompressed is taken.
      const plain = await t.root('post', imports()).set('Content-Type', 'application/x-ndjson').set('Content-Encoding', 'identity').send(ndjson).expect(202);
      expect(plain.body.total).toBe(2);
    });

    it('still decodes a gzip JSON body, as the JSON parser always did', async () => {
      const res = await t
        .root('post', '/v1/workspaces')
        .set('Content-Type', 'application/json')
        .set('Content-Encoding', 'gzip')
        // As bytes: superagent would otherwise JSON-encode the Buffer for a JSON content type.
        .serialize((body) => body)
        .send(gzipSync(JSON.stringify({ name: 'gzipped' })))
        .expect(201);
      expect(res.body.name).toBe('gzipped');
    });
  });

  describe('repeated query parameters', () => {
    it('answers 400 saying to give limit once, instead of contradictory range messages', async () => {
      const res = await t.root('get', `/v1/workspaces/${ws.id}/pools?limit=1&limit=2`);
      expectProblem(res, 400);
      expect(res.body.errors).toEqual([{ field: 'limit', message: 'limit must be given once, not 2 times' }]);
    });

    it('names each repeated parameter of the user list, and of a self-service link', async () => {
      const users = await t.root('get', `/v1/workspaces/${ws.id}/pools/${pool.id}/users?search=a&search=b&status=active&status=disabled&limit=5`);
      expectProblem(users, 400);
      expect(users.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['search', 'status']);
      const token = await t.http.get('/v1/self-service/invitations?token=a&token=b');
      expectProblem(token, 400);
      expect(token.body.errors).toEqual([{ field: 'token', message: 'token must be given once, not 2 times' }]);
    });
  });
});

/**
 * A TCP relay to the shared PostgreSQL that a test can cut and restore: the service loses
 * its database without anyone stopping the shared server.
 */
async function postgresRelay(port: number) {
  const target = new URL(TEST_SERVER_URL);
  const sockets = new Set<Socket>();
  let server: Server | null = null;
  const open = () =>
    new Promise<void>((done, fail) => {
      if (server) return done();
      server = createServer((client) => {
        const upstream = createConnection(Number(target.port || 5432), target.hostname);
        for (const socket of [client, upstream]) {
          sockets.add(socket);
          socket.on('error', () => undefined);
          socket.on('close', () => sockets.delete(socket));
        }
        client.pipe(upstream).pipe(client);
      });
      server.once('error', fail);
      server.listen(port, '127.0.0.1', done);
    });
  const cut = () =>
    new Promise<void>((done) => {
      const current = server;
      server = null;
      for (const socket of sockets) socket.destroy();
      if (!current) return done();
      current.close(() => done());
    });
  await open();
  return { open, cut };
}

describe('readiness while PostgreSQL is away', () => {
  let t: TestApp;
  let relay: Awaited<ReturnType<typeof postgresRelay>>;

  beforeAll(async () => {
    const port = await freePort();
    relay = await postgresRelay(port);
    const name = await cloneDatabase();
    t = await startTestApp({ ROLE: 'api', DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/${name}` });
  });
  afterAll(async () => {
    await relay.open();
    await t?.close();
    await relay.cut();
  });

  it('answers 503 problem+json naming postgres (not redis) while it is away, live stays 200, and ready is 200 again once it is back', async () => {
    await t.http.get('/health/ready').expect(200);
    await relay.cut();
    const started = Date.now();
    const down = await t.http.get('/health/ready');
    expectProblem(down, 503);
    expect(Date.now() - started).toBeLessThan(5000);
    expect(down.body.detail).toMatch(/postgres/);
    expect(down.body.detail).not.toMatch(/redis/);
    await t.http.get('/health/live').expect(200);
    await relay.open();
    const deadline = Date.now() + 10_000;
    let status = 0;
    while (status !== 200 && Date.now() < deadline) {
      status = (await t.http.get('/health/ready')).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 200));
    }
    expect(status).toBe(200);
  }, 30_000);
});

describe('configuration refused at start, with one line naming the variable', () => {
  const servers: ServerProcess[] = [];
  const refused: Record<string, ServerProcess> = {};
  const cases: Record<string, Record<string, string>> = {
    TRUST_PROXY: { TRUST_PROXY: 'yes' },
    MAIL_FROM: { MAIL_FROM: 'garbage' },
    ROOT_API_KEY: { ROOT_API_KEY: 'a long root passphrase with spaces in it' },
    PUBLIC_URL: { PUBLIC_URL: 'https://id.example.com/?tenant=1' },
  };

  beforeAll(async () => {
    await builtServer();
    await Promise.all(
      Object.entries(cases).map(async ([name, env]) => {
        const server = await startServer({ DATABASE_URL: freshDatabaseUrl(), REDIS_URL: process.env.REDIS_URL ?? 'redis://127.0.0.1:6379', LOG_LEVEL: 'warn', ROOT_API_KEY: ROOT_KEY, ...env });
        servers.push(server);
        refused[name] = server;
      }),
    );
    // A server that starts instead of refusing is stopped after 10 s, and its test fails.
    await Promise.all(servers.map((server) => Promise.race([server.exited, new Promise((done) => setTimeout(done, 10_000))])));
    await Promise.all(servers.map((server) => server.stop()));
  }, 120_000);

  it.each(Object.keys(cases))('%s', async (name) => {
    const server = refused[name];
    const { code, signal } = await server.exited;
    expect({ code, signal }).toEqual({ code: 1, signal: null });
    const lines = server.stderr().split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^identity-pools: ${name} must `))]);
    expect(server.output()).not.toMatch(/\n\s+at /);
  });
});
