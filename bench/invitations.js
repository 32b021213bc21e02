#!/usr/bin/env node
'use strict';
/**
 * Benchmark: invitation emails end to end (API → outbox → BullMQ → compose → SMTP) vs
 * nodemailer sending straight to the same SMTP sink.
 *
 *   npm run bench:invitations          (= node bench/invitations.js)
 *
 * 1. Builds the current source into a private folder (bench/lib buildPrivate: dist/ is left
 *    alone for whoever runs servers from it; BENCH_SKIP_BUILD=1 uses dist/ instead).
 * 2. Starts an SMTP sink (smtp-server) in this process on 127.0.0.1: it counts messages and
 *    bytes and notes each envelope recipient, without parsing bodies.
 * 3. Starts the service (ROLE all; BENCH_SPLIT=1: api + worker processes) with SMTP_URL pointing at the sink, a fresh database
 *    ip_bench_invite_<timestamp>, ROOT_API_KEY, LOG_LEVEL=warn. Creates a workspace and a pool.
 * 4. Warm-up: BENCH_WARMUP (300) invited users, waits for their emails.
 * 5. Measured: BENCH_USERS (10,000) invited users, POST .../users with
 *    `credential: {mode: "invitation"}` and a unique email each, BENCH_CONCURRENCY (24)
 *    keep-alive connections (BENCH_VIA=import: one POST .../imports, JSON, with all of
 *    them and `sendInvitations: true`, the API's bulk path; it waits for the job to
 *    complete and counts its `created`); the clock runs from the first POST until the sink holds an
 *    email for every created user. Then it checks: exactly one email per user (no loss, no
 *    duplicate, nothing else), every outbox row `sent` at its first attempt, every
 *    invitation `sent` with a token hash.
 * 6. Stops the service. Raw: in this process, nodemailer with the service's SMTP_POOL
 *    settings (imported from the build) sends the same number of messages, rendered by the
 *    service's own template code at the size of the real ones, with as many in flight as
 *    the mail worker's concurrency (MAIL_CONCURRENCY, imported too), to the same sink; same
 *    clock: first send until the sink has them all.
 * 7. Goals: end-to-end ≥ 500 emails/s and ≥ 0.8 × raw emails/s. Prints each figure against
 *    its limit (value/limit, PASS/FAIL), writes JSON to bench/results/, drops the database
 *    and the run's Redis keys (ip:{<database>}:*). Exit 0 when every goal passes, 1 when one
 *    fails, 2 on error.
 *
 * Before each measured phase it waits (≤ BENCH_QUIET_TIMEOUT, 90 s) for the machine to be idle, and it records
 * the CPU used by the service, PostgreSQL, this process (client + sink) and anything else.
 *
 * Env: BENCH_USERS (10000), BENCH_CONCURRENCY (24), BENCH_WARMUP (300), BENCH_KEEP_DB=1,
 *      BENCH_QUIET_TIMEOUT (s, 90: the longest wait for an idle machine before each phase),
 *      BENCH_SKIP_BUILD=1, BENCH_APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`),
 *      BENCH_APP_ENV='{"KEY":"value"}' (extra env for the service, for experiments),
 *      BENCH_SPLIT=1 (the service as a ROLE=api and a ROLE=worker process instead of one ROLE=all),
 *      BENCH_VIA=users|import (users: one POST per user, the default; import: one bulk import).
 */
const { spawn } = require('node:child_process');
const http = require('node:http');
const path = require('node:path');
const crypto = require('node:crypto');
const IORedis = require('ioredis');
const { createTransport } = require('nodemailer');
const { SMTPServer } = require('smtp-server');
const { ROOT, ROOT_API_KEY, apiClient, buildPrivate, databaseUrl, dropDatabase, log, machine, percentile, pgClient, processTicks, sleep, stamp, startApp, waitQuiet, withCleanup, withCpu, writeResults } = require('./lib');

