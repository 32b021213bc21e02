#!/usr/bin/env node
'use strict';
/**
 * Benchmark: listing and searching the users of a pool of 1,000,000 users.
 *
 *   npm run bench:users-list            (= node bench/users-list.js)
 *
 * 1. Builds the current source once, as `npm run build` does but into a folder of its own
 *    (bench/lib.js buildPrivate: dist/ may be in use by others); BENCH_SKIP_BUILD=1 runs the
 *    existing dist/ instead.
 * 2. Starts the built `src/main.js` with node on a free 127.0.0.1 port with a fresh database
 *    ip_bench_list_<timestamp> (the service creates and migrates it), LOG_LEVEL=warn.
 * 3. Creates a workspace, a pool and a group through the API, then seeds 1,000,000 users
 *    of that pool directly in PostgreSQL (INSERT ... SELECT generate_series): emails
 *    user<n>@example<k>.com (every 10th with a capital "User"), a mobile for every third,
 *    given/family/display names, 90 % active, 5 % invited (with an invitation row), 3 %
 *    disabled, 2 % pending_verification, created_at spread over ~3 years; ~10 % of them
 *    join the group; VACUUM (ANALYZE).
 * 4. Measures GET .../users latency (p50/p95/p99, exact, per request) for
 *      first   first page, limit 50
 *      deep    a page 10,000 pages deep: the cursor is built as src/platform/pagination/page.ts
 *              builds it (base64url of JSON [createdAtISO, id]) from the row at offset 50 × 10,000
 *              (and the next 9 page boundaries) in (created_at, id) order
 *      search  ?search= email prefixes, broad (user12: 111,111 matches) to narrow (user50000: 11)
 *      group   ?groupId= (the group with ~100,000 members)
 *    each at concurrency 1 and 16, after a warm-up, over keep-alive connections.
 * 5. Goals: p95 ≤ 20 ms at concurrency 1, ≤ 50 ms at concurrency 16; deep-page p95 ≤ 1.5 ×
 *    first-page p95. Prints a table (each figure / its limit, PASS/FAIL), writes JSON to
 *    bench/results/, stops the service and drops the database.
 *
 * The machine may be shared: before each figure it waits (≤ 60 s, ≤ 5 min in all) for the
 * machine to be idle, records the CPU used by the service, its PostgreSQL backends, itself
 * and anything else ("other load") while the figure is taken, and measures again (at most 4
 * times) while the other load exceeded 0.2 cores, keeping the least disturbed attempt.
 *
 * Env:
 *   BENCH_REUSE_DB=<name>  use an already-seeded database (kept afterwards); pending
 *                          migrations are applied by the service at start
 *   BENCH_KEEP_DB=1        keep the fresh database (its name is printed) for BENCH_REUSE_DB
 *   BENCH_USERS            users to seed (default 1000000)
 *   BENCH_REQUESTS_C1, BENCH_REQUESTS_C16   measured requests per scenario (400, 800)
 *   BENCH_QUIET_WAIT_S     total seconds to wait for an idle machine (300; 0 = never wait)
 *   BENCH_ATTEMPTS         measurements per figure at most (4; 1 = keep the first)
 */
const { ROOT_API_KEY, apiClient, buildPrivate, dropDatabase, log, machine, measureQuietly, pgClient, runGets, revision, stamp, startApp, withCleanup, withCpu, writeResults } = require('./lib');

const USERS = Number(process.env.BENCH_USERS || 1_000_000);
const REUSE = process.env.BENCH_REUSE_DB || '';
const PAGE = 50;
const DEEP_PAGES = 10_000;
const RUNS = [
  { concurrency: 1, requests: Number(process.env.BENCH_REQUESTS_C1 || 400), warmup: 40, limitMs: 20 },
  { concurrency: 16, requests: Number(process.env.BENCH_REQUESTS_C16 || 800), warmup: 96, limitMs: 50 },
];
const DEEP_RATIO_LIMIT = 1.5;
const SEARCH_PREFIXES = ['user12', 'user4567', 'user9', 'user305', 'user77', 'user1234', 'user50000', 'user8', 'user246', 'user99999'];
const WORKSPACE_NAME = 'bench list';
const POOL_NAME = 'bench pool';
const GROUP_NAME = 'bench group';
const BATCH = 100_000;
/** At most this long in all is spent waiting for other work on the machine to finish. */
const QUIET_WAIT_BUDGET_MS = Number(process.env.BENCH_QUIET_WAIT_S || 300) * 1000;
/** Measurements per figure at most, while other processes took > 0.2 cores meanwhile. */
const ATTEMPTS = Number(process.env.BENCH_ATTEMPTS || 4);

