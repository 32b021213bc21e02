import { randomBytes } from 'node:crypto';
import Redis from 'ioredis';
import { Client } from 'pg';
import { connectPool, createApplication, createPool, createUser, createWorkspace, ImportJob, sql, unique } from '../factories';
import { databaseUrl, withAdmin } from '../support/databases';
import { eventually } from '../support/eventually';
import { PrivateBuild, PrivateRedis, privateBuild, ServiceProcess, startPrivateRedis, startService } from '../support/service-processes';
import { SmtpSink } from '../support/smtp-sink';
import { cloneDatabase, ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * "Nothing lost": the app's PostgreSQL connections terminated by the server, its Redis
 * connections killed, and a real server process stopped with SIGTERM in the middle of an
 * import with emails pending. No user, invitation, import record or email may be lost
 * or doubled, no answer may be a 500 carrying internals, and the service must recover
 * by itself. (Redis shut down or flushed and SIGKILLed workers are in imports-faults and
 * mail-delivery.)
 */

const PASSWORD = 'correct horse battery staple';
const CHEAP_ARGON2 = { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' };

/** Words of a driver or ORM error that must never reach a client. */
const INTERNALS = /terminat|administrator|QueryFailed|ECONN|Connection|postgres|redis|SELECT|INSERT|UPDATE|\n\s+at /i;

/** Every backend of `database` ends (pg_terminate_backend), as when PostgreSQL restarts or a proxy drops them; resolves once they are gone. */
async function terminateConnections(database: string): Promise<number> {
  return withAdmin(async (admin) => {
    // Chosen first, terminated second: in one WHERE clause PostgreSQL may call pg_terminate_backend before the filter.
    const { rows } = await admin.query<{ pid: number }>(`SELECT pid FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()`, [database]);
    const pids = rows.map((row) => row.pid);
    for (const pid of pids) await admin.query(`SELECT pg_terminate_backend($1)`, [pid]);
    await eventually(async () => {
      const { rows: left } = await admin.query(`SELECT 1 FROM pg_stat_activity WHERE pid = ANY($1)`, [pids]);
      expect(left).toHaveLength(0);
    }, 5000, 20);
    return pids.length;
  });
}

/** The backends of `database` held in `wait` (pg_sleep in a test trigger, or a row lock), once there is at least one. */
async function heldBackends(db: TestApp, database: string, wait: 'PgSleep' | 'Lock'): Promise<number[]> {
  return eventually(async () => {
    const rows = await sql<{ pid: number }>(db, `SELECT pid FROM pg_stat_activity WHERE datname = $1 AND (wait_event = $2 OR wait_event_type = $2)`, [database, wait]);
    expect(rows.length).toBeGreaterThan(0);
    return rows.map((row) => row.pid);
  }, 20_000, 20);
}

/** Terminates just these backends, one by one. */
async function terminateBackends(db: TestApp, pids: number[]): Promise<void> {
  for (const pid of pids) await sql(db, `SELECT pg_terminate_backend($1)`, [pid]);
}

/** Kills every client of the private Redis but the one asking (all of them are the app's). */
async function killRedisClients(redis: PrivateRedis): Promise<number> {
  const client = new Redis(redis.url, { maxRetriesPerRequest: 0, retryStrategy: () => null, lazyConnect: true });
  client.on('error', () => undefined);
  await client.connect();
  try {
    const self = Number(await client.client('ID'));
    const list = String(await client.client('LIST'));
    const ids = [...list.matchAll(/\bid=(\d+)\b/g)].map((m) => Number(m[1])).filter((id) => id !== self);
    for (const id of ids) await client.client('KILL', 'ID', String(id));
    return ids.length;
  } finally {
    client.disconnect();
  }
}

/** What arrived for each of `recipients` (lower-cased). */
function deliveries(smtp: SmtpSink, recipients: string[]): Record<string, number> {
  const counts: Record<string, number> = Object.fromEntries(recipients.map((r) => [r.toLowerCase(), 0]));
  for (const mail of smtp.messages) if (mail.to.toLowerCase() in counts) counts[mail.to.toLowerCase()] += 1;
  return counts;
}

/** Recipients that got nothing yet. */
function missing(smtp: SmtpSink, recipients: string[]): string[] {
  return Object.entries(deliveries(smtp, recipients)).flatMap(([to, n]) => (n === 0 ? [to] : []));
}

/** Recipients that did not get exactly one email. */
function notOnce(smtp: SmtpSink, recipients: string[]): Record<string, number> {
  return Object.fromEntries(Object.entries(deliveries(smtp, recipients)).filter(([, n]) => n !== 1));
}

/** An answer is a success, or a 503 problem+json saying when to retry, without internals (never HTML, never a stack or SQL). */
function expectCleanAnswer(res: { status: number; headers: Record<string, string>; text: string }, ok: number) {
  if (res.status === ok) return;
  expect({ status: res.status, type: res.headers['content-type'], retryAfter: res.headers['retry-after'] }).toEqual({
    status: 503,
    type: expect.stringMatching(/^application\/problem\+json/),
    retryAfter: '5',
  });
  expect(res.text).not.toMatch(INTERNALS);
}

/** The OAuth password grant at a workspace's issuer, with client_secret_basic. */
function passwordGrant(t: TestApp, ws: string, app: { clientId: string; clientSecret: string }, username: string, password: string): Promise<Response> {
  return fetch(`${t.baseUrl}/oidc/${ws}/token`, {
    method: 'POST',
    headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid' }),
  });
}

/**
 * The import of `ndjson(tag, total)` into `poolId` ends completed with exact counts, the pool
 * holds exactly those users, and each got its invitation once (a late duplicate given time to land).
 */
async function expectImportDeliveredOnce(job: () => Promise<ImportJob>, db: TestApp, poolId: string, smtp: SmtpSink, tag: string, total: number): Promise<void> {
  const final = await eventually(async () => {
    const current = await job();
    expect(current.status).not.toMatch(/queued|running/);
    return current;
  }, 30_000, 100);
  expect(final).toMatchObject({ status: 'completed', total, processed: total, created: total, updated: 0, skipped: 0, failed: 0 });
  const [{ n }] = await sql<{ n: number }>(db, `SELECT count(*)::int AS n FROM users WHERE pool_id = $1`, [poolId]);
  expect(n).toBe(total);
  const recipients = Array.from({ length: total }, (_, i) => `${tag}-${i + 1}@example.com`);
  await eventually(async () => expect(missing(smtp, recipients)).toEqual([]), 30_000, 200);
  await new Promise((r) => setTimeout(r, 700));
  expect(notOnce(smtp, recipients)).toEqual({});
}

function ndjson(tag: string, total: number): string {
  let body = '';
  for (let i = 1; i <= total; i++) body += `${JSON.stringify({ externalId: `${tag}-${i}`, email: `${tag}-${i}@example.com`, givenName: `User ${i}` })}\n`;
  return body;
}

describe('resilience audit', () => {
  /** Compiled while the in-process tests run. */
  let build: Promise<PrivateBuild>;
  beforeAll(() => {
    build = privateBuild();
    build.catch(() => undefined);
  });
  afterAll(async () => (await build.catch(() => null))?.remove());

  describe('one process: its PostgreSQL and Redis connections cut', () => {
    let t: TestApp;
    let smtp: SmtpSink;
    let redis: PrivateRedis;
    let database: string;
    let ws: string;
    let pool: string;

    beforeAll(async () => {
      [smtp, redis] = await Promise.all([new SmtpSink().start(), startPrivateRedis()]);
      t = await startTestApp(
        {
          ...CHEAP_ARGON2,
          SMTP_URL: smtp.url,
          REDIS_URL: redis.url,
          MAIL_RETRY_DELAY_MS: '50',
          MAIL_SWEEP_INTERVAL_MS: '500',
          // A claim whose answer a cut connection lost holds its email this long: shorter than the tests wait for one.
          MAIL_CLAIM_SECONDS: '15',
          IMPORT_CHUNK_SIZE: '10',
          IMPORT_LEASE_SECONDS: '3',
          IMPORT_SWEEP_INTERVAL_MS: '500',
        },
        { listen: true },
      );
      database = decodeURIComponent(new URL(t.databaseUrl).pathname.slice(1));
      ws = (await createWorkspace(t)).id;
      pool = (await createPool(t, ws)).id;
    });
    afterAll(async () => {
      await t?.close();
      await smtp?.stop();
      await redis?.stop();
    });

    const users = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/users`;
    const invite = (email: string) => t.root('post', users()).send({ email, credential: { mode: 'invitation' } });
    /** Uploads `ndjson(tag, total)` with sendInvitations; returns how to read the import job. */
    const importWithInvitations = async (poolId: string, tag: string, total: number) => {
      const imports = `/v1/workspaces/${ws}/pools/${poolId}/imports`;
      const queued = (await t.root('post', imports).query({ sendInvitations: 'true' }).set('content-type', 'application/x-ndjson').send(ndjson(tag, total)).expect(202)).body as ImportJob;
      return async () => (await t.root('get', `${imports}/${queued.id}`).expect(200)).body as ImportJob;
    };

    it('PostgreSQL connections terminated between requests: the next requests succeed, without a restart', async () => {
      // Several pooled connections, idle when they are cut.
      await Promise.all(Array.from({ length: 8 }, () => t.root('get', users()).expect(200)));
      expect(await terminateConnections(database)).toBeGreaterThan(0);

      const answers = await Promise.all([
        ...Array.from({ length: 8 }, () => t.root('get', users())),
        t.root('post', users()).send({ email: `${unique('after-cut')}@example.com`, credential: { mode: 'password', password: PASSWORD } }),
        t.http.get('/health/ready'),
      ]);
      expect(answers.map((res) => res.status)).toEqual([...Array(8).fill(200), 201, 200]);
    });

    it('PostgreSQL connections terminated with writes in flight: each is done whole or answered 503 with Retry-After; all emails go out once', async () => {
      const emails = Array.from({ length: 40 }, () => `${unique('inflight')}@example.com`);
      const answers = Promise.all(emails.map((email) => invite(email)));
      await new Promise((r) => setTimeout(r, 30));
      await terminateConnections(database);
      const results = await answers;
      for (const res of results) expectCleanAnswer(res, 201);

      // Nothing half-written: a user exists with its invitation and its email, or not at all.
      const rows = await sql<{ email: string; invitations: number; outbox: number }>(
        t,
        `SELECT u.email, (SELECT count(*)::int FROM invitations i WHERE i.user_id = u.id) AS invitations,
                (SELECT count(*)::int FROM mail_outbox o WHERE o.recipient = u.email) AS outbox
           FROM users u WHERE u.pool_id = $1 AND u.email = ANY($2)`,
        [pool, emails],
      );
      const created = results.flatMap((res, i) => (res.status === 201 ? [emails[i]] : []));
      for (const email of created) expect(rows.find((row) => row.email === email)).toMatchObject({ invitations: 1, outbox: 1 });
      for (const row of rows) expect(row).toMatchObject({ invitations: 1, outbox: 1 });
      const existing = rows.map((row) => row.email);

      // Later requests work; the mail worker carried on.
      await t.root('get', users()).expect(200);
      await eventually(async () => expect(missing(smtp, existing)).toEqual([]), 15_000);
      await new Promise((r) => setTimeout(r, 700));
      expect(notOnce(smtp, existing)).toEqual({});
    });

    it('a request whose PostgreSQL connection is cut while it runs: 503 with Retry-After, nothing of it kept, and the retry succeeds', async () => {
      const email = `${unique('held')}@example.com`;
      // A trigger holds this one INSERT, so the cut is certain to find the request in flight.
      await sql(t, `CREATE FUNCTION hold_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN IF NEW.email = '${email}' THEN PERFORM pg_sleep(5); END IF; RETURN NEW; END $$`);
      await sql(t, `CREATE TRIGGER hold_insert BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION hold_insert()`);
      try {
        const answer = invite(email).then((res) => res); // supertest sends on then()
        expect(await heldBackends(t, database, 'PgSleep')).toHaveLength(1);
        await terminateConnections(database);
        const res = await answer;
        expect(res.status).toBe(503);
        expectCleanAnswer(res, 201);
        expect(res.body.detail).toMatch(/^The database could not be reached, or went away during the request\. Retry in 5 seconds/);
        // One condition, one problem type: the same as /health/ready's 503.
        expect(res.body).toMatchObject({ type: 'https://identity-pools.dev/problems/service-unavailable', title: 'Service unavailable' });
      } finally {
        await sql(t, `DROP TRIGGER hold_insert ON users; DROP FUNCTION hold_insert()`);
      }
      expect(await sql(t, `SELECT 1 FROM users WHERE email = $1 UNION ALL SELECT 1 FROM mail_outbox WHERE recipient = $1`, [email])).toEqual([]);
      expect((await invite(email)).status).toBe(201);
    });

    it('PostgreSQL connections terminated during an import with invitations: it completes with exact counts, every email once', async () => {
      const importPool = (await createPool(t, ws)).id;
      const tag = unique('pgcut');
      const total = 100;
      const job = await importWithInvitations(importPool, tag, total);
      for (const share of [0.2, 0.5]) {
        await eventually(async () => expect((await job()).processed).toBeGreaterThanOrEqual(total * share), 20_000, 20);
        await terminateConnections(database);
      }
      await expectImportDeliveredOnce(job, t, importPool, smtp, tag, total);
    }, 60_000);

    it('an import that loses its PostgreSQL connection more often than its retries allow: it waits each time and completes, every email once', async () => {
      const importPool = (await createPool(t, ws)).id;
      const tag = unique('outages');
      const total = 50;
      // The first four attempts at its users are held, so that each cut is certain to find the import in flight.
      await sql(t, `CREATE SEQUENCE import_outages`);
      await sql(
        t,
        `CREATE FUNCTION hold_import_insert() RETURNS trigger LANGUAGE plpgsql AS $$
         BEGIN
           IF NEW.email LIKE '${tag}-%' AND nextval('import_outages') <= 4 THEN PERFORM pg_sleep(10); END IF;
           RETURN NEW;
         END $$`,
      );
      await sql(t, `CREATE TRIGGER hold_import_insert BEFORE INSERT ON users FOR EACH ROW EXECUTE FUNCTION hold_import_insert()`);
      try {
        const job = await importWithInvitations(importPool, tag, total);
        // At least four cuts (two chunks may be in flight at once); an import has three attempts.
        for (let cuts = 0; cuts < 4; ) {
          const held = await heldBackends(t, database, 'PgSleep');
          await terminateBackends(t, held);
          cuts += held.length;
        }
        await expectImportDeliveredOnce(job, t, importPool, smtp, tag, total);
      } finally {
        await sql(t, `DROP TRIGGER hold_import_insert ON users; DROP FUNCTION hold_import_insert(); DROP SEQUENCE import_outages`);
      }
    }, 90_000);

    it('the OIDC token endpoint answers again once its connections were terminated', async () => {
      const tokenPool = (await createPool(t, ws)).id;
      await connectPool(t, ws, tokenPool);
      const app = await createApplication(t, ws);
      const user = await createUser(t, ws, tokenPool, { credential: { mode: 'password', password: PASSWORD } });
      const grant = (password: string) => passwordGrant(t, ws, app, user.email, password);
      expect((await grant(PASSWORD)).status).toBe(200);
      await terminateConnections(database);
      const [good, bad] = await Promise.all([grant(PASSWORD), grant('wrong password')]);
      expect({ good: good.status, bad: bad.status }).toEqual({ good: 200, bad: 400 });
      expect(((await good.json()) as { access_token: string }).access_token).toEqual(expect.any(String));
    });

    it('a password grant whose PostgreSQL connection is cut while it runs: 503 temporarily_unavailable with Retry-After, then 200', async () => {
      const tokenPool = (await createPool(t, ws)).id;
      await connectPool(t, ws, tokenPool);
      const app = await createApplication(t, ws);
      const user = await createUser(t, ws, tokenPool, { credential: { mode: 'password', password: PASSWORD } });
      // A lock on the user's row holds the grant at its sign-in record, so the cut is certain to find it in flight.
      const locker = new Client({ connectionString: t.databaseUrl });
      locker.on('error', () => undefined);
      await locker.connect();
      try {
        await locker.query('BEGIN');
        await locker.query(`SELECT 1 FROM users WHERE id = $1 FOR UPDATE`, [user.id]);
        const answer = passwordGrant(t, ws, app, user.email, PASSWORD);
        const held = await heldBackends(t, database, 'Lock');
        expect(held).toHaveLength(1);
        // Only the grant's backend: the lock must outlive it.
        await terminateBackends(t, held);
        const res = await answer;
        expect({ status: res.status, retryAfter: res.headers.get('retry-after'), body: await res.json() }).toEqual({
          status: 503,
          retryAfter: '5',
          body: { error: 'temporarily_unavailable', error_description: expect.stringMatching(/retry in 5 seconds/) },
        });
      } finally {
        await locker.end().catch(() => undefined);
      }
      expect((await passwordGrant(t, ws, app, user.email, PASSWORD)).status).toBe(200);
    });

    it('Redis connections killed: invitations arrive once, an import completes, sign-in is answered (never 500), readiness recovers', async () => {
      const importPool = (await createPool(t, ws)).id;
      const signInPool = (await createPool(t, ws)).id;
      await connectPool(t, ws, signInPool);
      const app = await createApplication(t, ws);
      const user = await createUser(t, ws, signInPool, { credential: { mode: 'password', password: PASSWORD } });
      const grant = (password: string) => passwordGrant(t, ws, app, user.email, password);

      const tag = unique('rediskill');
      const total = 200;
      const queued = (
        await t.root('post', `/v1/workspaces/${ws}/pools/${importPool}/imports`).set('content-type', 'application/x-ndjson').send(ndjson(tag, total)).expect(202)
      ).body as ImportJob;
      const emails = Array.from({ length: 30 }, () => `${unique('rk')}@example.com`);
      const invited = Promise.all(emails.map((email, i) => new Promise((r) => setTimeout(r, i * 5)).then(() => invite(email))));
      const answers: number[] = [];
      for (let round = 0; round < 3; round++) {
        expect(await killRedisClients(redis)).toBeGreaterThan(0);
        answers.push(...(await Promise.all([grant('wrong password'), grant(PASSWORD)])).map((res) => res.status));
        await new Promise((r) => setTimeout(r, 50));
      }
      expect(answers).toEqual([400, 200, 400, 200, 400, 200]);
      for (const res of await invited) expect(res.status).toBe(201);

      const jobPath = `/v1/workspaces/${ws}/pools/${importPool}/imports/${queued.id}`;
      const final = await eventually(async () => {
        const current = (await t.root('get', jobPath).expect(200)).body as ImportJob;
        expect(current.status).not.toMatch(/queued|running/);
        return current;
      }, 30_000);
      expect(final).toMatchObject({ status: 'completed', processed: total, created: total });
      await eventually(async () => expect((await t.http.get('/health/ready')).status).toBe(200), 5000);
      await eventually(async () => expect(missing(smtp, emails)).toEqual([]), 20_000);
      await new Promise((r) => setTimeout(r, 700));
      expect(notOnce(smtp, emails)).toEqual({});
    }, 60_000);
  });

  describe('an api process while its Redis is stopped', () => {
    // The api role alone: what answers users (sign-in, self-service, readiness) must not need Redis.
    let t: TestApp;
    let redis: PrivateRedis;
    let ws: string;

    beforeAll(async () => {
      redis = await startPrivateRedis();
      t = await startTestApp({ ...CHEAP_ARGON2, ROLE: 'api', REDIS_URL: redis.url }, { listen: true });
      ws = (await createWorkspace(t)).id;
    });
    afterAll(async () => {
      await t?.close();
      await redis?.stop();
    });

    it('sign-in and self-service are answered (limits go uncounted), never with a 500 or a hang; ready names redis until it is back', async () => {
      const openPool = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
      await connectPool(t, ws, openPool);
      const app = await createApplication(t, ws);
      const user = await createUser(t, ws, openPool, { credential: { mode: 'password', password: PASSWORD } });
      await redis.stop();
      try {
        const started = Date.now();
        const [good, bad, registration, ready] = await Promise.all([
          passwordGrant(t, ws, app, user.email, PASSWORD),
          passwordGrant(t, ws, app, user.email, 'wrong password'),
          t.http.post('/v1/self-service/registrations').send({ poolId: openPool, email: `${unique('offline')}@example.com`, password: PASSWORD }),
          t.http.get('/health/ready'),
        ]);
        expect({ good: good.status, bad: bad.status, registration: registration.status, ready: ready.status }).toEqual({ good: 200, bad: 400, registration: 202, ready: 503 });
        expect(ready.body.detail).toMatch(/redis/);
        // Commands fail at once while Redis is away (no offline queue once connected): answered
        // in the time of the requests themselves, not after ioredis's reconnect attempts (7 s seen before).
        expect(Date.now() - started).toBeLessThan(5_000);
      } finally {
        await redis.start();
      }
      await eventually(async () => expect((await t.http.get('/health/ready')).status).toBe(200), 10_000);
    });
  });

  describe('a real server process stopped with SIGTERM', () => {
    let smtp: SmtpSink;
    let redis: PrivateRedis;
    let env: Record<string, string>;
    const services: ServiceProcess[] = [];

    beforeAll(async () => {
      let dbName: string;
      [smtp, redis, dbName] = await Promise.all([new SmtpSink().start(), startPrivateRedis(), cloneDatabase()]);
      env = {
        ...CHEAP_ARGON2,
        NODE_ENV: 'test',
        LOG_LEVEL: 'info',
        ROOT_API_KEY: ROOT_KEY,
        DATABASE_URL: databaseUrl(dbName),
        REDIS_URL: redis.url,
        SMTP_URL: smtp.url,
        MAIL_RETRY_DELAY_MS: '100',
        MAIL_SWEEP_INTERVAL_MS: '500',
        IMPORT_CHUNK_SIZE: '10',
        IMPORT_LEASE_SECONDS: '3',
        IMPORT_SWEEP_INTERVAL_MS: '500',
      };
    });
    afterAll(async () => {
      await Promise.all(services.map((s) => s.stop()));
      await smtp?.stop();
      await redis?.stop();
    });

    async function start(): Promise<ServiceProcess> {
      const service = await startService((await build).main, { ...env, ROLE: 'all' });
      services.push(service);
      return service;
    }

    it('during an import with emails pending: exits 0 within seconds saying why; restarted, the import completes and every email goes out once', async () => {
      let service = await start();
      const call = async (method: string, path: string, body?: string, type = 'application/json') => {
        const res = await fetch(`${service.baseUrl}${path}`, { method, headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': type }, body });
        const text = await res.text();
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
        return JSON.parse(text);
      };
      const ws = (await call('POST', '/v1/workspaces', JSON.stringify({ name: unique('sigterm') }))).id as string;
      const pool = (await call('POST', `/v1/workspaces/${ws}/pools`, JSON.stringify({ name: 'Migrated' }))).id as string;
      const tag = `sigterm-${randomBytes(3).toString('hex')}`;
      const total = 200;
      const imports = `/v1/workspaces/${ws}/pools/${pool}/imports`;
      // Slow SMTP keeps invitation emails pending when the signal comes.
      smtp.delayMs = 100;
      const queued = (await call('POST', `${imports}?sendInvitations=true`, ndjson(tag, total), 'application/x-ndjson')) as ImportJob;
      const job = async () => (await call('GET', `${imports}/${queued.id}`)) as ImportJob;
      const seen = await eventually(async () => {
        const current = await job();
        expect(current.processed).toBeGreaterThanOrEqual(40);
        return current;
      }, 30_000, 20);
      expect(seen.status).toBe('running');

      const sent = Date.now();
      await service.kill('SIGTERM');
      const exit = await service.exited;
      const tookMs = Date.now() - sent;
      const db = { databaseUrl: env.DATABASE_URL } as TestApp;
      const [atStop] = await sql<{ processed: number; status: string }>(db, `SELECT processed, status FROM import_jobs WHERE id = $1`, [queued.id]);
      const [{ unsent }] = await sql<{ unsent: number }>(db, `SELECT count(*)::int AS unsent FROM mail_outbox WHERE status <> 'sent'`);
      expect({ exit, atStop: atStop.processed < total, unsent: unsent > 0 }).toEqual({ exit: { code: 0, signal: null }, atStop: true, unsent: true });
      expect(tookMs).toBeLessThan(5000);
      expect(service.output()).toMatch(/"msg":"SIGTERM received[^"]*"/);
      // A stop is not a failure: no job in flight lost its database or its queue on the way out.
      const failures = service.output().split('\n').filter((line) => /"level":(40|50)/.test(line) && /attempt failed|pool was closed|Connection terminated|Connection is closed/i.test(line));
      expect(failures).toEqual([]);

      smtp.delayMs = 0;
      service = await start();
      await expectImportDeliveredOnce(job, db, pool, smtp, tag, total);
    }, 90_000);

    it('after a Redis restart: exits 0 within seconds, its workers closed', async () => {
      const service = await start();
      await redis.shutdownNoSave();
      await new Promise((r) => setTimeout(r, 1500));
      await redis.start();
      // Back in service: readiness sees Redis again, so the workers have reconnected too.
      await eventually(async () => expect((await fetch(`${service.baseUrl}/health/ready`)).status).toBe(200), 15_000, 100);
      await new Promise((r) => setTimeout(r, 1000));

      const sent = Date.now();
      await service.kill('SIGTERM');
      const exit = await service.exited;
      expect({ exit, tookMs: Date.now() - sent < 5000 }).toEqual({ exit: { code: 0, signal: null }, tookMs: true });
      expect(service.output()).not.toMatch(/Shutdown did not finish/);
    }, 60_000);
  });
});
