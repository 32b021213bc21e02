#!/usr/bin/env node
'use strict';
/**
 * Benchmark: bulk migration (NDJSON imports) against its limits.
 *
 *   npm run bench:import          (= node bench/import.js)
 *
 * 1. Builds the current source into a private folder (bench/lib buildPrivate; dist/ is
 *    left alone), starts it on a fresh database ip_bench_import_<timestamp> with
 *    ROLE=all (BENCH_ROLES=split: a ROLE=api and a ROLE=worker process instead).
 * 2. Raw baseline: COPY of 1,000,000 user rows (the same rows the import writes, ids made
 *    the same way: UUIDv7) into the users table of a scratch pool of the same database
 *    (so with the same indexes), with pg-copy-streams, in this process: rows/s. Then
 *    TRUNCATE users (the import starts from the same empty table the COPY did) and
 *    CHECKPOINT, so the COPY's dirty pages are not the import's bill.
 * 3. Import: 1,000,000 NDJSON records generated on the fly and streamed into the request
 *    (never held in memory), each with one precomputed bcrypt hash (reused) and one of 5
 *    groups. Time from the first byte sent to status `completed`; the server's RSS
 *    (/proc/<pid>/status VmRSS) sampled every 250 ms throughout.
 * 4. Plaintext: argon2id hashing in this process with the service's parameters
 *    (m=19456 KiB, t=2, p=1), as many hashes in flight as cores; then 2,000 records with
 *    passwords imported (records/s, first byte to completed); then hashing again with
 *    twice and four times as many in flight. The best of the three is the raw figure.
 * 5. Prints each figure as a ratio against its limit with PASS/FAIL, writes JSON to
 *    bench/results/, drops the database (BENCH_KEEP_DB=1 keeps it).
 *
 * Limits: import ≤ 60 s and RSS ≤ 512 MB; import rows/s ≥ 0.3 × raw COPY rows/s;
 * plaintext import records/s ≥ 0.8 × raw argon2id hashes/s.
 * Env: BENCH_RECORDS (default 1000000), BENCH_PLAIN_RECORDS (2000), BENCH_ROLES
 * (all|split), BENCH_APP_ENV (extra server env as JSON, e.g. '{"IMPORT_CHUNK_SIZE":"5000"}'),
 * BENCH_SKIP_BUILD=1 (use dist/), BENCH_KEEP_DB=1.
 */
const argon2 = require('argon2');
const bcrypt = require('bcryptjs');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const { Readable } = require('node:stream');
const { pipeline } = require('node:stream/promises');
const { from: copyFrom } = require('pg-copy-streams');
const { spawn } = require('node:child_process');
const { ROOT, ROOT_API_KEY, apiClient, buildPrivate, databaseUrl, dropDatabase, log, machine, pgClient, sleep, stamp, startApp, waitQuiet, withCleanup, withCpu, writeResults } = require('./lib');

const RECORDS = Number(process.env.BENCH_RECORDS || 1_000_000);
const PLAIN_RECORDS = Number(process.env.BENCH_PLAIN_RECORDS || 2_000);
const ROLES = process.env.BENCH_ROLES === 'split' ? 'split' : 'all';
const APP_ENV = JSON.parse(process.env.BENCH_APP_ENV || '{}');
const GROUPS = ['engineering', 'sales', 'support', 'finance', 'operations'];
const ARGON2 = { type: argon2.argon2id, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const LIMITS = { seconds: 60, rssMiB: 512, copyRatio: 0.3, hashRatio: 0.8 };
const SAMPLE_MS = 250;
/** One bcrypt hash for every record (cost 10, as typical exports have): storing it costs the same as distinct ones. */
const BCRYPT_HASH = bcrypt.hashSync('migrated password', 10);

function record(i) {
  return {
    externalId: `crm-${i}`,
    email: `user${i}@bench.example`,
    givenName: `Given${i}`,
    familyName: `Family${i}`,
    passwordHash: BCRYPT_HASH,
    groups: [GROUPS[i % GROUPS.length]],
  };
}

/** A UUIDv7, as the importer makes user ids (src/platform/ids/uuid-v7.ts), so the raw COPY writes the same index pattern. */
function uuidV7() {
  const bytes = require('node:crypto').randomBytes(16);
  bytes.writeUIntBE(Date.now(), 0, 6);
  bytes[6] = 0x70 | (bytes[6] & 0x0f);
  bytes[8] = 0x80 | (bytes[8] & 0x3f);
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** NDJSON for records [1..n], made as it is read, ~1,000 lines a chunk. */
function ndjsonStream(n, make) {
  let i = 0;
  return Readable.from(
    (function* () {
      while (i < n) {
        let chunk = '';
        for (const end = Math.min(n, i + 1000); i < end; ) chunk += JSON.stringify(make(++i)) + '\n';
        yield chunk;
      }
    })(),
  );
}

/**
 * A ROLE=worker process: same environment as startApp gives, on a port of its own (its
 * health checks), ready when it logs that it started.
 */
async function startWorker({ database, entry, env = {} }) {
  const child = spawn(process.execPath, [entry], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'development', DATABASE_URL: databaseUrl(database), REDIS_URL: process.env.BENCH_REDIS_URL || 'redis://127.0.0.1:6379', ROOT_API_KEY, LOG_LEVEL: 'info', ...env, ROLE: 'worker', PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  const keep = (chunk) => (output = (output + chunk.toString()).slice(-20000));
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  const exit = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const deadline = Date.now() + 60_000;
  while (!output.includes('worker started')) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`the worker did not start:\n${output}`);
    }
    await sleep(100);
  }
  return {
    pid: child.pid,
    output: () => output,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exit;
      clearTimeout(timer);
    },
  };
}