const GIVEN = ['Ada', 'Grace', 'Alan', 'Linus', 'Barbara', 'Edsger', 'Margaret', 'Dennis', 'Frances', 'Ken', 'Radia', 'Tim', 'Hedy', 'John', 'Katherine', 'Donald', 'Sophie', 'Niklaus', 'Anita', 'Guido', 'Lovelace', 'Mary', 'James', 'Fatima', 'Wei', 'Yuki', 'Olga', 'Pedro', 'Amara', 'Lars'];
const FAMILY = ['Lovelace', 'Hopper', 'Turing', 'Torvalds', 'Liskov', 'Dijkstra', 'Hamilton', 'Ritchie', 'Allen', 'Thompson', 'Perlman', 'Berners-Lee', 'Lamarr', 'McCarthy', 'Johnson', 'Knuth', 'Wilson', 'Wirth', 'Borg', 'van Rossum', 'Nakamura', 'Okafor', 'Silva', 'Schmidt', 'Kowalski', 'Haddad', 'Zhang', 'Ivanova', 'Moreau', 'Andersen', 'Smith', 'Garcia', 'Müller', "O'Brien", 'Nguyen', 'Patel', 'Kim', 'Rossi', 'Dubois', 'Jensen'];

function sqlArray(values) {
  return `ARRAY[${values.map((v) => `'${v.replace(/'/g, "''")}'`).join(', ')}]::text[]`;
}

