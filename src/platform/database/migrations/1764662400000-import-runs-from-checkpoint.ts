import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Counts the runs of an import that started from the same checkpoint, so an upload that
 * kills every worker that takes it (each death hands it to the next after its lease)
 * fails after a few tries instead of taking the workers down forever.
 */
export class ImportRunsFromCheckpoint1764662400000 implements MigrationInterface {
  name = 'ImportRunsFromCheckpoint1764662400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_jobs ADD COLUMN run_from integer, ADD COLUMN runs_from_checkpoint integer NOT NULL DEFAULT 0`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE import_jobs DROP COLUMN run_from, DROP COLUMN runs_from_checkpoint`);
  }
}