/** VmRSS of a process in MiB, or null once it is gone. */
function rssMiB(pid) {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) / 1024 : null;
  } catch {
    return null;
  }
}

/** Samples the RSS of `pids` every 250 ms until stopped: max and the series (seconds since start). */
function rssSampler(pids) {
  const started = Date.now();
  const series = Object.fromEntries(Object.keys(pids).map((name) => [name, []]));
  const sample = () => {
    for (const [name, pid] of Object.entries(pids)) {
      const mib = rssMiB(pid);
      if (mib !== null) series[name].push([Math.round((Date.now() - started) / 100) / 10, Math.round(mib)]);
    }
  };
  sample();
  const timer = setInterval(sample, SAMPLE_MS);
  return {
    stop() {
      clearInterval(timer);
      sample();
      return Object.fromEntries(Object.entries(series).map(([name, points]) => [name, { maxMiB: Math.max(...points.map((p) => p[1])), samples: points.length, series: points }]));
    },
  };
}

/** POSTs a streamed NDJSON body; resolves with the 202 body and when the first byte went out. */
function streamUpload(base, path, body) {
  return new Promise((resolve, reject) => {
    const url = new URL(base + path);
    let firstByteAt = null;
    const req = http.request(
      { host: url.hostname, port: url.port, path: url.pathname + url.search, method: 'POST', headers: { authorization: `Bearer ${ROOT_API_KEY}`, 'content-type': 'application/x-ndjson' } },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => {
          if (res.statusCode !== 202) return reject(new Error(`upload → ${res.statusCode}: ${text}`));
          resolve({ job: JSON.parse(text), firstByteAt, answeredAt: Date.now() });
        });
      },
    );
    req.on('error', reject);
    body.once('data', () => (firstByteAt ??= Date.now()));
    body.on('error', reject);
    body.pipe(req);
  });
}

/** Uploads, then polls the job every 250 ms until it ends; times from the first byte sent. */
async function runImport(app, api, wsId, poolId, body, label) {
  const path = `/v1/workspaces/${wsId}/pools/${poolId}/imports`;
  const upload = await streamUpload(app.base, path, body);
  log(`${label}: upload answered 202 after ${((upload.answeredAt - upload.firstByteAt) / 1000).toFixed(1)} s; importing`);
  const progress = [];
  let job;
  let lastLog = Date.now();
  for (;;) {
    job = await api('GET', `${path}/${upload.job.id}`, undefined, 200);
    const at = Date.now();
    progress.push([Math.round((at - upload.firstByteAt) / 100) / 10, job.processed]);
    if (['completed', 'failed', 'cancelled'].includes(job.status)) break;
    if (at - lastLog > 10_000) {
      log(`${label}: ${job.status} ${job.processed}/${job.total}`);
      lastLog = at;
    }
    await sleep(SAMPLE_MS);
  }
  const doneAt = Date.now();
  return {
    job,
    seconds: (doneAt - upload.firstByteAt) / 1000,
    uploadSeconds: (upload.answeredAt - upload.firstByteAt) / 1000,
    processingSeconds: (doneAt - upload.answeredAt) / 1000,
    recordsPerSecond: job.processed / ((doneAt - upload.firstByteAt) / 1000),
    progress: progress.filter((_, i) => i % 4 === 0 || i === progress.length - 1),
  };
}