async function seed(database, ids) {
  const db = await pgClient(database);
  try {
    await db.query(`SET synchronous_commit = off`);
    await db.query(`SET maintenance_work_mem = '256MB'`);
    const started = Date.now();
    for (let lo = 1; lo <= USERS; lo += BATCH) {
      const hi = Math.min(USERS, lo + BATCH - 1);
      await db.query(
        `INSERT INTO users (pool_id, workspace_id, email, mobile, given_name, family_name, name, external_id, attributes,
                            status, email_verified, last_sign_in_at, created_at, updated_at)
         SELECT $1, $2,
                CASE WHEN n % 10 = 0 THEN 'User' ELSE 'user' END || n || '@example' || (n % 50) || '.com',
                CASE WHEN n % 3 = 0 THEN '+1415' || lpad(n::text, 7, '0') END,
                g.given, g.family, g.given || ' ' || g.family,
                CASE WHEN n % 2 = 0 THEN 'crm-' || n END,
                CASE WHEN n % 4 = 0 THEN jsonb_build_object('department', 'dept-' || (n % 12), 'plan', 'pro') ELSE '{}'::jsonb END,
                s.status,
                s.status = 'active' AND n % 4 <> 0,
                CASE WHEN s.status = 'active' AND n % 5 <> 0 THEN c.created_at + ((n * 7) % 400) * interval '1 day' END,
                c.created_at, c.created_at
           FROM generate_series($3::bigint, $4::bigint) AS n
           CROSS JOIN LATERAL (SELECT
                (${sqlArray(GIVEN)})[1 + (n * 31) % ${GIVEN.length}] AS given,
                (${sqlArray(FAMILY)})[1 + (n / 7 * 17 + n) % ${FAMILY.length}] AS family) g
           CROSS JOIN LATERAL (SELECT CASE WHEN (n * 37) % 100 < 90 THEN 'active'
                                           WHEN (n * 37) % 100 < 95 THEN 'invited'
                                           WHEN (n * 37) % 100 < 98 THEN 'disabled'
                                           ELSE 'pending_verification' END AS status) s
           CROSS JOIN LATERAL (SELECT timestamptz '2023-01-01 00:00:00+00' + n * interval '90 seconds'
                                      + ((n * 7919) % 600) * interval '1 second' + ((n * 13) % 1000) * interval '1 millisecond' AS created_at) c`,
        [ids.poolId, ids.workspaceId, lo, hi],
      );
      log(`seeded users ${hi.toLocaleString('en')} / ${USERS.toLocaleString('en')} (${((Date.now() - started) / 1000).toFixed(0)} s)`);
    }
    // Invitations name their pool and workspace from the mail-and-self-service migration on.
    const { rowCount: scoped } = await db.query(
      `SELECT 1 FROM information_schema.columns WHERE table_name = 'invitations' AND column_name = 'pool_id'`,
    );
    await db.query(
      `INSERT INTO invitations (user_id, ${scoped ? 'pool_id, workspace_id, ' : ''}email, token_hash, status, expires_at, sent_at, created_at)
       SELECT id, ${scoped ? 'pool_id, workspace_id, ' : ''}email, sha256(convert_to(id::text, 'UTF8')), 'sent', created_at + interval '72 hours', created_at, created_at
         FROM users WHERE pool_id = $1 AND status = 'invited'`,
      [ids.poolId],
    );
    await db.query(`SELECT setseed(0.42)`);
    await db.query(
      `INSERT INTO group_members (group_id, user_id, workspace_id, created_at)
       SELECT $1, id, workspace_id, created_at + interval '1 day' FROM users WHERE pool_id = $2 AND random() < 0.1`,
      [ids.groupId, ids.poolId],
    );
    // VACUUM as well as ANALYZE: sets hint bits and the visibility map now, as autovacuum
    // would have on a table that grew over years, so neither happens during the measurement.
    log(`invitations and group members (${((Date.now() - started) / 1000).toFixed(0)} s); VACUUM (ANALYZE)`);
    for (const table of ['users', 'invitations', 'group_members']) await db.query(`VACUUM (ANALYZE) ${table}`);
    return (Date.now() - started) / 1000;
  } finally {
    await db.end();
  }
}

/** The ids of the workspace, pool and group of a database seeded by an earlier run. */
async function findSeeded(database) {
  const db = await pgClient(database);
  try {
    const { rows } = await db.query(
      `SELECT w.id AS "workspaceId", p.id AS "poolId", g.id AS "groupId",
              (SELECT count(*)::int FROM users u WHERE u.pool_id = p.id) AS users
         FROM workspaces w JOIN pools p ON p.workspace_id = w.id AND p.name = $2 JOIN groups g ON g.workspace_id = w.id AND g.name = $3
        WHERE w.name = $1 ORDER BY w.created_at DESC LIMIT 1`,
      [WORKSPACE_NAME, POOL_NAME, GROUP_NAME],
    );
    if (!rows.length) throw new Error(`BENCH_REUSE_DB=${database}: no seeded "${WORKSPACE_NAME}" workspace found`);
    return rows[0];
  } finally {
    await db.end();
  }
}

/** Cursors exactly as page.ts encodes them, for the pages starting 10,000 pages deep. */
async function deepCursors(database, poolId) {
  const db = await pgClient(database);
  try {
    const { rows } = await db.query(
      `SELECT created_at, id FROM users WHERE pool_id = $1 ORDER BY created_at, id OFFSET $2 LIMIT $3`,
      [poolId, PAGE * DEEP_PAGES, PAGE * 10],
    );
    return rows
      .filter((_, i) => i % PAGE === 0)
      .map((row) => Buffer.from(JSON.stringify([row.created_at.toISOString(), row.id])).toString('base64url'));
  } finally {
    await db.end();
  }
}