const USERS = Number(process.env.BENCH_USERS || 10_000);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 24);
const WARMUP = Number(process.env.BENCH_WARMUP || 300);
const APP_ENV = JSON.parse(process.env.BENCH_APP_ENV || '{}');
/** BENCH_SPLIT=1: the service as two processes, ROLE=api and ROLE=worker, instead of one ROLE=all. */
const SPLIT = process.env.BENCH_SPLIT === '1';
/** How the measured users are created: one POST .../users each, or one POST .../imports with all of them. */
const VIA = process.env.BENCH_VIA || 'users';
if (!['users', 'import'].includes(VIA)) throw new Error(`BENCH_VIA must be users or import, not ${VIA}`);
const REDIS_URL = process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379';
/** No new email for this long while some are missing: stop waiting, the run fails. */
const STALL_MS = 90_000;
/** How long to wait for the machine to go idle before each measured phase (lib waitQuiet). */
const QUIET_TIMEOUT_MS = Number(process.env.BENCH_QUIET_TIMEOUT || 90) * 1000;
const GOALS = { emailsPerSecond: 500, ratioToRaw: 0.8 };
const WORKSPACE_NAME = 'Bench Workspace';
const POOL_NAME = 'Bench Customers';
const MAIL_FROM = 'Identity Pools <no-reply@localhost>';

/**
 * SMTP sink: notes the envelope recipients of each message (first arrival time, count) and
 * its size; bodies are only counted, never parsed, so the sink stays cheap.
 */
class Sink {
  constructor() {
    this.reset();
  }

  reset() {
    /** recipient → { n, at } (at: ms since `origin` of its first arrival) */
    this.recipients = new Map();
    this.messages = 0;
    this.bytes = 0;
    this.lastAt = 0;
    this.origin = process.hrtime.bigint();
  }

  now() {
    return Number(process.hrtime.bigint() - this.origin) / 1e6;
  }

  async start() {
    this.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      onData: (stream, session, callback) => {
        let bytes = 0;
        stream.on('data', (chunk) => (bytes += chunk.length));
        stream.on('end', () => {
          const at = this.now();
          this.messages++;
          this.bytes += bytes;
          this.lastAt = at;
          for (const { address } of session.envelope.rcptTo) {
            const seen = this.recipients.get(address);
            if (seen) seen.n++;
            else this.recipients.set(address, { n: 1, at });
          }
          callback();
        });
      },
    });
    await new Promise((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `smtp://127.0.0.1:${this.server.server.address().port}`;
    return this;
  }

  /** Resolves once every address in `expected` arrived, or when nothing arrives for STALL_MS. */
  async waitAll(expected) {
    let lastProgress = Date.now();
    let lastCount = -1;
    for (;;) {
      let have = 0;
      for (const address of expected) if (this.recipients.has(address)) have++;
      if (have === expected.size) return { complete: true, have };
      if (have !== lastCount) {
        lastCount = have;
        lastProgress = Date.now();
      } else if (Date.now() - lastProgress > STALL_MS) {
        return { complete: false, have };
      }
      await sleep(20);
    }
  }

  /** Checks the sink against the expected recipients: one message each, nothing else. */
  verify(expected) {
    let missing = 0;
    let duplicated = 0;
    let extraMessages = 0;
    let lastArrival = 0;
    for (const address of expected) {
      const seen = this.recipients.get(address);
      if (!seen) missing++;
      else {
        if (seen.n > 1) duplicated++;
        lastArrival = Math.max(lastArrival, seen.at);
      }
    }
    for (const [address, seen] of this.recipients) if (!expected.has(address)) extraMessages += seen.n;
    const distinct = expected.size - missing;
    return {
      expected: expected.size,
      messages: this.messages,
      distinctRecipients: distinct,
      missing,
      duplicated,
      extraMessages,
      ok: missing === 0 && duplicated === 0 && extraMessages === 0 && this.messages === expected.size,
      avgBytes: this.messages ? Math.round(this.bytes / this.messages) : 0,
      lastArrivalMs: lastArrival,
    };
  }

  stop() {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** POSTs `emails` as invited users at `concurrency` keep-alive connections; latencies, statuses. */
async function createInvitedUsers({ base, poolPath, emails, concurrency, onFirst, answered = { n: 0 } }) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const headers = { authorization: `Bearer ${ROOT_API_KEY}`, 'content-type': 'application/json' };
  const latencies = [];
  const statuses = {};
  const created = new Set();
  let firstError = null;
  let next = 0;
  const post = (email) =>
    new Promise((resolve, reject) => {
      const body = JSON.stringify({ email, givenName: 'Bench', familyName: 'Invitee', credential: { mode: 'invitation' } });
      const started = process.hrtime.bigint();
      const req = http.request({ host: url.hostname, port: url.port, path: poolPath, method: 'POST', agent, headers: { ...headers, 'content-length': Buffer.byteLength(body) } }, (res) => {
        let text = '';
        res.on('data', (chunk) => {
          if (text.length < 300) text += chunk.toString();
        });
        res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6, text }));
      });
      req.on('error', reject);
      req.end(body);
    });
  onFirst?.();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= emails.length) return;
        const r = await post(emails[i]);
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        answered.n++;
        if (r.status === 201) created.add(emails[i]);
        else firstError ??= `${r.status} ${r.text}`;
        latencies.push(r.ms);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    created,
    stats: {
      requests: latencies.length,
      created: created.size,
      seconds,
      rps: created.size / seconds,
      statuses,
      firstError,
      latencyMs: { p50: percentile(latencies, 50), p95: percentile(latencies, 95), p99: percentile(latencies, 99), max: latencies[latencies.length - 1] },
    },
  };
}