/** COPY of the import's rows (same columns and values) into a scratch pool's users. */
async function rawCopy(database, wsId, poolId, n) {
  const client = await pgClient(database);
  try {
    const started = process.hrtime.bigint();
    await client.query('BEGIN');
    const copy = client.query(copyFrom('COPY users (id, workspace_id, pool_id, email, given_name, family_name, external_id, attributes, email_verified, status) FROM STDIN'));
    let i = 0;
    const rows = Readable.from(
      (function* () {
        while (i < n) {
          let chunk = '';
          for (const end = Math.min(n, i + 1000); i < end; ) {
            const r = record(++i);
            chunk += `${uuidV7()}\t${wsId}\t${poolId}\t${r.email}\t${r.givenName}\t${r.familyName}\t${r.externalId}\t{}\tf\tactive\n`;
          }
          yield chunk;
        }
      })(),
    );
    await pipeline(rows, copy);
    await client.query('COMMIT');
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    return { rows: n, seconds, rowsPerSecond: n / seconds };
  } finally {
    await client.end();
  }
}

/** argon2id hashes/s in this process at a given number in flight. */
async function rawHashing(total, inFlight) {
  let next = 0;
  const started = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (next++ < total) await argon2.hash(`correct horse battery staple ${next}`, ARGON2);
    }),
  );
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return { hashes: total, inFlight, seconds, hashesPerSecond: total / seconds };
}

async function sql(database, text, params) {
  const client = await pgClient(database);
  try {
    return (await client.query(text, params)).rows;
  } finally {
    await client.end();
  }
}

