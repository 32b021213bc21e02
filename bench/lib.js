'use strict';
/**
 * Shared helpers for the benchmarks in this folder (plain CommonJS, no build step).
 *
 * Every bench starts its own build of the service on a free loopback port with its own
 * fresh database, talks to it only over 127.0.0.1, and stops it and drops the database at
 * the end. build() runs `npm run build` into dist/; buildPrivate() builds the same way into
 * a folder of its own, so a bench never races someone else's build of dist/. With
 * BENCH_SKIP_BUILD=1 both use the existing dist/ (it must hold a build of the current source).
 */
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const http = require('node:http');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const { Client } = require('pg');

const ROOT = path.resolve(__dirname, '..');
const PG_ADMIN_URL = process.env.BENCH_PG_ADMIN_URL || 'postgres://postgres@127.0.0.1:5432/postgres';
const ROOT_API_KEY = 'bench_root_key_0123456789abcdefghijklmnopqrstuvwxyz';

function log(...args) {
  process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${args.join(' ')}\n`);
}

function build() {
  if (process.env.BENCH_SKIP_BUILD === '1') {
    if (!fs.existsSync(path.join(ROOT, 'dist/src/main.js'))) throw new Error('BENCH_SKIP_BUILD=1 but dist/src/main.js is missing; run `npm run build`');
    log('BENCH_SKIP_BUILD=1: using the existing dist/');
    return;
  }
  log('npm run build');
  execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
}

/**
 * Builds the current source into a folder of its own instead of dist/, which others may be
 * running servers from (`nest build` empties its outDir first): node_modules/.cache/
 * identity-pools-bench/<name>/dist, inside the project so node still finds node_modules.
 * Same compiler settings and Nest plugins as `npm run build`. Returns the entry to pass to
 * startApp, the folder of the build, and remove() for the end. BENCH_SKIP_BUILD=1 uses the
 * existing dist/ instead (and remove() leaves it alone).
 */
function buildPrivate(name) {
  if (process.env.BENCH_SKIP_BUILD === '1') {
    build();
    return { entry: 'dist/src/main.js', dist: path.join(ROOT, 'dist'), remove() {} };
  }
  const rel = path.join('node_modules', '.cache', 'identity-pools-bench', name);
  const dir = path.join(ROOT, rel);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tsconfig.json'), JSON.stringify({ extends: path.join(ROOT, 'tsconfig.build.json'), compilerOptions: { outDir: path.join(dir, 'dist') } }));
  log(`nest build into ${rel}/dist (dist/ untouched)`);
  // nest resolves -p against the working directory, so it gets the relative path.
  execFileSync('npx', ['nest', 'build', '-p', path.join(rel, 'tsconfig.json')], { cwd: ROOT, stdio: ['ignore', 'ignore', 'inherit'] });
  return {
    entry: path.join(rel, 'dist', 'src', 'main.js'),
    dist: path.join(dir, 'dist'),
    remove: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

function freePort() {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function databaseUrl(name) {
  const url = new URL(PG_ADMIN_URL);
  url.pathname = `/${name}`;
  return url.toString();
}

async function pgClient(name) {
  const client = new Client({ connectionString: name ? databaseUrl(name) : PG_ADMIN_URL });
  await client.connect();
  return client;
}

async function dropDatabase(name) {
  const client = await pgClient();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name.replace(/"/g, '""')}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * Starts the built service as a child process; resolves once /health/live answers 200.
 * `entry` is the main.js to run (default dist/src/main.js; buildPrivate() gives another).
 * BENCH_APP_NODE_ARGS adds node flags to the child (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`).
 */