/**
 * Creates `emails` as invited users with one JSON import (`sendInvitations: true`) and
 * waits for the job to complete; the same result shape as createInvitedUsers, where
 * `requests` is 1 and the latency is the 202's.
 */
async function importInvitedUsers({ base, poolPath, emails, onFirst, answered = { n: 0 } }) {
  const api = apiClient(base);
  const importsPath = poolPath.replace(/\/users$/, '/imports');
  const users = emails.map((email) => ({ email, givenName: 'Bench', familyName: 'Invitee' }));
  onFirst?.();
  const t0 = process.hrtime.bigint();
  const job = await api('POST', importsPath, { users, options: { sendInvitations: true } }, 202);
  const acceptedMs = Number(process.hrtime.bigint() - t0) / 1e6;
  let done;
  for (;;) {
    done = await api('GET', `${importsPath}/${job.id}`, undefined, 200);
    answered.n = done.created;
    if (['completed', 'failed', 'cancelled'].includes(done.status)) break;
    await sleep(50);
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const created = new Set(done.status === 'completed' && done.created === emails.length ? emails : []);
  return {
    created,
    stats: {
      requests: 1,
      created: created.size,
      seconds,
      rps: created.size / seconds,
      statuses: { 202: 1 },
      firstError: created.size ? null : `import ${done.status}: ${JSON.stringify(done)}`,
      latencyMs: { p50: acceptedMs, p95: acceptedMs, p99: acceptedMs, max: acceptedMs },
    },
  };
}

/** Samples (every second) how many POSTs are answered and emails received, for the timeline. */
function progressSampler(sink, counters) {
  const samples = [];
  const timer = setInterval(() => samples.push({ s: Math.round(sink.now() / 100) / 10, posted: counters.posted(), emails: sink.messages }), 1000);
  return () => {
    clearInterval(timer);
    return samples;
  };
}

async function dbState(database, poolId) {
  const db = await pgClient(database);
  try {
    const outbox = (await db.query(`SELECT status, count(*)::int AS n, sum(attempts)::int AS attempts FROM mail_outbox GROUP BY status ORDER BY status`)).rows;
    const invitations = (
      await db.query(`SELECT status, count(*)::int AS n, count(token_hash)::int AS "withTokenHash", count(sent_at)::int AS "withSentAt" FROM invitations WHERE pool_id = $1 GROUP BY status ORDER BY status`, [poolId])
    ).rows;
    return { outbox, invitations };
  } finally {
    await db.end();
  }
}

/** The outbox and invitations once every row is settled (markSent runs right after each send). */
async function settledDbState(database, poolId, expectedInvitations, expectedOutbox) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const state = await dbState(database, poolId);
    const sentInv = state.invitations.find((r) => r.status === 'sent')?.n ?? 0;
    const sentOutbox = state.outbox.find((r) => r.status === 'sent')?.n ?? 0;
    if ((sentInv === expectedInvitations && sentOutbox === expectedOutbox) || Date.now() > deadline) return state;
    await sleep(200);
  }
}

