import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * users (workspace_id) becomes users (workspace_id, id). group_members references users
 * (id, workspace_id), so every membership insert runs the foreign-key check
 * `SELECT 1 FROM users WHERE id = $1 AND workspace_id = $2`, which PostgreSQL prepares
 * once per connection as a generic plan. Without statistics on users (a new database,
 * or a big first migration before autovacuum's ANALYZE) that plan took users
 * (workspace_id) and filtered on id, reading every user of the workspace for each
 * membership: a 30,000-user import with groups spent 23 of its 26 s there, quadratic in
 * its size. With id in the index, whichever index the plan takes is an exact lookup;
 * queries by workspace alone use its first column as before.
 */
export class UsersWorkspaceIdIndex1764576000000 implements MigrationInterface {
  name = 'UsersWorkspaceIdIndex1764576000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX users_workspace_id_idx ON users (workspace_id, id)`);
    await q.query(`DROP INDEX users_workspace_idx`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`CREATE INDEX users_workspace_idx ON users (workspace_id)`);
    await q.query(`DROP INDEX users_workspace_id_idx`);
  }
}
