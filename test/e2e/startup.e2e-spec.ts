import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { eventually } from '../support/eventually';
import { RedisProcess, ServerProcess, builtServer, freshDatabaseUrl, startRedis, startServer, waitUntilListening } from '../support/server-process';

/**
 * The built server as operators run it: what it prints and how it exits when something
 * is missing, the key it generates outside production, readiness while Redis comes and
 * goes, and a clean exit on SIGTERM.
 */
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LONG_KEY = 'startup-test-root-key-0123456789abcdef';

function lines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

async function untilStatus(url: string, status: number, timeoutMs: number): Promise<Response> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const res = await fetch(url).catch(() => null);
    if (res?.status === status) return res;
    if (Date.now() > deadline) throw new Error(`${url} did not answer ${status} within ${timeoutMs} ms (last: ${res?.status})`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

describe('starting and stopping the server process', () => {
  const servers: ServerProcess[] = [];
  const start = async (env: Record<string, string | undefined>) => {
    const server = await startServer({ DATABASE_URL: freshDatabaseUrl(), REDIS_URL, LOG_LEVEL: 'warn', ...env });
    servers.push(server);
    return server;
  };
  let redis: RedisProcess | undefined;

  beforeAll(async () => {
    await builtServer();
  }, 120_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    await redis?.stop();
  });

  describe('refuses to start, with one line saying what to fix', () => {
    // Started together: each only loads, checks and exits. Limits leave room for a busy machine.
    let noKey: ServerProcess;
    let shortKey: ServerProcess;
    let noPostgres: ServerProcess;
    let unknownRole: ServerProcess;
    let noRedis: ServerProcess;
    let portTaken: ServerProcess;
    const holder = createServer();
    beforeAll(async () => {
      await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
      const takenPort = (holder.address() as AddressInfo).port;
      [noKey, shortKey, noPostgres, unknownRole, noRedis, portTaken] = await Promise.all([
        start({ NODE_ENV: 'production' }),
        start({ NODE_ENV: 'production', ROOT_API_KEY: 'too-short-key' }),
        start({ ROOT_API_KEY: LONG_KEY, DATABASE_URL: 'postgres://postgres:s3cret-pw@127.0.0.1:1/identity_pools' }),
        start({ ROOT_API_KEY: LONG_KEY, DATABASE_URL: `${freshDatabaseUrl().replace('postgres://postgres', 'postgres://no_such_role')}` }),
        start({ ROOT_API_KEY: LONG_KEY, REDIS_URL: 'redis://127.0.0.1:1' }),
        start({ ROOT_API_KEY: LONG_KEY, PORT: String(takenPort) }),
      ]);
      await Promise.all([noKey, shortKey, noPostgres, unknownRole, noRedis, portTaken].map((server) => server.exited));
    }, 60_000);
    afterAll(() => new Promise((resolve) => holder.close(resolve)));

    it('in production without ROOT_API_KEY', async () => {
      const { code, afterMs } = await noKey.exited;
      expect(code).not.toBe(0);
      expect(afterMs).toBeLessThan(8000);
      expect(lines(noKey.stderr())).toEqual([expect.stringContaining('ROOT_API_KEY')]);
      expect(noKey.stderr()).toMatch(/ROOT_API_KEY is required when NODE_ENV=production/);
    });

    it('with a ROOT_API_KEY shorter than 32 characters', async () => {
      const { code, afterMs } = await shortKey.exited;
      expect(code).not.toBe(0);
      expect(afterMs).toBeLessThan(8000);
      expect(lines(shortKey.stderr())).toEqual([expect.stringMatching(/ROOT_API_KEY must be at least 32 characters/)]);
      expect(shortKey.output()).not.toContain('too-short-key');
    });

    it('when PostgreSQL does not answer', async () => {
      const { code, afterMs } = await noPostgres.exited;
      expect(code).not.toBe(0);
      expect(afterMs).toBeLessThan(10_000);
      const output = lines(noPostgres.stderr());
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(/Cannot reach PostgreSQL at 127\.0\.0\.1:1/);
      expect(output[0]).toMatch(/Start PostgreSQL or set DATABASE_URL/);
      // The password in the URL is not printed.
      expect(output[0]).not.toContain('s3cret-pw');
    });

    it('when PostgreSQL refuses the user, with its own words instead of "cannot reach"', async () => {
      const { code, afterMs } = await unknownRole.exited;
      expect(code).not.toBe(0);
      expect(afterMs).toBeLessThan(10_000);
      const output = lines(unknownRole.stderr());
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(/PostgreSQL at 127\.0\.0\.1:5432 refused: role "no_such_role" does not exist/);
      expect(output[0]).toMatch(/Check the user, password and database in DATABASE_URL/);
    });

    it('when its port is taken', async () => {
      const { code } = await portTaken.exited;
      expect(code).not.toBe(0);
      const output = lines(portTaken.stderr());
      expect(output).toEqual([expect.stringMatching(/^identity-pools: Port \d+ is already in use\. Stop the process that holds it, or set PORT/)]);
      // Found before the modules load: the line is all there is, not the last of a page of start-up lines.
      expect(portTaken.stdout()).toBe('');
    });

    it('when Redis does not answer', async () => {
      const { code, afterMs } = await noRedis.exited;
      expect(code).not.toBe(0);
      expect(afterMs).toBeLessThan(10_000);
      const output = lines(noRedis.stderr());
      expect(output).toHaveLength(1);
      expect(output[0]).toMatch(/Cannot reach Redis at 127\.0\.0\.1:1 \(ECONNREFUSED\)/);
      expect(output[0]).toMatch(/Start Redis or set REDIS_URL/);
    });
  });

  describe('outside production without ROOT_API_KEY', () => {
    let a: ServerProcess;
    let b: ServerProcess;
    let keyA: string;
    let keyB: string;

    beforeAll(async () => {
      redis = await startRedis();
      [a, b] = await Promise.all([start({ NODE_ENV: 'development', REDIS_URL: redis.url }), start({ NODE_ENV: 'development' })]);
      await Promise.all([waitUntilListening(a), waitUntilListening(b)]);
      const keyLine = /ROOT_API_KEY was not set[^\n]*\n\s*\n\s+(\S+)\n/;
      keyA = (await a.waitFor(keyLine))[1];
      keyB = (await b.waitFor(keyLine))[1];
    }, 60_000);

    it('prints a generated root key that works against that process only', async () => {
      expect(keyA.length).toBeGreaterThanOrEqual(32);
      expect(keyA).not.toBe(keyB);
      const ok = await fetch(`${a.baseUrl}/v1/workspaces`, { headers: { authorization: `Bearer ${keyA}` } });
      expect(ok.status).toBe(200);
      expect(await ok.json()).toEqual({ items: [], nextCursor: null });
      const other = await fetch(`${b.baseUrl}/v1/workspaces`, { headers: { authorization: `Bearer ${keyA}` } });
      expect(other.status).toBe(401);
      expect((await fetch(`${a.baseUrl}/v1/workspaces`, { headers: { authorization: `Bearer ${keyB}` } })).status).toBe(401);
      // Printed once: only in that start banner.
      expect(a.output().split(keyA)).toHaveLength(2);
    });

    it('is ready, answers 503 naming redis while Redis is down, and 200 again once it is back', async () => {
      const ready = await fetch(`${a.baseUrl}/health/ready`);
      expect(ready.status).toBe(200);
      expect((await fetch(`${a.baseUrl}/health/live`)).status).toBe(200);

      await redis!.stop();
      const started = Date.now();
      const down = await untilStatus(`${a.baseUrl}/health/ready`, 503, 5000);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(down.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      const problem = (await down.json()) as { detail: string };
      expect(problem).toMatchObject({ status: 503, title: expect.any(String), type: expect.any(String) });
      expect(problem.detail).toMatch(/redis/i);
      expect(problem.detail).not.toMatch(/postgres/i);
      // Liveness does not depend on Redis.
      expect((await fetch(`${a.baseUrl}/health/live`)).status).toBe(200);
      // The outage is one warning in the log (at the first failed reconnect; the 503 comes before it).
      await eventually(async () => expect(a.output()).toMatch(/Redis is unreachable/), 5000);

      await redis!.start();
      await untilStatus(`${a.baseUrl}/health/ready`, 200, 10_000);
      // Not a stack per reconnect attempt on stderr.
      expect(a.output().match(/Redis is unreachable/g)).toHaveLength(1);
      expect(a.stderr()).not.toMatch(/Unhandled error event|\n\s+at /);
    }, 30_000);

    it('exits 0 promptly on SIGTERM', async () => {
      const sent = Date.now();
      b.child.kill('SIGTERM');
      const exit = await Promise.race([
        b.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 5 s after SIGTERM; output:\n${b.output().slice(-4000)}`)), 5000)),
      ]);
      expect(exit).toMatchObject({ code: 0, signal: null });
      expect(Date.now() - sent).toBeLessThan(5000);
      await expect(fetch(`${b.baseUrl}/health/live`)).rejects.toThrow();
    });

    it('still exits on SIGTERM while Redis is down, within the shutdown deadline', async () => {
      await redis!.stop();
      await untilStatus(`${a.baseUrl}/health/ready`, 503, 5000);
      const sent = Date.now();
      a.child.kill('SIGTERM');
      const exit = await Promise.race([
        a.exited,
        new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still running 15 s after SIGTERM; output:\n${a.output().slice(-4000)}`)), 15_000)),
      ]);
      expect(Date.now() - sent).toBeLessThan(15_000);
      expect(exit.signal).toBeNull();
      // A clean close is 0; one cut short by the deadline says so and is 1.
      if (exit.code !== 0) {
        expect(exit.code).toBe(1);
        expect(a.output()).toMatch(/Shutdown did not finish within \d+ s/);
      }
    }, 20_000);
  });
});