async function startApp({ database, env = {}, nodeArgs = (process.env.BENCH_APP_NODE_ARGS || '').split(' ').filter(Boolean), entry = 'dist/src/main.js' }) {
  const port = await freePort();
  const child = spawn(process.execPath, [...nodeArgs, entry], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      NODE_ENV: 'development',
      PORT: String(port),
      PUBLIC_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: databaseUrl(database),
      REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379',
      ROOT_API_KEY,
      LOG_LEVEL: 'warn',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => {
    output = (output + chunk.toString()).slice(-20000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = null;
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve((exited = { code, signal }))));

  const base = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited) throw new Error(`the service exited during start (${JSON.stringify(exited)}):\n${output}`);
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the service did not become live within 60 s:\n${output}`);
    }
    try {
      const res = await fetch(`${base}/health/live`);
      if (res.status === 200) break;
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }

  return {
    base,
    port,
    pid: child.pid,
    output: () => output,
    /** SIGTERM (Nest shutdown hooks close HTTP, queues and the pool), SIGKILL after 15 s. */
    async stop() {
      if (exited) return exited;
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        log(`service pid ${child.pid} did not stop within 15 s; SIGKILL`);
        child.kill('SIGKILL');
      }, 15_000);
      const result = await exit;
      clearTimeout(timer);
      return result;
    },
  };
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A small JSON client for setup calls (fetch, root key). */
function apiClient(base) {
  return async function api(method, urlPath, body, expected) {
    const res = await fetch(base + urlPath, {
      method,
      headers: { authorization: `Bearer ${ROOT_API_KEY}`, ...(body !== undefined && { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (expected !== undefined && res.status !== expected) throw new Error(`${method} ${urlPath} → ${res.status} (expected ${expected}): ${text}`);
    return text ? JSON.parse(text) : null;
  };
}

/** Exact percentile (nearest rank) of an ascending array. */
function percentile(sorted, p) {
  if (!sorted.length) return NaN;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/**
 * Sends `total` GET requests with `concurrency` keep-alive connections, each request's
 * path from `nextPath(i)`; returns per-request latencies (ms) and status counts.
 * Uses node:http directly so the client adds as little as possible to each figure.
 */
async function runGets({ base, paths, total, concurrency, headers }) {
  const url = new URL(base);
  const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
  const latencies = [];
  const statuses = {};
  let next = 0;
  let bad = null;
  const one = (p) =>
    new Promise((resolve, reject) => {
      const started = process.hrtime.bigint();
      const req = http.request({ host: url.hostname, port: url.port, path: p, method: 'GET', agent, headers }, (res) => {
        let size = 0;
        let firstChunk = '';
        res.on('data', (chunk) => {
          size += chunk.length;
          if (firstChunk.length < 300) firstChunk += chunk.toString();
        });
        res.on('end', () => {
          const ms = Number(process.hrtime.bigint() - started) / 1e6;
          resolve({ status: res.statusCode, ms, size, firstChunk });
        });
      });
      req.on('error', reject);
      req.end();
    });
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (;;) {
        const i = next++;
        if (i >= total) return;
        const r = await one(paths(i));
        statuses[r.status] = (statuses[r.status] || 0) + 1;
        if (r.status !== 200 && !bad) bad = `${r.status} ${r.firstChunk}`;
        latencies.push(r.ms);
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    requests: latencies.length,
    seconds,
    rps: latencies.length / seconds,
    statuses,
    firstError: bad,
    p50: percentile(latencies, 50),
    p95: percentile(latencies, 95),
    p99: percentile(latencies, 99),
    max: latencies[latencies.length - 1],
  };
}

const CLK_TCK = 100; // USER_HZ on Linux

/** Busy and total CPU ticks of the whole machine (/proc/stat). */
function machineTicks() {
  const f = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0].trim().split(/\s+/).slice(1).map(Number);
  const [user, nice, system, idle, iowait, irq, softirq, steal] = f;
  return { busy: user + nice + system + irq + softirq + (steal || 0), total: user + nice + system + idle + iowait + irq + softirq + (steal || 0) };
}

/** utime + stime of a process, all its threads (ticks); 0 once it is gone. */
function processTicks(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return 0;
  }
}

/**
 * Waits until the machine is idle (busy < maxBusy of all cores over a 1 s sample), at most
 * timeoutMs. This bench shares the machine with whatever else runs on it; a figure taken
 * while another process holds a core says little about the service.
 */
async function waitQuiet({ maxBusy = 0.15, timeoutMs = 90_000 } = {}) {
  const started = Date.now();
  let said = false;
  for (;;) {
    const a = machineTicks();
    await sleep(1000);
    const b = machineTicks();
    const busy = (b.busy - a.busy) / Math.max(1, b.total - a.total);
    if (busy < maxBusy) return { waitedSeconds: (Date.now() - started) / 1000, busy };
    if (Date.now() - started > timeoutMs) {
      log(`machine still ${(busy * 100).toFixed(0)} % busy after ${timeoutMs / 1000} s; measuring anyway (see foreignCores in the results)`);
      return { waitedSeconds: (Date.now() - started) / 1000, busy, timedOut: true };
    }
    if (!said) log(`machine ${(busy * 100).toFixed(0)} % busy with other work; waiting for it to settle`);
    said = true;
  }
}

/**
 * Runs `fn` and accounts the CPU it took: this process, the service, the PostgreSQL
 * backends connected to `database`, and everything else on the machine ("foreign").
 * Cores are CPU-seconds per wall-second.
 */
async function withCpu({ appPid, database }, fn) {
  const backends = new Set();
  const admin = database ? await pgClient() : null;
  const sample = async () => {
    if (!admin) return;
    const { rows } = await admin.query('SELECT pid FROM pg_stat_activity WHERE datname = $1', [database]);
    for (const row of rows) backends.add(row.pid);
  };
  try {
    await sample();
    const pgBefore = new Map([...backends].map((pid) => [pid, processTicks(pid)]));
    const m0 = machineTicks();
    const a0 = appPid ? processTicks(appPid) : 0;
    const s0 = process.cpuUsage();
    const t0 = process.hrtime.bigint();
    const result = await fn();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const self = process.cpuUsage(s0);
    const a1 = appPid ? processTicks(appPid) : 0;
    const m1 = machineTicks();
    await sample();
    let pg = 0;
    for (const pid of backends) pg += processTicks(pid) - (pgBefore.get(pid) ?? 0);
    const cores = (ticks) => ticks / CLK_TCK / seconds;
    const bench = (self.user + self.system) / 1e6 / seconds;
    const app = cores(a1 - a0);
    const pgCores = cores(pg);
    const machineCores = cores(m1.busy - m0.busy);
    const round = (x) => Math.round(x * 100) / 100;
    return {
      result,
      cpu: { seconds: round(seconds), machineCores: round(machineCores), appCores: round(app), postgresCores: round(pgCores), benchCores: round(bench), foreignCores: round(Math.max(0, machineCores - app - pgCores - bench)) },
    };
  } finally {
    if (admin) await admin.end();
  }
}

/**
 * Takes a figure on a shared machine: waits for it to be idle, runs `measure` (which returns
 * withCpu's { result, cpu }), and measures again, up to `attempts` times, while other
 * processes used more than `maxOtherCores` meanwhile. Keeps the attempt with the least
 * other load (never the fastest), and says how many it took. `budget.remainingMs` bounds
 * the waiting over all calls sharing the budget.
 */
async function measureQuietly(measure, { attempts = 4, maxOtherCores = 0.2, budget = { remainingMs: 300_000 }, label = 'figure' } = {}) {
  const tries = [];
  for (let i = 0; i < attempts; i++) {
    const started = Date.now();
    const quiet = await waitQuiet({ timeoutMs: Math.max(0, Math.min(60_000, budget.remainingMs)) });
    budget.remainingMs -= Date.now() - started;
    const { result, cpu } = await measure();
    tries.push({ result, cpu, quiet });
    if (cpu.foreignCores <= maxOtherCores) break;
    if (i < attempts - 1) log(`${label}: other processes used ${cpu.foreignCores} cores meanwhile; measuring again`);
  }
  const best = tries.reduce((a, b) => (b.cpu.foreignCores < a.cpu.foreignCores ? b : a));
  return { ...best, attempts: tries.length, otherCoresPerAttempt: tries.map((t) => t.cpu.foreignCores) };
}

/** The machine and software a figure was measured on. */
async function machine() {
  const cpuinfo = fs.readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.*)/.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown';
  let nproc = os.availableParallelism ? os.availableParallelism() : os.cpus().length;
  try {
    nproc = Number(execFileSync('nproc').toString().trim());
  } catch {
    /* keep os value */
  }
  const client = await pgClient();
  let postgres;
  try {
    postgres = (await client.query('SHOW server_version')).rows[0].server_version;
  } finally {
    await client.end();
  }
  return {
    nproc,
    cpu: model,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    postgres,
    kernel: os.release(),
  };
}

/** The source measured: the git commit (with "+changes" when the tree differs), or BENCH_SOURCE_REV. */
function revision() {
  if (process.env.BENCH_SOURCE_REV) return process.env.BENCH_SOURCE_REV;
  try {
    const commit = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no', '--', 'src'], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    return dirty ? `${commit}+changes in src/` : commit;
  } catch {
    return 'unknown';
  }
}

function writeResults(name, data) {
  const dir = path.join(__dirname, 'results');
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${name}-${new Date().toISOString().replace(/[:.]/g, '-')}.json`);
  fs.writeFileSync(file, JSON.stringify(data, null, 2) + '\n');
  return file;
}

function stamp() {
  return new Date().toISOString().replace(/\D/g, '').slice(0, 14);
}

/** Runs `body`, then `cleanup` also on Ctrl-C / SIGTERM, so no child or database is left behind. */
async function withCleanup(body, cleanup) {
  let cleaning = null;
  const once = () => (cleaning ??= Promise.resolve().then(cleanup).catch((error) => log(`cleanup failed: ${error.message}`)));
  const onSignal = (signal) => {
    log(`${signal}: cleaning up`);
    once().finally(() => process.exit(130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  try {
    return await body();
  } finally {
    await once();
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}

module.exports = {
  ROOT,
  ROOT_API_KEY,
  apiClient,
  build,
  buildPrivate,
  databaseUrl,
  machineTicks,
  measureQuietly,
  processTicks,
  revision,
  waitQuiet,
  withCpu,
  dropDatabase,
  log,
  machine,
  percentile,
  pgClient,
  runGets,
  sleep,
  stamp,
  startApp,
  withCleanup,
  writeResults,
};
