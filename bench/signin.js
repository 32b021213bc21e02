#!/usr/bin/env node
'use strict';
/**
 * Benchmark: the sign-in performance targets.
 *
 *   npm run bench:signin          (= node bench/signin.js)
 *
 * 1. `npm run build` once (BENCH_SKIP_BUILD=1 uses the existing dist/ instead).
 * 2. Starts `node dist/src/main.js` on a free 127.0.0.1 port with a fresh database
 *    ip_bench_signin_<timestamp>, LOG_LEVEL=warn and the failure rate limits raised out of
 *    the way (successful sign-ins are never throttled anyway).
 * 3. Through the API: a workspace, a pool, BENCH_USERS (200) users with passwords, the pool
 *    connected as an identity provider, and a confidential application (client_secret_basic)
 *    with the grant types password and refresh_token.
 * 4. Measures, in this order, each after waiting (≤ BENCH_QUIET_WAIT_S) for the machine to be idle:
 *    a. password grants (POST {issuer}/token, scope "openid profile email") at concurrency
 *       16 for 30 s, the users taken in turn: throughput and p50/p95/p99 latency; meanwhile
 *       GET /health/live every 20 ms on its own connection(s): its p99;
 *    b. raw argon2id verifications (argon2 package, m=19456 KiB, t=2, p=1) at concurrency 16
 *       for 30 s in this process (the service is idle meanwhile);
 *    c. refresh-token grants: BENCH_REFRESH_CONCURRENCY (64) workers each get a refresh token
 *       with a password grant (scope "openid offline_access"), then for 20 s each sends its
 *       current refresh token and keeps the rotated one it gets back: throughput.
 * 5. Goals: sign-in req/s ≥ 0.9 × raw verifications/s; sign-in p99 ≤ 400 ms;
 *    /health/live p99 ≤ 50 ms during (a); refresh ≥ 600 req/s. Prints each figure against
 *    its limit (value/limit, PASS/FAIL), writes JSON to bench/results/, stops the service
 *    and drops the database. Exit code 0 when every goal passes, 1 when one fails, 2 on error.
 *
 * The token requests go over raw keep-alive HTTP/1.1 connections, one per worker (see
 * Connection: node:http's client would take CPU the service needs), the health probes over
 * node:http; each latency is one request exactly, percentiles are exact (nearest rank).
 * The CPU the service, its PostgreSQL backends, the bench and anything else used is
 * recorded for each phase, with the service's and PostgreSQL's CPU milliseconds per request.
 *
 * Env: BENCH_USERS (200), BENCH_SIGNIN_SECONDS (30), BENCH_VERIFY_SECONDS (30),
 *      BENCH_REFRESH_SECONDS (20), BENCH_CONCURRENCY (16), BENCH_REFRESH_CONCURRENCY (64),
 *      BENCH_QUIET_WAIT_S (90: the longest wait for an idle machine before each phase),
 *      BENCH_PHASES (signin,verify,refresh: a subset for profiling is never a pass),
 *      BENCH_KEEP_DB=1, BENCH_SKIP_BUILD=1, BENCH_APP_NODE_ARGS (e.g. --cpu-prof),
 *      BENCH_APP_ENV='{"UV_THREADPOOL_SIZE":"4"}' (extra env for the service, for experiments), and
 *      BENCH_TOKEN_ALG (RS256, the default an application gets, or ES256: the application's tokenSigningAlg).
 */
const argon2 = require('argon2');
const http = require('node:http');
const net = require('node:net');
const { apiClient, build, dropDatabase, log, machine, machineTicks, percentile, pgClient, processTicks, sleep, stamp, startApp, waitQuiet, withCleanup, withCpu, writeResults } = require('./lib');