async function main() {
  const host = await machine();
  const built = buildPrivate(`users-list-${stamp()}-${process.pid}`);
  const database = REUSE || `ip_bench_list_${stamp()}`;
  let app = null;
  const outcome = await withCleanup(
    async () => {
      log(`starting the service on database ${database}${REUSE ? ' (reused)' : ''}`);
      app = await startApp({ database, entry: built.entry });
      const api = apiClient(app.base);
      let ids;
      let seedSeconds = null;
      if (REUSE) {
        ids = await findSeeded(database);
        log(`reusing ${ids.users.toLocaleString('en')} seeded users`);
      } else {
        const ws = await api('POST', '/v1/workspaces', { name: WORKSPACE_NAME }, 201);
        const pool = await api('POST', `/v1/workspaces/${ws.id}/pools`, { name: POOL_NAME }, 201);
        const group = await api('POST', `/v1/workspaces/${ws.id}/groups`, { name: GROUP_NAME }, 201);
        ids = { workspaceId: ws.id, poolId: pool.id, groupId: group.id };
        log(`seeding ${USERS.toLocaleString('en')} users`);
        seedSeconds = await seed(database, ids);
      }
      const db = await pgClient(database);
      const counts = (
        await db.query(
          `SELECT (SELECT count(*)::int FROM users WHERE pool_id = $1) AS users,
                  (SELECT count(*)::int FROM group_members WHERE group_id = $2) AS members`,
          [ids.poolId, ids.groupId],
        )
      ).rows[0];
      await db.end();
      const cursors = await deepCursors(database, ids.poolId);

      const usersPath = `/v1/workspaces/${ids.workspaceId}/pools/${ids.poolId}/users`;
      // Sanity: the API agrees with the seed (the first page is full, the deep cursor lands where expected).
      const first = await api('GET', `${usersPath}?limit=${PAGE}`, undefined, 200);
      const deep = await api('GET', `${usersPath}?limit=${PAGE}&cursor=${cursors[0]}`, undefined, 200);
      if (first.items.length !== PAGE || deep.items.length !== PAGE) throw new Error('the API does not return full pages');
      const group = await api('GET', `${usersPath}?limit=${PAGE}&groupId=${ids.groupId}`, undefined, 200);
      if (group.items.length !== PAGE) throw new Error('the group filter does not return a full page');

      const scenarios = {
        first: () => `${usersPath}?limit=${PAGE}`,
        deep: (i) => `${usersPath}?limit=${PAGE}&cursor=${cursors[i % cursors.length]}`,
        search: (i) => `${usersPath}?limit=${PAGE}&search=${SEARCH_PREFIXES[i % SEARCH_PREFIXES.length]}`,
        group: () => `${usersPath}?limit=${PAGE}&groupId=${ids.groupId}`,
      };
      const headers = { authorization: `Bearer ${ROOT_API_KEY}` };
      const results = [];
      const budget = { remainingMs: QUIET_WAIT_BUDGET_MS };
      for (const run of RUNS) {
        for (const [name, paths] of Object.entries(scenarios)) {
          const label = `${name} c=${run.concurrency}`;
          const { result: r, cpu, quiet, attempts, otherCoresPerAttempt } = await measureQuietly(
            async () => {
              await runGets({ base: app.base, paths, total: run.warmup, concurrency: run.concurrency, headers });
              return withCpu({ appPid: app.pid, database }, () => runGets({ base: app.base, paths, total: run.requests, concurrency: run.concurrency, headers }));
            },
            { budget, label, attempts: ATTEMPTS },
          );
          if (r.firstError) throw new Error(`${name} at concurrency ${run.concurrency}: ${r.firstError}`);
          log(
            `${label.padEnd(9)} p50 ${r.p50.toFixed(1)} ms  p95 ${r.p95.toFixed(1)} ms  p99 ${r.p99.toFixed(1)} ms  ` +
              `(${r.rps.toFixed(0)} req/s; CPU cores: service ${cpu.appCores}, postgres ${cpu.postgresCores}, bench ${cpu.benchCores}, other ${cpu.foreignCores}; least disturbed of ${attempts} runs: ${otherCoresPerAttempt.join(', ')})`,
          );
          results.push({ scenario: name, concurrency: run.concurrency, limitMs: run.limitMs, ...r, cpu, quiet, attempts, otherCoresPerAttempt });
        }
      }
      return { ids, counts, seedSeconds, results };
    },
    async () => {
      if (app) await app.stop();
      if (REUSE) log(`keeping reused database ${database}`);
      else if (process.env.BENCH_KEEP_DB === '1') log(`BENCH_KEEP_DB=1: keeping ${database} (BENCH_REUSE_DB=${database} reuses it)`);
      else await dropDatabase(database);
      built.remove();
    },
  );

  const { counts, seedSeconds, results } = outcome;
  const checks = [];
  for (const r of results) {
    checks.push({
      figure: `${r.scenario} p95 @ c=${r.concurrency}`,
      value: r.p95,
      unit: 'ms',
      limit: r.limitMs,
      ratio: r.p95 / r.limitMs,
      pass: r.p95 <= r.limitMs,
      p50: r.p50,
      p99: r.p99,
      requests: r.requests,
      otherCores: r.cpu.foreignCores,
      attempts: r.attempts,
    });
  }
  for (const run of RUNS) {
    const first = results.find((r) => r.scenario === 'first' && r.concurrency === run.concurrency);
    const deep = results.find((r) => r.scenario === 'deep' && r.concurrency === run.concurrency);
    const ratio = deep.p95 / first.p95;
    checks.push({
      figure: `deep p95 / first p95 @ c=${run.concurrency}`,
      value: ratio,
      unit: '×',
      limit: DEEP_RATIO_LIMIT,
      ratio: ratio / DEEP_RATIO_LIMIT,
      pass: ratio <= DEEP_RATIO_LIMIT,
    });
  }
  const pass = checks.every((c) => c.pass);
  const report = {
    bench: 'users-list',
    date: new Date().toISOString(),
    command: 'npm run bench:users-list',
    source: revision(),
    machine: host,
    database: REUSE ? { reused: database } : { fresh: true, seedSeconds },
    users: counts.users,
    groupMembers: counts.members,
    searchPrefixes: SEARCH_PREFIXES,
    results,
    checks,
    pass,
  };
  const file = writeResults('users-list', report);

  const pad = (s, n) => String(s).padEnd(n);
  const num = (x, unit) => (unit === 'ms' ? `${x.toFixed(1)} ms` : `${x.toFixed(2)} ×`);
  console.log('');
  console.log(`users-list — source ${report.source}; ${counts.users.toLocaleString('en')} users in the pool, ${counts.members.toLocaleString('en')} in the group; ${host.nproc} × ${host.cpu}, ${host.ramGiB} GiB, Node ${host.node}, PostgreSQL ${host.postgres}`);
  console.log(`${pad('figure', 30)}${pad('p50', 10)}${pad('value', 12)}${pad('p99', 10)}${pad('limit', 10)}${pad('value/limit', 13)}${pad('result', 8)}other load`);
  for (const c of checks) {
    console.log(
      `${pad(c.figure, 30)}${pad(c.p50 !== undefined ? num(c.p50, 'ms') : '', 10)}${pad(num(c.value, c.unit), 12)}${pad(c.p99 !== undefined ? num(c.p99, 'ms') : '', 10)}${pad(`≤ ${c.unit === 'ms' ? `${c.limit} ms` : `${c.limit} ×`}`, 10)}${pad(c.ratio.toFixed(2), 13)}${pad(c.pass ? 'PASS' : 'FAIL', 8)}${c.otherCores !== undefined ? `${c.otherCores} cores${c.attempts > 1 ? ` (least disturbed of ${c.attempts} runs)` : ''}` : ''}`,
    );
  }
  console.log('("other load": CPU cores used by processes other than this bench, the service and its PostgreSQL backends while the figure was taken)');
  console.log(`overall: ${pass ? 'PASS' : 'FAIL'}   results: ${file}`);
  process.exitCode = pass ? 0 : 1;
}

main().catch((error) => {
  console.error(error);
  process.exit(2);
});
