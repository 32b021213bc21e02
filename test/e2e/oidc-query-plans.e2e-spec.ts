import { Client } from 'pg';
import { TOKEN_WITH_GRANT_AND_ACCOUNT } from '../../src/auth/oidc/oidc-payloads.repository';
import { connectPool, createPool, createUser, createWorkspace } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Every refresh and authorization code reads its token with its grant and account in one
 * prepared statement. Once PostgreSQL settles on the statement's generic plan, it must stay
 * a lookup by key however many grants the workspace holds, statistics stale or not: a refresh
 * costs the same at the thousandth grant as at the millionth.
 */
describe('OIDC storage query plans', () => {
  const GRANTS = 3000;
  let t: TestApp;
  let db: Client;
  let ws: string;

  beforeAll(async () => {
    t = await startTestApp();
    ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    const user = await createUser(t, ws, pool);
    db = new Client({ connectionString: t.databaseUrl });
    await db.connect();
    // Statistics as after fast growth: no ANALYZE since the table was empty.
    await db.query(`ALTER TABLE oidc_payloads SET (autovacuum_enabled = false)`);
    await db.query(
      `INSERT INTO oidc_payloads (workspace_id, model, id, payload, grant_id, account_id, expires_at)
       SELECT $1, 'Grant', 'grant-' || n, jsonb_build_object('accountId', $2::text), NULL, $2, now() + interval '1 day' FROM generate_series(1, $3::int) AS n`,
      [ws, user.id, GRANTS],
    );
    await db.query(
      `INSERT INTO oidc_payloads (workspace_id, model, id, payload, grant_id, account_id, expires_at)
       VALUES ($1, 'RefreshToken', 'refresh-1', jsonb_build_object('grantId', $3::text, 'accountId', $2::text), $3, $2, now() + interval '1 day')`,
      [ws, user.id, `grant-${GRANTS}`],
    );
  });
  afterAll(async () => {
    await db?.end();
    await t?.close();
  });

  it(`a token with its grant and account: a handful of pages under the generic plan, among ${GRANTS} grants`, async () => {
    await db.query(`SET plan_cache_mode = force_generic_plan`);
    await db.query(`PREPARE token_with_grant AS ${TOKEN_WITH_GRANT_AND_ACCOUNT}`);
    const { rows } = await db.query<{ 'QUERY PLAN': [{ Plan: { 'Actual Rows': number; 'Shared Hit Blocks': number; 'Shared Read Blocks': number } }] }>(
      // EXPLAIN takes no bind parameters; the workspace id is a UUID the API made.
      `EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) EXECUTE token_with_grant('${ws}', 'RefreshToken', 'refresh-1')`,
    );
    const [{ Plan: plan }] = rows[0]['QUERY PLAN'];
    expect(plan['Actual Rows']).toBe(1);
    // The token, its grant and the account are three index lookups: about a dozen pages. Scanning the grants took hundreds.
    expect(plan['Shared Hit Blocks'] + plan['Shared Read Blocks']).toBeLessThan(40);

    const found = await db.query(`EXECUTE token_with_grant('${ws}', 'RefreshToken', 'refresh-1')`);
    expect(found.rows[0]).toMatchObject({ grant_payload: { accountId: expect.any(String) }, account: { status: 'active' } });
  });
});