/** Raw: nodemailer, the service's pool settings, `inFlight` sends at a time, to the sink. */
async function rawSend({ sink, smtpPool, renderMail, messages, inFlight, prefix }) {
  const transport = createTransport({ url: sink.url, ...smtpPool });
  const expiresAt = new Date(Date.now() + 72 * 3_600_000);
  const mailFor = (email) => {
    // The composer's content with a fresh token of the same length (32 random bytes, base64url).
    const token = crypto.randomBytes(32).toString('base64url');
    return renderMail({
      subject: `You are invited to ${WORKSPACE_NAME}`,
      heading: `Join ${WORKSPACE_NAME}`,
      paragraphs: [
        `You have been invited to create an account in ${WORKSPACE_NAME} (${POOL_NAME}) for ${email}.`,
        'Follow the link to choose your password; your account is ready as soon as you do.',
      ],
      action: { label: 'Accept the invitation', url: `http://127.0.0.1:40000/self-service/accept-invitation?token=${token}` },
      footnote: `This link works once and expires on ${expiresAt.toUTCString()}. If you did not expect this invitation, ignore this email.`,
    });
  };
  // Addresses as long as the end-to-end ones (they appear in the header and in both parts).
  const tag = stamp();
  const emails = Array.from({ length: messages }, (_, i) => `${prefix}-${i}-${tag}@bench.example.com`);
  let next = 0;
  let failures = 0;
  let firstError = null;
  sink.reset();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      for (;;) {
        const i = next++;
        if (i >= emails.length) return;
        const mail = mailFor(emails[i]);
        try {
          await transport.sendMail({ from: MAIL_FROM, to: emails[i], subject: mail.subject, text: mail.text, html: mail.html });
        } catch (error) {
          failures++;
          firstError ??= error.message;
        }
      }
    }),
  );
  const expected = new Set(emails);
  const wait = await sink.waitAll(expected);
  const verify = sink.verify(expected);
  transport.close();
  const seconds = verify.lastArrivalMs / 1000;
  return { messages, inFlight, complete: wait.complete, failures, firstError, seconds, emailsPerSecond: verify.distinctRecipients / seconds, sink: verify };
}

