import * as bcrypt from 'bcryptjs';
import { execFileSync } from 'node:child_process';
import { pbkdf2Sync, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { Client } from 'pg';
import request from 'supertest';
import { connectPool, createPool, createWorkspace, ImportJob as Job, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { PrivateBuild, PrivateRedis, privateBuild, ServiceProcess, startPrivateRedis, startService } from '../support/service-processes';
import { cloneDatabase, ROOT_KEY, startTestApp, TestApp } from '../support/test-app';
import { ImportRunner, MAX_RUNS_FROM_CHECKPOINT } from '../../src/imports/import-runner';
import { ImportJobsRepository } from '../../src/imports/import-jobs.repository';
import { databaseUrl } from '../support/databases';

/**
 * Bulk migration under faults, with real processes: the api and the worker roles run as
 * separate `node` processes on one database and a private Redis, so a worker can be
 * SIGKILLed and Redis shut down or flushed while an import runs. Every import must still
 * end with exact counts and without a duplicate user.
 */

const CHUNK = 200;
const TOTAL = 20_000;
const PASSWORD = 'correct horse battery staple';
/** A cheap bcrypt hash (cost 4) shared by the bulk records: verifying is not what these tests measure. */
const BULK_HASH = bcrypt.hashSync('bulk records password', 4);

type Kind = 'valid' | 'broken' | 'invalid' | 'duplicate';

/** Line i (1-based) of a dataset: 2 % broken JSON, 3 % invalid records, 2 % repeats of an earlier email (other case), the rest new users. */
function kindOf(i: number): Kind {
  if (i % 50 === 0) return 'broken';
  if (i % 20 === 0) return 'invalid';
  if (i % 25 === 0 && kindOf(i - 7) === 'valid') return 'duplicate';
  return 'valid';
}

const groupsOf = (i: number) => (i % 3 === 0 ? ['Alpha', 'Beta'] : ['Alpha']);

function line(tag: string, i: number): string {
  switch (kindOf(i)) {
    case 'broken':
      return `{"email": "${tag}-${i}@example.com"`;
    case 'invalid':
      return JSON.stringify({ email: `not-an-email-${i}`, givenName: 'Bad' });
    case 'duplicate':
      return JSON.stringify({ email: `${tag.toUpperCase()}-${i - 7}@Example.COM`, givenName: `Again ${i}` });
    case 'valid':
      return JSON.stringify({
        email: `${tag}-${i}@example.com`,
        givenName: `User ${i}`,
        ...(i % 2 === 1 && { externalId: `${tag}-ext-${i}` }),
        ...(i % 10 === 1 && { passwordHash: BULK_HASH }),
        groups: groupsOf(i),
      });
  }
}

function ndjson(tag: string, total = TOTAL): string {
  let body = '';
  for (let i = 1; i <= total; i++) body += `${line(tag, i)}\n`;
  return body;
}

/** What importing the first `lines` lines must give, by onConflict. */
function expected(lines: number, onConflict: 'skip' | 'update') {
  const counts = { processed: lines, created: 0, updated: 0, skipped: 0, failed: 0, memberships: 0 };
  for (let i = 1; i <= lines; i++) {
    const kind = kindOf(i);
    if (kind === 'valid') {
      counts.created += 1;
      counts.memberships += groupsOf(i).length;
    } else if (kind === 'duplicate') counts[onConflict === 'skip' ? 'skipped' : 'updated'] += 1;
    else counts.failed += 1;
  }
  return counts;
}


/** Polls an import (by its URL) until it has ended: completed, failed or cancelled. */
function ended(t: TestApp, jobPath: string): Promise<Job> {
  return eventually(async () => {
    const res = await t.root('get', jobPath).expect(200);
    expect(['completed', 'failed', 'cancelled']).toContain(res.body.status);
    return res.body as Job;
  }, 60_000);
}

describe('bulk migration under faults (separate api and worker processes)', () => {
  let build: PrivateBuild;
  let redis: PrivateRedis;
  let dbUrl: string;
  let api: ServiceProcess;
  let worker: ServiceProcess;
  const services: ServiceProcess[] = [];
  let t: TestApp;
  let ws: string;

  const env = () => ({
    NODE_ENV: 'test',
    LOG_LEVEL: 'info',
    ROOT_API_KEY: ROOT_KEY,
    DATABASE_URL: dbUrl,
    REDIS_URL: redis.url,
    IMPORT_CHUNK_SIZE: String(CHUNK),
    IMPORT_LEASE_SECONDS: '3',
    IMPORT_SWEEP_INTERVAL_MS: '500',
  });

  async function start(role: 'api' | 'worker'): Promise<ServiceProcess> {
    const service = await startService(build.main, { ...env(), ROLE: role });
    services.push(service);
    return service;
  }

  beforeAll(async () => {
    [build, redis, dbUrl] = await Promise.all([privateBuild(), startPrivateRedis(), cloneDatabase().then(databaseUrl)]);
    [api, worker] = await Promise.all([start('api'), start('worker')]);
    const root = (method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => request(api.baseUrl)[method](path).set('Authorization', `Bearer ${ROOT_KEY}`);
    t = { root, databaseUrl: dbUrl, baseUrl: api.baseUrl } as unknown as TestApp;
    ws = (await createWorkspace(t)).id;
  }, 300_000);

  afterAll(async () => {
    await Promise.all(services.map((s) => s.stop()));
    await redis?.stop();
    build?.remove();
  }, 60_000);

  async function sql<R = Record<string, unknown>>(text: string, params: unknown[] = []): Promise<R[]> {
    const client = new Client({ connectionString: dbUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as R[];
    } finally {
      await client.end();
    }
  }

  const imports = (workspaceId: string, poolId: string) => `/v1/workspaces/${workspaceId}/pools/${poolId}/imports`;

  async function upload(workspaceId: string, poolId: string, body: string, query: Record<string, string> = {}): Promise<Job> {
    const res = await t.root('post', imports(workspaceId, poolId)).query(query).set('content-type', 'application/x-ndjson').send(body).expect(202);
    return res.body;
  }

  async function job(workspaceId: string, poolId: string, id: string): Promise<Job> {
    return (await t.root('get', `${imports(workspaceId, poolId)}/${id}`).expect(200)).body;
  }

  /** Polls (every 20 ms) until `done` holds for the job; returns that job. */
  async function until(workspaceId: string, poolId: string, id: string, done: (job: Job) => boolean, timeoutMs: number): Promise<Job> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const current = await job(workspaceId, poolId, id);
      if (done(current)) return current;
      if (Date.now() > deadline) throw new Error(`timed out; the job is ${JSON.stringify(current)}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  const over = (j: Job) => ['completed', 'failed', 'cancelled'].includes(j.status);

  /** Exact counts, one user per email, users and memberships as the dataset says. */
  async function expectExact(poolId: string, final: Job, want: ReturnType<typeof expected>) {
    expect(final).toMatchObject({ total: TOTAL, processed: want.processed, created: want.created, updated: want.updated, skipped: want.skipped, failed: want.failed });
    expect(final.created + final.updated + final.skipped + final.failed).toBe(final.processed);
    const dupes = await sql(`SELECT lower(email) AS email, count(*)::int AS n FROM users WHERE pool_id = $1 GROUP BY 1 HAVING count(*) > 1`, [poolId]);
    expect(dupes).toEqual([]);
    const [{ users, members, errors }] = await sql<{ users: number; members: number; errors: number }>(
      `SELECT (SELECT count(*)::int FROM users WHERE pool_id = $1) AS users,
              (SELECT count(*)::int FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.pool_id = $1) AS members,
              (SELECT count(*)::int FROM import_errors WHERE job_id = $2) AS errors`,
      [poolId, final.id],
    );
    expect({ users, members, errors }).toEqual({ users: want.created, members: want.memberships, errors: want.failed });
  }

  async function stagedLines(jobId: string): Promise<number> {
    return eventually(async () => {
      const [{ n }] = await sql<{ n: number }>(`SELECT count(*)::int AS n FROM import_lines WHERE job_id = $1`, [jobId]);
      expect(n).toBe(0);
      return n;
    }, 10_000);
  }

  it('resumes after the worker is SIGKILLed mid-job, with exact counts and no duplicate user', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = await upload(ws, pool, ndjson('kill'), { onConflict: 'update' });
    expect(queued).toMatchObject({ status: 'queued', total: TOTAL });

    const seen = await until(ws, pool, queued.id, (j) => j.processed >= TOTAL * 0.1 || over(j), 60_000);
    await worker.kill('SIGKILL');
    const atKill = await job(ws, pool, queued.id);
    // The kill landed mid-job: past 10 %, not past 90 % (a chunk may have committed as it died).
    expect(seen.status).toBe('running');
    expect(atKill.processed).toBeGreaterThanOrEqual(TOTAL * 0.1);
    expect(atKill.processed).toBeLessThanOrEqual(TOTAL * 0.9);
    expect(atKill.processed % CHUNK).toBe(0);

    worker = await start('worker');
    // Taken over once the dead worker's lease (3 s) runs out, not when BullMQ notices the stalled job (a minute).
    const restarted = Date.now();
    await until(ws, pool, queued.id, (j) => j.processed > atKill.processed || over(j), 20_000);
    expect(Date.now() - restarted).toBeLessThan(20_000);
    const final = await until(ws, pool, queued.id, over, 150_000);
    expect(final.status).toBe('completed');
    await expectExact(pool, final, expected(TOTAL, 'update'));
    await stagedLines(final.id);
  }, 240_000);

  it('a second kill of the worker of the same import still resumes it', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = await upload(ws, pool, ndjson('twice'));
    for (const share of [0.1, 0.4]) {
      await until(ws, pool, queued.id, (j) => j.processed >= TOTAL * share || over(j), 150_000);
      await worker.kill('SIGKILL');
      const atKill = await job(ws, pool, queued.id);
      expect(atKill.status).toBe('running');
      expect(atKill.processed).toBeLessThan(TOTAL);
      worker = await start('worker');
    }
    const final = await until(ws, pool, queued.id, over, 150_000);
    expect(final.status).toBe('completed');
    await expectExact(pool, final, expected(TOTAL, 'skip'));
  }, 360_000);

  it('completes with exact counts when Redis is shut down (NOSAVE) and restarted mid-job', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = await upload(ws, pool, ndjson('restart'));
    await until(ws, pool, queued.id, (j) => j.processed >= TOTAL * 0.1 || over(j), 60_000);
    await redis.shutdownNoSave();
    const during = await job(ws, pool, queued.id);
    expect(during.processed).toBeLessThan(TOTAL);
    await new Promise((r) => setTimeout(r, 1000));
    await redis.start();
    const final = await until(ws, pool, queued.id, over, 120_000);
    expect(final.status).toBe('completed');
    await expectExact(pool, final, expected(TOTAL, 'skip'));
    await stagedLines(final.id);
  }, 180_000);

  it('completes with exact counts when Redis is flushed (FLUSHALL) mid-job', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = await upload(ws, pool, ndjson('flush'));
    await until(ws, pool, queued.id, (j) => j.processed >= TOTAL * 0.1 || over(j), 60_000);
    expect(await redis.command('FLUSHALL')).toBe('OK');
    const during = await job(ws, pool, queued.id);
    expect(during.processed).toBeLessThan(TOTAL);
    const final = await until(ws, pool, queued.id, over, 120_000);
    expect(final.status).toBe('completed');
    await expectExact(pool, final, expected(TOTAL, 'skip'));
  }, 180_000);

  it('an upload made while Redis is down is answered, and imported once Redis is back (the sweeper queues it)', async () => {
    const pool = (await createPool(t, ws)).id;
    await redis.shutdownNoSave();
    let answeredAfter = Infinity;
    try {
      const started = Date.now();
      const res = await t.root('post', imports(ws, pool)).set('content-type', 'application/x-ndjson').send(ndjson('offline', 2_000)).timeout(20_000);
      answeredAfter = Date.now() - started;
      expect(res.status).toBe(202);
      expect(res.body).toMatchObject({ status: 'queued', total: 2_000 });
    } finally {
      await redis.start();
    }
    expect(answeredAfter).toBeLessThan(10_000);
    const [{ id }] = await sql<{ id: string }>(`SELECT id FROM import_jobs WHERE pool_id = $1`, [pool]);
    const final = await until(ws, pool, id, over, 60_000);
    const { memberships, ...counts } = expected(2_000, 'skip');
    expect(final).toMatchObject({ status: 'completed', total: 2_000, ...counts });
    expect(memberships).toBeGreaterThan(0);
  }, 120_000);

  it('cancel stops a running import at the next chunk; what was committed stays, counts consistent', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = await upload(ws, pool, ndjson('cancel'));
    await until(ws, pool, queued.id, (j) => j.processed >= TOTAL * 0.1 || over(j), 60_000);
    const res = await t.root('post', `${imports(ws, pool)}/${queued.id}/cancel`).expect(202);
    expect(['running', 'cancelled']).toContain(res.body.status);
    // Still running until its chunk ends: the answer says a cancel is under way.
    expect(res.body.cancelRequested).toBe(true);
    const final = await until(ws, pool, queued.id, over, 30_000);
    expect(final).toMatchObject({ status: 'cancelled', cancelRequested: true });
    expect(final.processed).toBeLessThan(TOTAL);
    expect(final.processed % CHUNK).toBe(0);
    expect(final.finishedAt).not.toBeNull();
    await expectExact(pool, final, expected(final.processed, 'skip'));
    await stagedLines(final.id);
    // Nothing moves after the cancel.
    await new Promise((r) => setTimeout(r, 1500));
    expect(await job(ws, pool, queued.id)).toEqual(final);
    // A cancelled import cannot be cancelled again, or resumed.
    await t.root('post', `${imports(ws, pool)}/${queued.id}/cancel`).expect(202);
    expect((await job(ws, pool, queued.id)).status).toBe('cancelled');
  }, 120_000);

  it('imported legacy hashes and plaintext passwords sign in with the password grant and are upgraded to argon2id', async () => {
    const pool = (await createPool(t, ws)).id;
    const tag = unique('legacy');
    const salt = randomBytes(16);
    const ab64 = (bytes: Buffer) => bytes.toString('base64').replace(/=+$/, '').replace(/\+/g, '.');
    const hashes: Record<string, string> = {
      bcrypt: bcrypt.hashSync(PASSWORD, 10),
      pbkdf2: `$pbkdf2-sha256$29000$${ab64(salt)}$${ab64(pbkdf2Sync(PASSWORD, salt, 29000, 32, 'sha256'))}`,
      shacrypt: execFileSync('openssl', ['passwd', '-6', PASSWORD]).toString().trim(),
    };
    expect(hashes.shacrypt).toMatch(/^\$6\$/);
    const email = (kind: string) => `${tag}-${kind}@example.com`;
    const records = [
      ...Object.entries(hashes).map(([kind, passwordHash]) => ({ email: email(kind), passwordHash })),
      { email: email('plain'), password: PASSWORD },
    ];
    const queued = await upload(ws, pool, records.map((r) => JSON.stringify(r)).join('\n'));
    const final = await until(ws, pool, queued.id, over, 60_000);
    expect(final).toMatchObject({ status: 'completed', created: 4, failed: 0 });

    const stored = async (kind: string) =>
      (await sql<{ hash: string }>(`SELECT c.password_hash AS hash FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.pool_id = $1 AND u.email = $2`, [pool, email(kind)]))[0]?.hash;
    for (const [kind, hash] of Object.entries(hashes)) expect(await stored(kind)).toBe(hash);
    expect(await stored('plain')).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);

    await connectPool(t, ws, pool);
    const app = (
      await t
        .root('post', `/v1/workspaces/${ws}/applications`)
        .send({ name: unique('app'), redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['authorization_code', 'password'], tokenEndpointAuthMethod: 'client_secret_basic' })
        .expect(201)
    ).body as { clientId: string; clientSecret: string };
    const config = await oidc.discovery(new URL(`${api.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
      execute: [oidc.allowInsecureRequests],
    });

    for (const kind of [...Object.keys(hashes), 'plain']) {
      const refused = await oidc.genericGrantRequest(config, 'password', { username: email(kind), password: 'not the password', scope: 'openid' }).then(
        () => null,
        (error: oidc.ResponseBodyError) => error.error,
      );
      expect(refused).toBe('invalid_grant');
      const before = await stored(kind);
      const tokens = await oidc.genericGrantRequest(config, 'password', { username: email(kind), password: PASSWORD, scope: 'openid email' });
      expect(tokens.access_token).toEqual(expect.any(String));
      expect(tokens.claims()?.email).toBe(email(kind));
      const after = await stored(kind);
      expect(after).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
      if (kind === 'plain') expect(after).toBe(before);
      else expect(after).not.toBe(before);
      // The upgraded hash verifies too.
      await oidc.genericGrantRequest(config, 'password', { username: email(kind), password: PASSWORD, scope: 'openid' });
    }
    await stagedLines(final.id);
  }, 120_000);

  it('runs at most two imports of a workspace at once; a third waits queued until one finishes', async () => {
    const second = await start('worker'); // four worker slots: only the workspace cap can hold the third back
    try {
      const workspace = (await createWorkspace(t)).id;
      const pools = await Promise.all([0, 1, 2].map(() => createPool(t, workspace).then((p) => p.id)));
      const jobs = await Promise.all(pools.map((pool, i) => upload(workspace, pool, ndjson(`cap${i}`))));
      let maxRunning = 0;
      let sawThirdWaiting = false;
      for (const deadline = Date.now() + 180_000; ; ) {
        const states = await Promise.all(jobs.map((j, i) => job(workspace, pools[i], j.id)));
        const running = states.filter((s) => s.status === 'running').length;
        maxRunning = Math.max(maxRunning, running);
        if (running === 2 && states.some((s) => s.status === 'queued')) sawThirdWaiting = true;
        if (states.every(over)) break;
        if (Date.now() > deadline) throw new Error(`timed out: ${JSON.stringify(states)}`);
        await new Promise((r) => setTimeout(r, 20));
      }
      const finals = await Promise.all(jobs.map((j, i) => job(workspace, pools[i], j.id)));
      expect(maxRunning).toBe(2);
      expect(sawThirdWaiting).toBe(true);
      const byStart = [...finals].sort((a, b) => Date.parse(a.startedAt!) - Date.parse(b.startedAt!));
      expect(Date.parse(byStart[2].startedAt!)).toBeGreaterThanOrEqual(Math.min(Date.parse(byStart[0].finishedAt!), Date.parse(byStart[1].finishedAt!)));
      for (const [i, final] of finals.entries()) {
        expect(final.status).toBe('completed');
        await expectExact(pools[i], final, expected(TOTAL, 'skip'));
      }
    } finally {
      await second.stop();
    }
  }, 300_000);
});

describe('bulk migration: concurrency inside one worker process', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ IMPORT_CHUNK_SIZE: '50' });
  });
  afterAll(() => t.close());

  it('runs it once: a second run in the same process finds it held (no chunk counted twice)', async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    const base = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const body = ndjson('twice-in-one', 2_000);
    const until = (id: string) => ended(t, `${base}/${id}`);
    await until((await t.root('post', base).set('content-type', 'application/x-ndjson').send(body).expect(202)).body.id);

    // Again: every record is now skipped, so nothing but the counters would show a chunk done twice.
    const again = (await t.root('post', base).set('content-type', 'application/x-ndjson').send(body).expect(202)).body as Job;
    const runner = t.app.get(ImportRunner, { strict: false });
    // Beside the queue's own run, as when Redis re-delivers a job the process is still running.
    const direct = await Promise.all([runner.run(again.id), runner.run(again.id)]);
    expect(direct.every((r) => r === 'finished' || r === 'held')).toBe(true);
    const final = await until(again.id);
    const { memberships, ...counts } = expected(2_000, 'skip');
    expect(final).toMatchObject({ status: 'completed', total: 2_000, processed: 2_000, created: 0, skipped: counts.created + counts.skipped, failed: counts.failed });
    expect(memberships).toBeGreaterThan(0);
  }, 120_000);

  it(`fails an import once ${MAX_RUNS_FROM_CHECKPOINT} runs in a row stopped at the same point, instead of handing it to worker after worker`, async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    const base = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = (await t.root('post', base).set('content-type', 'application/x-ndjson').send(ndjson('stall', 100)).expect(202)).body as Job;
    await ended(t, `${base}/${job.id}`);
    const runner = t.app.get(ImportRunner, { strict: false });
    // As a worker that died holding the job leaves it: running, its lease run out, the checkpoint where it stopped.
    const dieHoldingIt = () => sql(t, `UPDATE import_jobs SET status = 'running', finished_at = NULL, lease_owner = 'dead-worker', lease_until = now() - interval '1 second' WHERE id = $1`, [job.id]);
    const state = async () => (await sql<{ status: string; runs: number; error: string | null }>(t, `SELECT status, runs_from_checkpoint AS runs, error FROM import_jobs WHERE id = $1`, [job.id]))[0];
    // The first run started from line 0 and got to the end, line 100: the count starts again there.
    for (let run = 1; run <= MAX_RUNS_FROM_CHECKPOINT; run++) {
      await dieHoldingIt();
      await runner.run(job.id);
      expect(await state()).toMatchObject({ status: 'completed', runs: run });
    }
    await dieHoldingIt();
    expect(await runner.run(job.id)).toBe('finished');
    const failed = (await t.root('get', `${base}/${job.id}`).expect(200)).body;
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringMatching(/stopped 5 times in a row after line 100 /), finishedAt: expect.any(String) });
    // Over for good: the sweeper and the queue leave it alone.
    expect(await runner.run(job.id)).toBe('finished');
    expect((await state()).status).toBe('failed');
  }, 60_000);

  it('does not count runs handed back (their process stopping, or their attempt retried): restarts never fail an import', async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    const base = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = (await t.root('post', base).set('content-type', 'application/x-ndjson').send(ndjson('handed-back', 100)).expect(202)).body as Job;
    await ended(t, `${base}/${job.id}`);
    // As the last of five runs from one checkpoint leaves it when its process stops: handed back, not dead.
    await sql(
      t,
      `UPDATE import_jobs SET status = 'running', finished_at = NULL, lease_owner = 'stopping-worker', lease_until = now() + interval '1 minute',
              run_from = checkpoint, runs_from_checkpoint = $2 WHERE id = $1`,
      [job.id, MAX_RUNS_FROM_CHECKPOINT],
    );
    await t.app.get(ImportJobsRepository, { strict: false }).releaseLease(job.id, 'stopping-worker');
    // The next run is not the sixth in a row to die there: the import goes on (here, to its end).
    expect(['finished', 'held']).toContain(await t.app.get(ImportRunner, { strict: false }).run(job.id));
    expect(await ended(t, `${base}/${job.id}`)).toMatchObject({ status: 'completed', error: null });
  }, 60_000);

  /**
   * Chunks are written two at a time (the next beside the one ahead, committing after it).
   * Here every even line past the first chunk repeats the email of a user the chunk just
   * ahead creates, so the two transactions collide all the time; the outcome must be the
   * one of chunks written one after the other: each repeat updates (or skips) the user
   * its chunk-mate created, and the last value wins.
   */
  it.each(['update', 'skip'] as const)('chunks written side by side give what one-by-one gives (onConflict %s)', async (onConflict) => {
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    const base = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const CHUNK_LINES = 50;
    const LINES = 2_000;
    const repeats = (j: number) => j > CHUNK_LINES && j % 2 === 0;
    const body = Array.from({ length: LINES }, (_, k) => {
      const j = k + 1;
      const owner = repeats(j) ? j - CHUNK_LINES + 1 : j;
      return JSON.stringify({ email: `side-${owner}@example.com`, givenName: `v${j}`, groups: [`g${j % 3}`] });
    }).join('\n');
    const job = (await t.root('post', base).query({ onConflict }).set('content-type', 'application/x-ndjson').send(body).expect(202)).body as Job;
    const final = await ended(t, `${base}/${job.id}`);
    const repeated = Array.from({ length: LINES }, (_, k) => k + 1).filter(repeats).length;
    expect(final).toMatchObject({
      status: 'completed',
      processed: LINES,
      created: LINES - repeated,
      updated: onConflict === 'update' ? repeated : 0,
      skipped: onConflict === 'skip' ? repeated : 0,
      failed: 0,
    });
    const users = await sql<{ email: string; given_name: string; groups: number }>(
      t,
      `SELECT u.email, u.given_name, (SELECT count(*)::int FROM group_members m WHERE m.user_id = u.id) AS groups FROM users u WHERE u.pool_id = $1`,
      [pool],
    );
    expect(users).toHaveLength(LINES - repeated);
    const wrong = users.filter(({ email, given_name, groups }) => {
      const owner = Number(/side-(\d+)@/.exec(email)![1]);
      const repeatLine = owner + CHUNK_LINES - 1;
      const repeatedBy = owner % 2 === 1 && repeatLine <= LINES && repeats(repeatLine) ? repeatLine : null;
      const last = onConflict === 'update' && repeatedBy ? repeatedBy : owner;
      const groupCount = onConflict === 'update' && repeatedBy && repeatedBy % 3 !== owner % 3 ? 2 : 1;
      return given_name !== `v${last}` || groups !== groupCount;
    });
    expect(wrong).toEqual([]);
  }, 120_000);

  /**
   * Adjacent chunks that share no key may be written side by side, yet touch the same
   * existing user: chunk k sets the familyName of users it finds by externalId, chunk
   * k + 1 the givenName of the same users found by email. Written one after the other,
   * each user ends with both; a chunk that planned its update on what it read before the
   * chunk ahead committed would put the old familyName back.
   */
  it('a chunk that updates users the chunk ahead of it is updating plans on what that one committed', async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    const base = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const HALF = 25; // a chunk of 50 lines: 25 by externalId, then 25 by email
    const CHUNKS = 40;
    const finished = (id: string) => ended(t, `${base}/${id}`);
    const users = HALF * (CHUNKS + 1);
    const mobile = (u: number) => `+1415555${String(u).padStart(4, '0')}`;
    const seed = Array.from({ length: users }, (_, u) => JSON.stringify({ externalId: `crm-${u}`, email: `both-${u}@example.com`, mobile: mobile(u), givenName: 'orig', familyName: 'orig' })).join('\n');
    expect(await finished((await t.root('post', base).set('content-type', 'application/x-ndjson').send(seed).expect(202)).body.id)).toMatchObject({ created: users });

    const lines: string[] = [];
    for (let k = 1; k <= CHUNKS; k++) {
      for (let q = 0; q < HALF; q++) lines.push(JSON.stringify({ externalId: `crm-${HALF * k + q}`, mobile: mobile(HALF * k + q), familyName: `fam${lines.length + 1}` }));
      for (let q = 0; q < HALF; q++) lines.push(JSON.stringify({ email: `both-${HALF * (k - 1) + q}@example.com`, givenName: `giv${lines.length + 1}` }));
    }
    const job = await finished((await t.root('post', base).query({ onConflict: 'update' }).set('content-type', 'application/x-ndjson').send(lines.join('\n')).expect(202)).body.id);
    expect(job).toMatchObject({ status: 'completed', processed: lines.length, updated: lines.length, created: 0, failed: 0 });

    const rows = await sql<{ external_id: string; given_name: string; family_name: string }>(t, `SELECT external_id, given_name, family_name FROM users WHERE pool_id = $1`, [pool]);
    const wrong = rows.filter(({ external_id, given_name, family_name }) => {
      const u = Number(external_id.slice('crm-'.length));
      const k = Math.floor(u / HALF);
      const q = u % HALF;
      const family = k >= 1 && k <= CHUNKS ? `fam${(k - 1) * 2 * HALF + q + 1}` : 'orig';
      const given = k < CHUNKS ? `giv${k * 2 * HALF + HALF + q + 1}` : 'orig';
      return given_name !== given || family_name !== family;
    });
    expect(rows).toHaveLength(users);
    expect(wrong).toEqual([]);
  }, 120_000);
});
