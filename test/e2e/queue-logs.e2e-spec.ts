import { databaseUrl } from '../support/databases';
import { eventually } from '../support/eventually';
import { PrivateBuild, PrivateRedis, privateBuild, ServiceProcess, startPrivateRedis, startService } from '../support/service-processes';
import { cloneDatabase, ROOT_KEY } from '../support/test-app';

/**
 * A Redis restart under a busy service stays in the JSON log: BullMQ printed errors
 * nobody listened to with console.error (after the restart, "Missing key for job …"
 * for the import in flight, a stack of ten plain lines each), and the one listener the
 * mail worker had logged every failed reconnect. Now each queue says once that it lost
 * Redis and once that it is back, in both roles that run workers.
 */

const LINES = 40_000;

interface LogLine {
  level: number;
  context?: string;
  msg: string;
  queue?: string;
}

/** Every line the process wrote, parsed; a line that is not a JSON object fails the test, quoted. */
function jsonLines(service: ServiceProcess): LogLine[] {
  const lines = service.output().split('\n').filter((line) => line.trim() !== '');
  const plain = lines.filter((line) => {
    try {
      const parsed: unknown = JSON.parse(line);
      return typeof parsed !== 'object' || parsed === null;
    } catch {
      return true;
    }
  });
  expect(plain).toEqual([]);
  return lines.map((line) => JSON.parse(line) as LogLine);
}

const WARN = 40;
const INFO = 30;

describe('a Redis restart under running workers', () => {
  let build: PrivateBuild;
  let redis: PrivateRedis;
  let all: ServiceProcess;
  let worker: ServiceProcess;
  let importPath: string;

  const root = async (method: string, path: string, body?: string, type = 'application/json') => {
    const res = await fetch(`${all.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': type }, body });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as { id: string; status: string; processed: number };
  };

  beforeAll(async () => {
    let dbUrl: string;
    [build, redis, dbUrl] = await Promise.all([privateBuild(), startPrivateRedis(), cloneDatabase().then(databaseUrl)]);
    const env = { NODE_ENV: 'test', LOG_LEVEL: 'info', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: dbUrl, REDIS_URL: redis.url, IMPORT_CHUNK_SIZE: '100' };
    [all, worker] = await Promise.all([startService(build.main, { ...env, ROLE: 'all' }), startService(build.main, { ...env, ROLE: 'worker' })]);

    // An import in flight when Redis goes (in either process): its job's state is lost under it.
    const ws = await root('POST', '/v1/workspaces', JSON.stringify({ name: `queue-logs-${Date.now()}` }));
    const pool = await root('POST', `/v1/workspaces/${ws.id}/pools`, JSON.stringify({ name: 'queue-logs' }));
    let ndjson = '';
    for (let i = 1; i <= LINES; i++) ndjson += `${JSON.stringify({ email: `queue-logs-${i}@example.com`, givenName: `User ${i}` })}\n`;
    importPath = `/v1/workspaces/${ws.id}/pools/${pool.id}/imports/${(await root('POST', `/v1/workspaces/${ws.id}/pools/${pool.id}/imports`, ndjson, 'application/x-ndjson')).id}`;
    await eventually(async () => expect((await root('GET', importPath)).processed).toBeGreaterThan(0), 30_000, 20);
    await redis.shutdownNoSave();
    // Several reconnect attempts fail meanwhile (BullMQ retries about once a second).
    await new Promise((r) => setTimeout(r, 5000));
    await redis.start();
    await eventually(async () => expect((await root('GET', importPath)).status).toBe('completed'), 120_000, 200);
  }, 300_000);

  afterAll(async () => {
    await Promise.all([all?.stop(), worker?.stop()]);
    await redis?.stop();
    build?.remove();
  }, 60_000);

  it('logs what BullMQ said of the job lost under its worker as a warning naming its queue', async () => {
    // Said as the job ends, just after its import is recorded completed.
    await eventually(async () => expect(all.output() + worker.output()).toMatch(/Missing (key|lock) for job/), 30_000);
    const jobErrors = [...jsonLines(all), ...jsonLines(worker)].filter((line) => line.queue === 'imports' && /Missing (key|lock) for job/.test(line.msg));
    expect(jobErrors.length).toBeGreaterThan(0);
    for (const line of jobErrors) expect(line.level).toBe(WARN);
  });

  it.each(['all', 'worker'])('ROLE=%s warns once per queue that it lost Redis, and says when it is back', async (role) => {
    const service = role === 'all' ? all : worker;
    // The queues reconnect on their own schedule: BullMQ backs off between attempts.
    await eventually(async () => {
      for (const queue of ['mail', 'imports']) expect(service.output()).toContain(`Queue ${queue} reconnected to Redis`);
    }, 30_000);
    const lines = jsonLines(service);
    for (const queue of ['mail', 'imports']) {
      const lost = lines.filter((line) => line.queue === queue && /lost its Redis connection/.test(line.msg));
      expect(lost).toEqual([expect.objectContaining({ level: WARN, msg: expect.stringMatching(/Redis/) })]);
      const back = lines.filter((line) => line.queue === queue && /reconnected to Redis/.test(line.msg));
      expect(back).toEqual([expect.objectContaining({ level: INFO })]);
    }
    // The service's own connection still says it once too.
    expect(lines.filter((line) => /Redis is unreachable/.test(line.msg))).toHaveLength(1);
  }, 40_000);

  it('ROLE=worker answers its liveness and readiness probes, and nothing else', async () => {
    expect(await (await fetch(`${worker.baseUrl}/health/live`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${worker.baseUrl}/health/ready`);
    expect({ status: ready.status, body: await ready.json() }).toMatchObject({ status: 200, body: { info: { postgres: { status: 'up' }, redis: { status: 'up' } } } });
    for (const path of ['/v1/workspaces', '/docs-json', '/console/', `/oidc/${'0'.repeat(8)}/.well-known/openid-configuration`]) {
      const res = await fetch(`${worker.baseUrl}${path}`, { headers: { authorization: `Bearer ${ROOT_KEY}` } });
      expect({ path, status: res.status, type: res.headers.get('content-type') }).toEqual({ path, status: 404, type: expect.stringContaining('application/problem+json') });
      expect(((await res.json()) as { detail: string }).detail).toContain('ROLE=worker');
    }
  });

  it.each(['all', 'worker'])('leaves only JSON lines in the output of ROLE=%s, through its stop', async (role) => {
    const service = role === 'all' ? all : worker;
    await service.stop();
    jsonLines(service);
  }, 30_000);
});