const USERS = Number(process.env.BENCH_USERS || 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY || 16);
const SIGNIN_SECONDS = Number(process.env.BENCH_SIGNIN_SECONDS || 30);
const VERIFY_SECONDS = Number(process.env.BENCH_VERIFY_SECONDS || 30);
const REFRESH_SECONDS = Number(process.env.BENCH_REFRESH_SECONDS || 20);
const REFRESH_CONCURRENCY = Number(process.env.BENCH_REFRESH_CONCURRENCY || 64);
/** Before each measured phase, wait at most this long for the machine to be idle (other work on it skews every figure). */
const QUIET_WAIT_MS = Number(process.env.BENCH_QUIET_WAIT_S || 90) * 1000;
/** For profiling one part alone, e.g. BENCH_PHASES=refresh; a run that skips a phase cannot pass. */
const PHASES = new Set((process.env.BENCH_PHASES || 'signin,verify,refresh').split(','));
const TOKEN_ALG = process.env.BENCH_TOKEN_ALG || 'RS256';
const HEALTH_INTERVAL_MS = 20;
const WARMUP_SECONDS = 3;
const PASSWORD = 'correct horse battery staple 42';
const ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const SIGNIN_SCOPE = 'openid profile email';
const REFRESH_SCOPE = 'openid offline_access';
const GOALS = {
  throughputRatio: 0.9,
  signinP99Ms: 400,
  healthP99Ms: 50,
  refreshRps: 600,
};
/** High enough that no failure counter in this run could trip (the bench has no failures unless something is broken). */
const RATE_LIMIT_ENV = {
  RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '1000000',
  RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '1000000',
};

/**
 * One keep-alive HTTP/1.1 connection that sends one request at a time, written straight
 * to a socket. At ~600 requests/s the bench shares the two cores with the service and
 * PostgreSQL; node:http's client took 0.22 ms of CPU per refresh, this 0.13 ms.
 * Enough HTTP for this service: Content-Length bodies (a response without one, e.g.
 * chunked, is an error), `Connection: close` honoured.
 */
class Connection {
  constructor(base) {
    const url = new URL(base);
    this.host = url.hostname;
    this.port = Number(url.port);
    this.socket = null;
    this.waiting = null;
    this.data = Buffer.alloc(0);
  }

  /** Resolves with { status, body, ms }. */
  request(method, path, headers, body = '') {
    const payload = Buffer.from(body);
    const head = [`${method} ${path} HTTP/1.1`, `host: ${this.host}:${this.port}`, ...Object.entries(headers).map(([k, v]) => `${k}: ${v}`), `content-length: ${payload.length}`, '', ''].join('\r\n');
    return new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      this.waiting = { resolve, reject, started };
      if (!this.socket) this.open();
      this.socket.write(Buffer.concat([Buffer.from(head), payload]));
    });
  }

  open() {
    const socket = net.connect({ host: this.host, port: this.port, noDelay: true });
    this.socket = socket;
    this.data = Buffer.alloc(0);
    socket.on('data', (chunk) => {
      this.data = this.data.length ? Buffer.concat([this.data, chunk]) : chunk;
      this.parse();
    });
    const fail = (error) => {
      if (this.socket === socket) this.socket = null;
      const waiting = this.waiting;
      this.waiting = null;
      waiting?.reject(error ?? new Error('connection closed'));
    };
    socket.on('error', fail);
    socket.on('close', () => fail(null));
  }

  parse() {
    const end = this.data.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.data.subarray(0, end).toString('latin1');
    const status = Number(head.slice(9, 12));
    const length = /\r\ncontent-length:\s*(\d+)/i.exec(head);
    if (!length) {
      this.socket.destroy(new Error(`response without Content-Length: ${head.split('\r\n')[0]}`));
      return;
    }
    const total = end + 4 + Number(length[1]);
    if (this.data.length < total) return;
    const body = this.data.subarray(end + 4, total).toString('utf8');
    this.data = this.data.subarray(total);
    const { resolve, started } = this.waiting;
    this.waiting = null;
    if (/\r\nconnection:\s*close/i.test(head)) {
      this.socket.destroy();
      this.socket = null;
    }
    resolve({ status, body, ms: Number(process.hrtime.bigint() - started) / 1e6 });
  }

  close() {
    this.socket?.destroy();
    this.socket = null;
  }
}