/** A ROLE=worker process next to the API (BENCH_SPLIT=1), its health checks on a port of its own; ready when it sends. */
function spawnWorker({ entry, database, publicUrl, env }) {
  const child = spawn(process.execPath, [...(process.env.BENCH_APP_NODE_ARGS || '').split(' ').filter(Boolean), entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      ROLE: 'worker',
      PORT: '0',
      PUBLIC_URL: publicUrl,
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: REDIS_URL,
      ROOT_API_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-20000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));
  return {
    pid: child.pid,
    output: () => output,
    async stop() {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
}

function round2(x) {
  return Math.round(x * 100) / 100;
}

async function deleteRedisKeys(database) {
  const redis = new IORedis(REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 1 });
  let deleted = 0;
  try {
    await redis.connect();
    let cursor = '0';
    do {
      const [nextCursor, keys] = await redis.scan(cursor, 'MATCH', `ip:{${database}}:*`, 'COUNT', 1000);
      cursor = nextCursor;
      if (keys.length) deleted += await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
  return deleted;
}

async function main() {
  const tag = stamp();
  const built = buildPrivate(`invitations-${tag}-${process.pid}`);
  const { SMTP_POOL } = require(path.join(built.dist, 'src/mail/mail.sender.js'));
  const { MAIL_CONCURRENCY } = require(path.join(built.dist, 'src/mail/mail.processor.js'));
  const { renderMail } = require(path.join(built.dist, 'src/mail/mail.templates.js'));
  if (!SMTP_POOL || !MAIL_CONCURRENCY) throw new Error('the build does not export SMTP_POOL and MAIL_CONCURRENCY');
  const database = `ip_bench_invite_${tag}`;
  const host = await machine();
  const sink = await new Sink().start();
  let app = null;
  let worker = null;

  const results = await withCleanup(
    async () => {
      log(`SMTP sink on ${sink.url}; starting the service on database ${database}`);
      app = await startApp({ database, entry: built.entry, env: { SMTP_URL: sink.url, ...APP_ENV, ...(SPLIT && { ROLE: 'api' }) } });
      if (SPLIT) worker = spawnWorker({ entry: built.entry, database, publicUrl: app.base, env: { SMTP_URL: sink.url, ...APP_ENV } });
      const api = apiClient(app.base);
      const ws = await api('POST', '/v1/workspaces', { name: WORKSPACE_NAME }, 201);
      const pool = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: POOL_NAME }, 201);
      const poolPath = `/v1/workspaces/${ws.id}/pools/${pool.id}/users`;

      log(`warm-up: ${WARMUP} invited users`);
      const warm = await createInvitedUsers({ base: app.base, poolPath, emails: Array.from({ length: WARMUP }, (_, i) => `warmup-${i}@bench.example.com`), concurrency: CONCURRENCY });
      if (warm.stats.created !== WARMUP) throw new Error(`warm-up failed: ${JSON.stringify(warm.stats)}`);
      const warmWait = await sink.waitAll(warm.created);
      if (!warmWait.complete) throw new Error(`warm-up emails incomplete: ${warmWait.have}/${WARMUP}`);
      await sleep(1000);

      const quiet = await waitQuiet({ timeoutMs: QUIET_TIMEOUT_MS });
      const emails = Array.from({ length: USERS }, (_, i) => `invitee-${i}-${tag}@bench.example.com`);
      const answered = { n: 0 };
      log(`end-to-end: ${USERS} invited users (${VIA === 'import' ? 'one bulk import' : `POST per user, concurrency ${CONCURRENCY}`}), until the sink has every email`);
      const workerTicks0 = worker ? processTicks(worker.pid) : 0;
      const { result: e2e, cpu } = await withCpu({ appPid: app.pid, database }, async () => {
        let stopSampler;
        const api = await (VIA === 'import' ? importInvitedUsers : createInvitedUsers)({
          base: app.base,
          poolPath,
          emails,
          concurrency: CONCURRENCY,
          answered,
          onFirst: () => {
            sink.reset(); // t = 0: the first POST
            stopSampler = progressSampler(sink, { posted: () => answered.n });
          },
        });
        const apiDoneMs = sink.now();
        const wait = await sink.waitAll(api.created);
        return { api, apiDoneMs, wait, verifyAtEnd: sink.verify(api.created), timeline: stopSampler() };
      });
      if (worker) {
        // withCpu counted the API process only (and the worker under "other"): move the worker into the service.
        const workerCores = (processTicks(worker.pid) - workerTicks0) / 100 / cpu.seconds;
        cpu.apiCores = cpu.appCores;
        cpu.workerCores = round2(workerCores);
        cpu.appCores = round2(cpu.appCores + workerCores);
        cpu.foreignCores = round2(Math.max(0, cpu.foreignCores - workerCores));
      }
      // Late duplicates would arrive right after: give them a moment to show.
      await sleep(3000);
      e2e.verify = sink.verify(e2e.api.created);
      e2e.api = e2e.api.stats;
      const db = await settledDbState(database, pool.id, WARMUP + USERS, WARMUP + USERS);
      await app.stop();
      app = null;
      if (worker) await worker.stop();
      worker = null;

      const seconds = e2e.verifyAtEnd.lastArrivalMs / 1000;
      const endToEnd = {
        users: USERS,
        concurrency: CONCURRENCY,
        complete: e2e.wait.complete,
        seconds,
        emailsPerSecond: e2e.verifyAtEnd.distinctRecipients / seconds,
        api: e2e.api,
        apiDoneSeconds: e2e.apiDoneMs / 1000,
        mailLagAfterApiSeconds: seconds - e2e.apiDoneMs / 1000,
        sink: e2e.verify,
        db,
        cpu,
        // CPU time per email (ms): what a change to the service saves shows here even on a busy machine.
        cpuMsPerEmail: {
          service: round2((cpu.appCores * cpu.seconds * 1000) / USERS),
          postgres: round2((cpu.postgresCores * cpu.seconds * 1000) / USERS),
          bench: round2((cpu.benchCores * cpu.seconds * 1000) / USERS),
        },
        quiet,
        timeline: e2e.timeline,
      };

      log(`raw: nodemailer ${JSON.stringify(SMTP_POOL)} (maxMessages ${SMTP_POOL.maxMessages}), ${MAIL_CONCURRENCY} in flight; warm-up 500`);
      await rawSend({ sink, smtpPool: SMTP_POOL, renderMail, messages: 500, inFlight: MAIL_CONCURRENCY, prefix: 'rawwarm' });
      const rawQuiet = await waitQuiet({ timeoutMs: QUIET_TIMEOUT_MS });
      log(`raw: ${USERS} messages`);
      const { result: raw, cpu: rawCpu } = await withCpu({}, () => rawSend({ sink, smtpPool: SMTP_POOL, renderMail, messages: USERS, inFlight: MAIL_CONCURRENCY, prefix: 'rawsend' }));
      raw.cpu = rawCpu;
      raw.quiet = rawQuiet;
      return { endToEnd, raw, poolId: pool.id };
    },
    async () => {
      if (app) await app.stop();
      if (worker) await worker.stop();
      await sink.stop();
      if (process.env.BENCH_KEEP_DB === '1') log(`BENCH_KEEP_DB=1: keeping ${database} and its Redis keys`);
      else {
        await dropDatabase(database);
        const keys = await deleteRedisKeys(database).catch((error) => log(`could not delete the Redis keys of ${database}: ${error.message}`));
        if (keys !== undefined) log(`dropped ${database} and its ${keys} Redis keys`);
      }
      built.remove();
    },
  );

  const { endToEnd, raw } = results;
  const inv = endToEnd.db.invitations;
  const sentInv = inv.find((r) => r.status === 'sent');
  const sentOutbox = endToEnd.db.outbox.find((r) => r.status === 'sent');
  const total = WARMUP + USERS;
  const checks = {
    allCreated: endToEnd.api.created === USERS,
    sinkExactlyOnce: endToEnd.complete && endToEnd.sink.ok,
    outboxAllSentFirstAttempt: endToEnd.db.outbox.length === 1 && sentOutbox?.n === total && sentOutbox?.attempts === total,
    invitationsAllSentWithHash: inv.length === 1 && sentInv?.n === total && sentInv?.withTokenHash === total && sentInv?.withSentAt === total,
    rawComplete: raw.complete && raw.failures === 0 && raw.sink.ok,
  };
  const ratio = endToEnd.emailsPerSecond / raw.emailsPerSecond;
  const goals = {
    emailsPerSecond: { value: endToEnd.emailsPerSecond, limit: GOALS.emailsPerSecond, ofLimit: endToEnd.emailsPerSecond / GOALS.emailsPerSecond, pass: endToEnd.emailsPerSecond >= GOALS.emailsPerSecond },
    ratioToRaw: { value: ratio, limit: GOALS.ratioToRaw, ofLimit: ratio / GOALS.ratioToRaw, pass: ratio >= GOALS.ratioToRaw },
  };
  const checksPass = Object.values(checks).every(Boolean);
  const pass = checksPass && goals.emailsPerSecond.pass && goals.ratioToRaw.pass;
  const report = {
    bench: 'invitations',
    date: new Date().toISOString(),
    command: 'npm run bench:invitations',
    machine: host,
    settings: { via: VIA, users: USERS, concurrency: CONCURRENCY, warmup: WARMUP, roles: SPLIT ? 'api + worker (two processes)' : 'all (one process)', smtpPool: { ...SMTP_POOL, maxMessages: String(SMTP_POOL.maxMessages) }, mailConcurrency: MAIL_CONCURRENCY, appEnv: APP_ENV, appNodeArgs: process.env.BENCH_APP_NODE_ARGS || '' },
    endToEnd,
    raw,
    checks,
    goals,
    pass,
  };
  const file = writeResults('invitations', report);

  const f = (x, d = 1) => x.toFixed(d);
  const verdict = (g) => `${f(g.ofLimit, 2)} × the limit  ${g.pass ? 'PASS' : 'FAIL'}`;
  console.log('');
  console.log(`invitations (created via ${VIA === 'import' ? 'one bulk import' : 'one POST per user'}; service: ${report.settings.roles}) — ${host.nproc} × ${host.cpu}, ${host.ramGiB} GiB, Node ${host.node}, PostgreSQL ${host.postgres}`);
  console.log(
    `  end-to-end: ${endToEnd.api.created} invited users → ${endToEnd.sink.distinctRecipients} emails in ${f(endToEnd.seconds, 2)} s = ${f(endToEnd.emailsPerSecond)} emails/s` +
      `  (API ${f(endToEnd.api.rps)} req/s, done at ${f(endToEnd.apiDoneSeconds, 2)} s, p99 ${f(endToEnd.api.latencyMs.p99)} ms; last email ${f(endToEnd.mailLagAfterApiSeconds, 2)} s after the last 201; ~${endToEnd.sink.avgBytes} B/email)`,
  );
  console.log(`  raw nodemailer (${SMTP_POOL.maxConnections} pooled connections, ${MAIL_CONCURRENCY} in flight): ${raw.sink.distinctRecipients} emails in ${f(raw.seconds, 2)} s = ${f(raw.emailsPerSecond)} emails/s  (~${raw.sink.avgBytes} B/email)`);
  console.log(`  goal end-to-end ≥ ${GOALS.emailsPerSecond} emails/s: ${f(endToEnd.emailsPerSecond)} → ${verdict(goals.emailsPerSecond)}`);
  console.log(`  goal end-to-end ≥ ${GOALS.ratioToRaw} × raw: ratio ${ratio.toFixed(3)} → ${verdict(goals.ratioToRaw)}`);
  console.log(
    `  exactly once: ${endToEnd.sink.messages} messages, ${endToEnd.sink.distinctRecipients}/${USERS} distinct recipients, missing ${endToEnd.sink.missing}, duplicated ${endToEnd.sink.duplicated}, unexpected ${endToEnd.sink.extraMessages}` +
      `; outbox ${JSON.stringify(endToEnd.db.outbox)}; invitations ${JSON.stringify(inv)}  ${checksPass ? 'ok' : 'CHECK FAILED ' + JSON.stringify(checks)}`,
  );
  console.log(
    `  CPU cores, end-to-end: service ${endToEnd.cpu.appCores}, postgres ${endToEnd.cpu.postgresCores}, bench (client + sink) ${endToEnd.cpu.benchCores}, other ${endToEnd.cpu.foreignCores}; raw: bench ${raw.cpu.benchCores}, other ${raw.cpu.foreignCores}`,
  );
  console.log(`  CPU ms per email, end-to-end: service ${endToEnd.cpuMsPerEmail.service}, postgres ${endToEnd.cpuMsPerEmail.postgres}, bench ${endToEnd.cpuMsPerEmail.bench}; raw: bench ${round2((raw.cpu.benchCores * raw.cpu.seconds * 1000) / USERS)}`);
  console.log(`  results: ${file}`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
