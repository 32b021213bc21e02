import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Bulk migration jobs. An upload is staged line by line (COPY) before the API answers,
 * so it survives any crash; the worker advances `checkpoint` in the same transaction as
 * the users it writes, so a killed worker resumes exactly where it stopped.
 */
export class Imports1764489600000 implements MigrationInterface {
  name = 'Imports1764489600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE import_jobs (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL,
        pool_id uuid NOT NULL,
        status varchar(16) NOT NULL CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
        options jsonb NOT NULL,
        total integer NOT NULL DEFAULT 0,
        processed integer NOT NULL DEFAULT 0,
        created integer NOT NULL DEFAULT 0,
        updated integer NOT NULL DEFAULT 0,
        skipped integer NOT NULL DEFAULT 0,
        failed integer NOT NULL DEFAULT 0,
        checkpoint integer NOT NULL DEFAULT 0,
        cancel_requested boolean NOT NULL DEFAULT false,
        error text,
        lease_owner varchar(64),
        lease_until timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        started_at timestamptz(3),
        finished_at timestamptz(3),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (pool_id, workspace_id) REFERENCES pools (id, workspace_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX import_jobs_page_idx ON import_jobs (pool_id, created_at, id)`);
    await q.query(`CREATE INDEX import_jobs_active_idx ON import_jobs (workspace_id, status) WHERE status IN ('queued', 'running')`);

    // data NULL marks a line that was too long to keep; it becomes that line's error.
    await q.query(`
      CREATE TABLE import_lines (
        job_id uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
        line integer NOT NULL,
        data text,
        PRIMARY KEY (job_id, line)
      )`);

    await q.query(`
      CREATE TABLE import_errors (
        job_id uuid NOT NULL REFERENCES import_jobs (id) ON DELETE CASCADE,
        line integer NOT NULL,
        identifier varchar(320),
        code varchar(64) NOT NULL,
        message text NOT NULL,
        PRIMARY KEY (job_id, line)
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['import_errors', 'import_lines', 'import_jobs']) await q.query(`DROP TABLE ${table}`);
  }
}