function get(agent, url) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.request({ host: url.hostname, port: url.port, path: url.pathname, method: 'GET', agent }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }));
    });
    req.on('error', reject);
    req.end();
  });
}

/**
 * Samples, every second until `stop` resolves, the CPU cores used by the service, its
 * PostgreSQL backends, this process and everything else: a figure that moved because
 * other work took the cores shows it here (results: timeline).
 */
async function sampleLoad({ appPid, database }, stop) {
  const db = await pgClient();
  const backends = async () => (await db.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database])).rows.map((row) => row.pid);
  const samples = [];
  let stopped = false;
  stop.then(() => (stopped = true));
  try {
    let pids = await backends();
    // The service's main thread has the process id for thread id; its other threads are libuv's pool and V8's helpers.
    const mainThread = () => processTicks(`${appPid}/task/${appPid}`);
    let before = { m: machineTicks(), app: processTicks(appPid), main: mainThread(), pg: new Map(pids.map((pid) => [pid, processTicks(pid)])), self: process.cpuUsage(), t: process.hrtime.bigint() };
    while (!stopped) {
      await sleep(1000);
      const now = { m: machineTicks(), app: processTicks(appPid), main: mainThread(), self: process.cpuUsage(), t: process.hrtime.bigint() };
      const seconds = Number(now.t - before.t) / 1e9;
      const cores = (ticks) => Math.round((ticks / 100 / seconds) * 100) / 100;
      let pg = 0;
      for (const pid of pids) pg += processTicks(pid) - (before.pg.get(pid) ?? processTicks(pid));
      const self = (now.self.user - before.self.user + now.self.system - before.self.system) / 1e6 / seconds;
      const machine = cores(now.m.busy - before.m.busy);
      const app = cores(now.app - before.app);
      const postgres = cores(pg);
      samples.push({ second: samples.length, machineCores: machine, serviceCores: app, serviceMainThreadCores: cores(now.main - before.main), postgresCores: postgres, benchCores: Math.round(self * 100) / 100, otherCores: Math.max(0, Math.round((machine - app - postgres - self) * 100) / 100) });
      pids = await backends();
      before = { m: now.m, app: now.app, main: now.main, pg: new Map(pids.map((pid) => [pid, processTicks(pid)])), self: now.self, t: now.t };
    }
  } finally {
    await db.end();
  }
  return samples;
}

/** How much of a phase other work disturbed: seconds in which it took a quarter core or more. */
function disturbance(samples) {
  const other = samples.map((sample) => sample.otherCores);
  return {
    seconds: other.length,
    disturbedSeconds: other.filter((cores) => cores >= 0.25).length,
    meanOtherCores: Math.round((other.reduce((a, b) => a + b, 0) / Math.max(1, other.length)) * 100) / 100,
    maxOtherCores: Math.max(0, ...other),
    meanServiceMainThreadCores: Math.round((samples.reduce((a, s) => a + s.serviceMainThreadCores, 0) / Math.max(1, samples.length)) * 100) / 100,
  };
}

/** CPU milliseconds each counted request cost the service and its PostgreSQL backends (all threads). */
function cpuPerRequest(cpu, rps, samples) {
  const ms = (cores) => Math.round(((cores * 1000) / rps) * 100) / 100;
  const mainThread = samples.reduce((a, s) => a + s.serviceMainThreadCores, 0) / Math.max(1, samples.length);
  return { serviceMs: ms(cpu.appCores), serviceMainThreadMs: ms(mainThread), postgresMs: ms(cpu.postgresCores) };
}

