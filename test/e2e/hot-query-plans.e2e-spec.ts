import { Client } from 'pg';
import { TOKEN_WITH_GRANT_AND_ACCOUNT } from '../../src/auth/oidc/oidc-payloads.repository';
import { SIGN_IN_LOOKUP } from '../../src/users/users.repository';
import { connectPool, createPool, createUser, createWorkspace } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

interface PlanRoot {
  'Actual Rows': number;
  'Shared Hit Blocks': number;
  'Shared Read Blocks': number;
}

/**
 * The statements every sign-in and refresh runs are prepared; once PostgreSQL settles on a
 * statement's generic plan, it must stay a lookup by key however many rows the workspace
 * holds, statistics stale or not (a table grown since its last ANALYZE): a sign-in costs the
 * same at the thousandth user as at the millionth.
 */
describe('hot statements: query plans', () => {
  const ROWS = 3000;
  let t: TestApp;
  let db: Client;
  let ws: string;
  let pool: string;
  let user: { id: string; email: string };

  beforeAll(async () => {
    t = await startTestApp();
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    user = await createUser(t, ws, pool);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    // Statistics as after fast growth: no ANALYZE since the tables were nearly empty.
    await db.query(`ALTER TABLE oidc_payloads SET (autovacuum_enabled = false); ALTER TABLE users SET (autovacuum_enabled = false)`);
    await db.query(`SET plan_cache_mode = force_generic_plan`);
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  /** Runs `sql` as a prepared statement under its generic plan with `args` (SQL literals: EXPLAIN takes no bind parameters). */
  async function explain(name: string, sql: string, args: string): Promise<PlanRoot> {
    await db.query(`PREPARE ${name} AS ${sql}`);
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: PlanRoot }] }>(`EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE ${name}(${args})`);
    return rows[0]['QUERY PLAN'][0].Plan;
  }
  const pages = (plan: PlanRoot) => plan['Shared Hit Blocks'] + plan['Shared Read Blocks'];

  it(`a token with its grant and account: a handful of pages among ${ROWS} grants`, async () => {
    await db.query(
      `INSERT INTO oidc_payloads (workspace_id, model, id, payload, account_id, expires_at)
       SELECT $1, 'Grant', 'grant-' || n, jsonb_build_object('accountId', $2::text), $2, now() + interval '1 day' FROM generate_series(1, $3::int) AS n`,
      [ws, user.id, ROWS],
    );
    await db.query(
      `INSERT INTO oidc_payloads (workspace_id, model, id, payload, grant_id, account_id, expires_at)
       VALUES ($1, 'RefreshToken', 'refresh-1', jsonb_build_object('grantId', $3::text, 'accountId', $2::text), $3, $2, now() + interval '1 day')`,
      [ws, user.id, `grant-${ROWS}`],
    );
    const plan = await explain('token_with_grant', TOKEN_WITH_GRANT_AND_ACCOUNT, `'${ws}', 'RefreshToken', 'refresh-1'`);
    expect(plan['Actual Rows']).toBe(1);
    // The token, its grant and the account are three index lookups: about a dozen pages. Scanning the grants took hundreds.
    expect(pages(plan)).toBeLessThan(40);
    const found = await db.query(`EXECUTE token_with_grant('${ws}', 'RefreshToken', 'refresh-1')`);
    expect(found.rows[0]).toMatchObject({ grant_payload: { accountId: user.id }, account: { id: user.id, status: 'active' } });
  });

  it(`the user a sign-in names, by email or mobile: a handful of pages among ${ROWS} users`, async () => {
    const other = (await createPool(t, ws)).id;
    await db.query(
      `INSERT INTO users (workspace_id, pool_id, email, mobile, status)
       SELECT $1, $2, 'user-' || n || '@example.com', '+1555' || lpad(n::text, 7, '0'), 'active' FROM generate_series(1, $3::int) AS n`,
      [ws, pool, ROWS],
    );
    // The same address in a pool of lower priority: the first pool in the list wins.
    await db.query(`INSERT INTO users (workspace_id, pool_id, email, status) VALUES ($1, $2, 'user-7@example.com', 'active')`, [ws, other]);
    const pools = `'${ws}', '{${pool},${other}}'`;

    const byEmail = await explain('sign_in_by_email', SIGN_IN_LOOKUP.email, `${pools}, 'User-7@Example.com'`);
    expect(byEmail['Actual Rows']).toBe(1);
    expect(pages(byEmail)).toBeLessThan(20);
    const found = await db.query(`EXECUTE sign_in_by_email(${pools}, 'User-7@Example.com')`);
    expect(found.rows).toEqual([expect.objectContaining({ poolId: pool, status: 'active', passwordHash: null })]);
    const reversed = await db.query(`EXECUTE sign_in_by_email('${ws}', '{${other},${pool}}', 'user-7@example.com')`);
    expect(reversed.rows).toEqual([expect.objectContaining({ poolId: other })]);

    const byMobile = await explain('sign_in_by_mobile', SIGN_IN_LOOKUP.mobile, `${pools}, '+15550000007'`);
    expect(byMobile['Actual Rows']).toBe(1);
    expect(pages(byMobile)).toBeLessThan(20);

    // Another workspace's pool id never finds this workspace's users.
    const elsewhere = (await createWorkspace(t)).id;
    expect((await db.query(`EXECUTE sign_in_by_email('${elsewhere}', '{${pool}}', 'user-7@example.com')`)).rows).toEqual([]);
  });
});