async function main() {
  const build = buildPrivate(`import-${stamp()}-${process.pid}`);
  const database = `ip_bench_import_${stamp()}`;
  const host = await machine();
  const apps = [];

  const results = await withCleanup(
    async () => {
      log(`starting the service (${ROLES === 'split' ? 'ROLE=api + ROLE=worker' : 'ROLE=all'}) on database ${database}${Object.keys(APP_ENV).length ? ` with ${JSON.stringify(APP_ENV)}` : ''}`);
      const first = await startApp({ database, entry: build.entry, env: { ROLE: ROLES === 'split' ? 'api' : 'all', ...APP_ENV } });
      apps.push(first);
      if (ROLES === 'split') apps.push(await startWorker({ database, entry: build.entry, env: APP_ENV }));
      const [app, worker] = apps;
      const pids = ROLES === 'split' ? { api: app.pid, worker: worker.pid } : { server: app.pid };
      // The process that imports (parses, hashes, writes): its CPU is the "service" figure.
      const workPid = ROLES === 'split' ? worker.pid : app.pid;
      const api = apiClient(app.base);
      const ws = await api('POST', '/v1/workspaces', { name: 'bench import' }, 201);
      const scratch = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: 'raw copy scratch' }, 201);
      const pool = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: 'migrated' }, 201);
      const plainPool = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: 'migrated plaintext' }, 201);

      // Warm the import path (JIT, pools, prepared plans) on a few records in another workspace.
      const warmWs = await api('POST', '/v1/workspaces', { name: 'warm-up' }, 201);
      const warmPool = await api('POST', `/v1/workspaces/${warmWs.id}/pools`, { name: 'warm-up' }, 201);
      await runImport(app, api, warmWs.id, warmPool.id, ndjsonStream(5_000, (i) => ({ ...record(i), email: `warm${i}@bench.example`, externalId: `warm-${i}` })), 'warm-up');

      log(`raw COPY of ${RECORDS.toLocaleString('en')} user rows into a scratch pool`);
      await waitQuiet();
      const { result: raw, cpu: rawCpu } = await withCpu({ database }, () => rawCopy(database, ws.id, scratch.id, RECORDS));
      raw.cpu = rawCpu;
      // The import then starts from the table the COPY started from: empty (a million rows
      // more would make every index deeper and every insert dearer for the import alone).
      log(`raw COPY: ${Math.round(raw.rowsPerSecond).toLocaleString('en')} rows/s; TRUNCATE users, CHECKPOINT`);
      await sql(database, 'TRUNCATE users CASCADE');
      await sql(database, 'CHECKPOINT');

      const quiet = await waitQuiet();
      log(`import of ${RECORDS.toLocaleString('en')} NDJSON records, streamed`);
      const sampler = rssSampler(pids);
      const { result: imported, cpu: importCpu } = await withCpu({ appPid: workPid, database }, () => runImport(app, api, ws.id, pool.id, ndjsonStream(RECORDS, record), 'import'));
      imported.rss = sampler.stop();
      imported.cpu = importCpu;
      imported.quiet = quiet;
      // The staged lines are dropped after the job is marked completed; wait for that (≤ 60 s).
      const dropStarted = Date.now();
      for (;;) {
        const [{ staged }] = await sql(database, `SELECT count(*)::int AS staged FROM import_lines WHERE job_id = $1`, [imported.job.id]);
        if (staged === 0 || Date.now() - dropStarted > 60_000) break;
        await sleep(SAMPLE_MS);
      }
      imported.stagingDroppedAfterSeconds = (Date.now() - dropStarted) / 1000;
      const [check] = await sql(
        database,
        `SELECT (SELECT count(*)::int FROM users WHERE pool_id = $1) AS users,
                (SELECT count(*)::int FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.pool_id = $1) AS credentials,
                (SELECT count(*)::int FROM group_members m JOIN users u ON u.id = m.user_id WHERE u.pool_id = $1) AS memberships,
                (SELECT count(*)::int FROM import_lines WHERE job_id = $2) AS staged`,
        [pool.id, imported.job.id],
      );
      imported.check = check;
      log(`import: ${imported.job.status} in ${imported.seconds.toFixed(1)} s (${check.users} users, ${check.credentials} credentials, ${check.memberships} memberships)`);

      // Raw hashing right before and right after the plaintext import, so the machine's
      // other load weighs on both sides alike; the best of the three is the raw figure.
      const hashing = [];
      const hashRaw = async (inFlight) => {
        await waitQuiet();
        log(`raw argon2id: ${PLAIN_RECORDS} hashes, ${inFlight} in flight`);
        const { result, cpu } = await withCpu({}, () => rawHashing(PLAIN_RECORDS, inFlight));
        hashing.push({ ...result, cpu, perCore: result.hashesPerSecond / Math.max(0.01, cpu.benchCores) });
      };
      await rawHashing(20, os.availableParallelism());
      await hashRaw(os.availableParallelism());
      await waitQuiet();
      log(`plaintext import of ${PLAIN_RECORDS.toLocaleString('en')} records`);
      const plainSampler = rssSampler(pids);
      const { result: plain, cpu: plainCpu } = await withCpu({ appPid: workPid, database }, () =>
        runImport(app, api, ws.id, plainPool.id, ndjsonStream(PLAIN_RECORDS, (i) => ({ email: `plain${i}@bench.example`, password: `correct horse battery staple ${i}` })), 'plaintext'),
      );
      plain.rss = plainSampler.stop();
      plain.cpu = plainCpu;
      plain.perCore = plain.recordsPerSecond / Math.max(0.01, plainCpu.appCores);
      for (const app of apps.splice(0)) await app.stop();
      for (const factor of [2, 4]) await hashRaw(os.availableParallelism() * factor);
      return { raw, imported, plain, hashing };
    },
    async () => {
      for (const app of apps) await app.stop();
      if (process.env.BENCH_KEEP_DB === '1') log(`BENCH_KEEP_DB=1: keeping ${database}`);
      else await dropDatabase(database);
      build.remove();
    },
  );

  const { raw, imported, plain, hashing } = results;
  const rawHash = hashing.reduce((best, h) => (h.hashesPerSecond > best.hashesPerSecond ? h : best));
  const importRss = ROLES === 'split' ? imported.rss.api.maxMiB : imported.rss.server.maxMiB;
  const complete = (job, n) => job.status === 'completed' && job.total === n && job.processed === n && job.created === n && job.failed === 0;
  const figures = [
    { name: `import ${RECORDS.toLocaleString('en')} records, first byte → completed`, value: imported.seconds, unit: 's', limit: LIMITS.seconds, kind: 'max' },
    { name: `server RSS, max of ${imported.rss[ROLES === 'split' ? 'api' : 'server'].samples} samples${ROLES === 'split' ? ' (api process)' : ''}`, value: importRss, unit: 'MiB', limit: LIMITS.rssMiB, kind: 'max' },
    ...(ROLES === 'split' ? [{ name: `worker RSS, max`, value: imported.rss.worker.maxMiB, unit: 'MiB', limit: LIMITS.rssMiB, kind: 'max' }] : []),
    { name: `import rows/s vs raw COPY rows/s (${Math.round(imported.recordsPerSecond)} / ${Math.round(raw.rowsPerSecond)})`, value: imported.recordsPerSecond / raw.rowsPerSecond, unit: '×', limit: LIMITS.copyRatio, kind: 'min' },
    { name: `plaintext import records/s vs raw argon2id hashes/s (${plain.recordsPerSecond.toFixed(1)} / ${rawHash.hashesPerSecond.toFixed(1)})`, value: plain.recordsPerSecond / rawHash.hashesPerSecond, unit: '×', limit: LIMITS.hashRatio, kind: 'min' },
  ].map((f) => ({ ...f, ratio: f.value / f.limit, pass: f.kind === 'max' ? f.value <= f.limit : f.value >= f.limit }));
  const correct = complete(imported.job, RECORDS) && imported.check.users === RECORDS && imported.check.credentials === RECORDS && imported.check.memberships === RECORDS && imported.check.staged === 0 && complete(plain.job, PLAIN_RECORDS);
  const pass = correct && figures.every((f) => f.pass);
  const report = {
    bench: 'import',
    date: new Date().toISOString(),
    command: 'npm run bench:import',
    machine: host,
    settings: { records: RECORDS, plainRecords: PLAIN_RECORDS, roles: ROLES, appEnv: APP_ENV, argon2: { memoryCost: ARGON2.memoryCost, timeCost: ARGON2.timeCost, parallelism: ARGON2.parallelism }, groups: GROUPS.length, rssSampleMs: SAMPLE_MS },
    limits: LIMITS,
    figures,
    correct,
    pass,
    raw,
    imported,
    plain,
    hashing,
  };
  const file = writeResults('import', report);

  console.log('');
  console.log(`import — ${host.nproc} × ${host.cpu}, ${host.ramGiB} GiB, Node ${host.node}, PostgreSQL ${host.postgres}, ${ROLES === 'split' ? 'ROLE=api + ROLE=worker' : 'ROLE=all'}`);
  for (const f of figures) {
    const value = f.unit === '×' ? f.value.toFixed(3) : f.value.toFixed(1);
    console.log(`  ${f.name}: ${value} ${f.unit}  limit ${f.kind === 'max' ? '≤' : '≥'} ${f.limit} ${f.unit}  → ${f.ratio.toFixed(2)} × the limit  ${f.pass ? 'PASS' : 'FAIL'}`);
  }
  console.log(`  upload (first byte → 202) ${imported.uploadSeconds.toFixed(1)} s, processing (202 → completed) ${imported.processingSeconds.toFixed(1)} s, staged lines dropped ${imported.stagingDroppedAfterSeconds.toFixed(1)} s after; raw COPY ${raw.seconds.toFixed(1)} s`);
  console.log(`  CPU cores during the import: service ${imported.cpu.appCores}, postgres ${imported.cpu.postgresCores}, bench ${imported.cpu.benchCores}, other ${imported.cpu.foreignCores}`);
  console.log(`  raw argon2id: ${hashing.map((h) => `${h.hashesPerSecond.toFixed(1)}/s at ${h.inFlight} in flight (other load ${h.cpu.foreignCores} cores)`).join(', ')}; plaintext import other load ${plain.cpu.foreignCores} cores`);
  console.log(`  per busy core: plaintext import ${plain.perCore.toFixed(1)} records/s, raw argon2id ${rawHash.perCore.toFixed(1)} hashes/s (${(plain.perCore / rawHash.perCore).toFixed(3)} ×)`);
  console.log(`  counts and rows exact: ${correct ? 'yes' : `NO ${JSON.stringify({ job: imported.job, check: imported.check, plain: plain.job })}`}`);
  console.log(`  results: ${file}`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