function summary(latencies, seconds) {
  const sorted = [...latencies].sort((a, b) => a - b);
  const round = (x) => Math.round(x * 10) / 10;
  return {
    requests: sorted.length,
    seconds: Math.round(seconds * 100) / 100,
    rps: Math.round((sorted.length / seconds) * 10) / 10,
    p50: round(percentile(sorted, 50)),
    p95: round(percentile(sorted, 95)),
    p99: round(percentile(sorted, 99)),
    max: round(sorted[sorted.length - 1]),
  };
}

/**
 * Closed loop: `concurrency` workers, each on its own keep-alive Connection, send
 * `request(worker, i)` back to back for `seconds`; only responses `accept` takes count.
 * Requests still in flight at the deadline complete but are not counted.
 */
async function closedLoop({ base, concurrency, seconds, request }) {
  const latencies = [];
  /** Per second of the run: [requests counted, their latencies] (the timeline in the results). */
  const perSecond = [];
  const statuses = {};
  let firstError = null;
  let failed = 0;
  let next = 0;
  const deadline = process.hrtime.bigint() + BigInt(Math.round(seconds * 1e9));
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async (_, worker) => {
      const connection = new Connection(base);
      try {
        while (process.hrtime.bigint() < deadline) {
          const r = await request(worker, next++, connection);
          if (process.hrtime.bigint() > deadline) break;
          statuses[r.status] = (statuses[r.status] || 0) + 1;
          if (r.ok) {
            latencies.push(r.ms);
            const second = Math.floor(Number(process.hrtime.bigint() - started) / 1e9);
            (perSecond[second] ??= []).push(r.ms);
          } else {
            failed++;
            firstError ??= `${r.status} ${r.body.slice(0, 300)}`;
          }
        }
      } finally {
        connection.close();
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  const measured = Math.min(elapsed, seconds);
  const timeline = Array.from({ length: Math.ceil(measured) }, (_, s) => {
    const sorted = (perSecond[s] ?? []).sort((a, b) => a - b);
    return { second: s, requests: sorted.length, p50: Math.round(percentile(sorted, 50)) || null, max: Math.round(sorted[sorted.length - 1] ?? 0) || null };
  });
  return { ...summary(latencies, measured), statuses, failed, firstError, timeline };
}

/** GET /health/live every `intervalMs` (open loop: a slow answer does not delay the next probe) until `stop` resolves. */
async function pollHealth(base, intervalMs, stop) {
  const url = new URL('/health/live', base);
  const agent = new http.Agent({ keepAlive: true });
  const latencies = [];
  const pending = new Set();
  const statuses = {};
  let stopped = false;
  stop.then(() => (stopped = true));
  const started = process.hrtime.bigint();
  while (!stopped) {
    const tick = Date.now();
    const p = get(agent, url)
      .then((r) => {
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        latencies.push(r.ms);
      })
      .catch(() => (statuses.error = (statuses.error || 0) + 1))
      .finally(() => pending.delete(p));
    pending.add(p);
    await sleep(Math.max(1, intervalMs - (Date.now() - tick)));
  }
  await Promise.all(pending);
  agent.destroy();
  return { ...summary(latencies, Number(process.hrtime.bigint() - started) / 1e9), statuses };
}

function tokenClient(issuerPath, app) {
  const path = `${issuerPath}/token`;
  const headers = {
    authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString('base64')}`,
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
  };
  return {
    password: (connection, username, scope) => connection.request('POST', path, headers, new URLSearchParams({ grant_type: 'password', username, password: PASSWORD, scope }).toString()),
    refresh: (connection, refreshToken) => connection.request('POST', path, headers, new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken }).toString()),
  };
}

async function seedUsers(api, usersPath) {
  const emails = Array.from({ length: USERS }, (_, i) => `signin-${i}@bench${i % 7}.example.com`);
  let next = 0;
  // Each create hashes a password; a few at a time keeps the cores busy.
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      while (next < emails.length) {
        const email = emails[next++];
        await api('POST', usersPath, { email, givenName: 'Bench', familyName: 'User', credential: { mode: 'password', password: PASSWORD } }, 201);
      }
    }),
  );
  return emails;
}

async function rawVerify(seconds, hash) {
  const latencies = [];
  const started = process.hrtime.bigint();
  const deadline = started + BigInt(seconds * 1e9);
  let wrong = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (process.hrtime.bigint() < deadline) {
        const t0 = process.hrtime.bigint();
        const ok = await argon2.verify(hash, PASSWORD);
        if (process.hrtime.bigint() > deadline) break;
        if (!ok) wrong++;
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      }
    }),
  );
  if (wrong) throw new Error(`raw verify: ${wrong} verifications failed`);
  return summary(latencies, seconds);
}

/** (a) Password grants at CONCURRENCY, the users in turn, with /health/live probes alongside. */
async function measureSignIn(app, database, tokens, emails) {
  const request = async (_worker, i, connection) => {
    const r = await tokens.password(connection, emails[i % emails.length], SIGNIN_SCOPE);
    return { ...r, ok: r.status === 200 && r.body.includes('"id_token"') };
  };
  log(`warm-up: password grants for ${WARMUP_SECONDS} s`);
  await closedLoop({ base: app.base, concurrency: CONCURRENCY, seconds: WARMUP_SECONDS, request });
  const quiet = await waitQuiet({ timeoutMs: QUIET_WAIT_MS });
  log(`(a) password grants, concurrency ${CONCURRENCY}, ${SIGNIN_SECONDS} s; GET /health/live every ${HEALTH_INTERVAL_MS} ms`);
  const { result, cpu } = await withCpu({ appPid: app.pid, database }, async () => {
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    const health = pollHealth(app.base, HEALTH_INTERVAL_MS, finished);
    const load = sampleLoad({ appPid: app.pid, database }, finished);
    const run = await closedLoop({ base: app.base, concurrency: CONCURRENCY, seconds: SIGNIN_SECONDS, request }).finally(done);
    return { run, health: await health, load: await load };
  });
  const signIn = { ...result.run, cpu, cpuPerRequest: cpuPerRequest(cpu, result.run.rps, result.load), quiet, disturbance: disturbance(result.load), health: result.health, load: result.load };
  log(`    ${signIn.rps} req/s, p50 ${signIn.p50} ms, p95 ${signIn.p95} ms, p99 ${signIn.p99} ms, failed ${signIn.failed}; /health/live p99 ${signIn.health.p99} ms (${signIn.health.requests} probes)`);
  log(`    CPU cores: service ${cpu.appCores}, postgres ${cpu.postgresCores}, bench ${cpu.benchCores}, other ${cpu.foreignCores}; CPU ms per sign-in: service ${signIn.cpuPerRequest.serviceMs} (main thread ${signIn.cpuPerRequest.serviceMainThreadMs}), postgres ${signIn.cpuPerRequest.postgresMs}`);
  return signIn;
}

/** (b) Raw argon2id verifications at CONCURRENCY in this process (the service idles meanwhile). */
async function measureRawVerify() {
  const hash = await argon2.hash(PASSWORD, ARGON2);
  log(`(b) raw argon2id verify (m=${ARGON2.memoryCost}, t=${ARGON2.timeCost}, p=${ARGON2.parallelism}): warm-up 2 s`);
  await rawVerify(2, hash);
  const quiet = await waitQuiet({ timeoutMs: QUIET_WAIT_MS });
  log(`(b) raw argon2id verify, concurrency ${CONCURRENCY}, ${VERIFY_SECONDS} s (this process: UV_THREADPOOL_SIZE ${process.env.UV_THREADPOOL_SIZE || 'unset, 4'})`);
  const { result, cpu } = await withCpu({}, () => rawVerify(VERIFY_SECONDS, hash));
  const raw = { ...result, cpu, quiet };
  log(`    ${raw.rps} verifications/s, p50 ${raw.p50} ms, p99 ${raw.p99} ms; CPU cores: bench ${cpu.benchCores}, other ${cpu.foreignCores}`);
  return raw;
}

/** (c) Refresh grants: each worker refreshes its own chain, always with the token the last refresh rotated in. */
async function measureRefresh(app, database, tokens, emails) {
  log(`(c) ${REFRESH_CONCURRENCY} refresh tokens (scope "${REFRESH_SCOPE}")`);
  const chain = [];
  let k = 0;
  await Promise.all(
    Array.from({ length: 4 }, async () => {
      const connection = new Connection(app.base);
      while (k < REFRESH_CONCURRENCY) {
        const i = k++;
        const r = await tokens.password(connection, emails[i % emails.length], REFRESH_SCOPE);
        if (r.status !== 200) throw new Error(`password grant for a refresh token: ${r.status} ${r.body}`);
        chain[i] = JSON.parse(r.body).refresh_token;
      }
      connection.close();
    }),
  );
  const request = async (worker, _i, connection) => {
    const r = await tokens.refresh(connection, chain[worker]);
    let ok = false;
    if (r.status === 200) {
      const body = JSON.parse(r.body);
      if (body.refresh_token && body.access_token && body.id_token) {
        chain[worker] = body.refresh_token;
        ok = true;
      }
    }
    return { ...r, ok };
  };
  log(`warm-up: refresh grants for ${WARMUP_SECONDS} s`);
  await closedLoop({ base: app.base, concurrency: REFRESH_CONCURRENCY, seconds: WARMUP_SECONDS, request });
  const quiet = await waitQuiet({ timeoutMs: QUIET_WAIT_MS });
  log(`(c) refresh grants, concurrency ${REFRESH_CONCURRENCY}, ${REFRESH_SECONDS} s`);
  const { result, cpu } = await withCpu({ appPid: app.pid, database }, async () => {
    let done;
    const finished = new Promise((resolve) => (done = resolve));
    const load = sampleLoad({ appPid: app.pid, database }, finished);
    const run = await closedLoop({ base: app.base, concurrency: REFRESH_CONCURRENCY, seconds: REFRESH_SECONDS, request }).finally(done);
    return { run, load: await load };
  });
  const refresh = { ...result.run, cpu, cpuPerRequest: cpuPerRequest(cpu, result.run.rps, result.load), quiet, disturbance: disturbance(result.load), load: result.load };
  log(`    ${refresh.rps} req/s, p50 ${refresh.p50} ms, p99 ${refresh.p99} ms, failed ${refresh.failed}`);
  log(`    CPU cores: service ${cpu.appCores}, postgres ${cpu.postgresCores}, bench ${cpu.benchCores}, other ${cpu.foreignCores}; CPU ms per refresh: service ${refresh.cpuPerRequest.serviceMs} (main thread ${refresh.cpuPerRequest.serviceMainThreadMs}), postgres ${refresh.cpuPerRequest.postgresMs}`);
  return refresh;
}

async function main() {
  const host = await machine();
  build();
  const database = `ip_bench_signin_${stamp()}`;
  const appEnv = { ...RATE_LIMIT_ENV, ...(process.env.BENCH_APP_ENV ? JSON.parse(process.env.BENCH_APP_ENV) : {}) };
  let app = null;

  const outcome = await withCleanup(
    async () => {
      log(`starting the service on database ${database}${process.env.BENCH_APP_ENV ? ` with ${process.env.BENCH_APP_ENV}` : ''}`);
      app = await startApp({ database, env: appEnv });
      const api = apiClient(app.base);
      const ws = await api('POST', '/v1/workspaces', { name: 'bench sign-in' }, 201);
      const pool = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: 'bench pool' }, 201);
      log(`seeding ${USERS} users with passwords`);
      const emails = await seedUsers(api, `/v1/workspaces/${ws.id}/pools/${pool.id}/users`);
      await api('POST', `/v1/workspaces/${ws.id}/identity-providers`, { type: 'identity_pool', poolId: pool.id, signInMethods: ['password'] }, 201);
      const application = await api(
        'POST',
        `/v1/workspaces/${ws.id}/applications`,
        { name: 'bench app', redirectUris: ['http://127.0.0.1/callback'], grantTypes: ['password', 'refresh_token'], tokenEndpointAuthMethod: 'client_secret_basic', tokenSigningAlg: TOKEN_ALG },
        201,
      );
      const tokens = tokenClient(`/oidc/${ws.id}`, application);

      // Sanity: a sign-in answers with an access token and an ID token, and a refresh rotates.
      const probeConnection = new Connection(app.base);
      const probe = await tokens.password(probeConnection, emails[0], REFRESH_SCOPE);
      const probed = JSON.parse(probe.body);
      if (probe.status !== 200 || !probed.access_token || !probed.id_token || !probed.refresh_token) throw new Error(`password grant: ${probe.status} ${probe.body}`);
      const rotated = await tokens.refresh(probeConnection, probed.refresh_token);
      if (rotated.status !== 200 || JSON.parse(rotated.body).refresh_token === probed.refresh_token) throw new Error(`refresh grant: ${rotated.status} ${rotated.body}`);
      probeConnection.close();

      const signIn = PHASES.has('signin') ? await measureSignIn(app, database, tokens, emails) : null;
      const raw = PHASES.has('verify') ? await measureRawVerify() : null;
      const refresh = PHASES.has('refresh') ? await measureRefresh(app, database, tokens, emails) : null;
      return { signIn, raw, refresh };
    },
    async () => {
      if (app) await app.stop();
      if (process.env.BENCH_KEEP_DB === '1') log(`BENCH_KEEP_DB=1: keeping ${database}`);
      else await dropDatabase(database);
    },
  );

  const { signIn, raw, refresh } = outcome;
  const health = signIn?.health ?? null;
  const checks = [];
  if (signIn && raw) {
    const r = signIn.rps / raw.rps;
    checks.push({ figure: 'sign-in req/s ÷ raw verify/s', value: r, display: `${r.toFixed(3)} (${signIn.rps} / ${raw.rps})`, limit: `≥ ${GOALS.throughputRatio}`, ratio: r / GOALS.throughputRatio, pass: r >= GOALS.throughputRatio });
  }
  if (signIn) {
    checks.push({ figure: 'sign-in p99', value: signIn.p99, display: `${signIn.p99} ms`, limit: `≤ ${GOALS.signinP99Ms} ms`, ratio: signIn.p99 / GOALS.signinP99Ms, pass: signIn.p99 <= GOALS.signinP99Ms });
    checks.push({ figure: '/health/live p99 during (a)', value: health.p99, display: `${health.p99} ms`, limit: `≤ ${GOALS.healthP99Ms} ms`, ratio: health.p99 / GOALS.healthP99Ms, pass: health.p99 <= GOALS.healthP99Ms });
  }
  if (refresh) {
    checks.push({ figure: 'refresh grants req/s', value: refresh.rps, display: `${refresh.rps} req/s`, limit: `≥ ${GOALS.refreshRps} req/s`, ratio: refresh.rps / GOALS.refreshRps, pass: refresh.rps >= GOALS.refreshRps });
  }
  // Every request must have succeeded for a figure to count, and every phase must have run.
  const complete = !!(signIn && raw && refresh);
  const clean = (!signIn || (signIn.failed === 0 && Object.keys(health.statuses).every((s) => s === '200'))) && (!refresh || refresh.failed === 0);
  const pass = complete && clean && checks.every((c) => c.pass);
  const report = {
    bench: 'signin',
    date: new Date().toISOString(),
    command: 'npm run bench:signin',
    machine: host,
    settings: {
      users: USERS,
      concurrency: CONCURRENCY,
      signInSeconds: SIGNIN_SECONDS,
      signInScope: SIGNIN_SCOPE,
      healthIntervalMs: HEALTH_INTERVAL_MS,
      verifySeconds: VERIFY_SECONDS,
      refreshSeconds: REFRESH_SECONDS,
      refreshConcurrency: REFRESH_CONCURRENCY,
      refreshScope: REFRESH_SCOPE,
      tokenSigningAlg: TOKEN_ALG,
      argon2: { memoryCost: ARGON2.memoryCost, timeCost: ARGON2.timeCost, parallelism: ARGON2.parallelism },
      serviceEnv: appEnv,
      serviceNodeArgs: process.env.BENCH_APP_NODE_ARGS || '',
    },
    phases: [...PHASES],
    signIn,
    raw,
    refresh,
    checks,
    allRequestsSucceeded: clean,
    pass,
  };
  const file = writeResults('signin', report);

  const pad = (s, n) => String(s).padEnd(n);
  console.log('');
  console.log(`signin — ${host.nproc} × ${host.cpu}, ${host.ramGiB} GiB, Node ${host.node}, PostgreSQL ${host.postgres}; tokens signed ${TOKEN_ALG}`);
  if (signIn) console.log(`  (a) password grant c=${CONCURRENCY}: ${signIn.rps} req/s, p50 ${signIn.p50} / p95 ${signIn.p95} / p99 ${signIn.p99} ms (${signIn.requests} ok, ${signIn.failed} failed); /health/live p50 ${health.p50} / p99 ${health.p99} ms (${health.requests} probes)`);
  if (raw) console.log(`  (b) raw argon2id verify c=${CONCURRENCY}: ${raw.rps} /s, p50 ${raw.p50} / p99 ${raw.p99} ms`);
  if (refresh) console.log(`  (c) refresh grant c=${REFRESH_CONCURRENCY}: ${refresh.rps} req/s, p50 ${refresh.p50} / p99 ${refresh.p99} ms (${refresh.requests} ok, ${refresh.failed} failed)`);
  console.log(`  ${pad('figure', 32)}${pad('value', 28)}${pad('limit', 16)}${pad('value/limit', 13)}result`);
  for (const c of checks) console.log(`  ${pad(c.figure, 32)}${pad(c.display, 28)}${pad(c.limit, 16)}${pad(c.ratio.toFixed(2), 13)}${c.pass ? 'PASS' : 'FAIL'}`);
  if (!clean) console.log(`  some requests failed: sign-in ${JSON.stringify(signIn?.statuses)} ${signIn?.firstError ?? ''}; refresh ${JSON.stringify(refresh?.statuses)} ${refresh?.firstError ?? ''}; health ${JSON.stringify(health?.statuses)}`);
  if (!complete) console.log(`  BENCH_PHASES=${[...PHASES].join(',')}: a partial run, not a pass`);
  const cores = (c) => `${c.appCores ?? '-'} / ${c.postgresCores ?? '-'} / ${c.benchCores} / ${c.foreignCores}`;
  const disturbed = (d) => `${d.disturbedSeconds} of ${d.seconds} s (mean ${d.meanOtherCores}, max ${d.maxOtherCores} cores)`;
  if (signIn || refresh) console.log(`  other work on the machine took ≥ 0.25 core during: ${[signIn && `(a) ${disturbed(signIn.disturbance)}`, refresh && `(c) ${disturbed(refresh.disturbance)}`].filter(Boolean).join('; ')}`);
  console.log(`  CPU cores (service / postgres / bench / other): ${[signIn && `(a) ${cores(signIn.cpu)}`, raw && `(b) ${cores(raw.cpu)}`, refresh && `(c) ${cores(refresh.cpu)}`].filter(Boolean).join('; ')}`);
  console.log(`overall: ${pass ? 'PASS' : 'FAIL'}   results: ${file}`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
