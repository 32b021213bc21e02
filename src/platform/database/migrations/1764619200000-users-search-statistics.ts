import { MigrationInterface, QueryRunner } from 'typeorm';

const SEARCH_INDEXES = ['users_search_email_idx', 'users_search_given_name_idx', 'users_search_family_name_idx', 'users_search_name_idx'];

/**
 * Finer statistics for the user search (`?search=`, a prefix of email, mobile or names).
 *
 * For each search PostgreSQL chooses between walking the pool in (created_at, id) order
 * until a page of matches is found, and collecting every match through the prefix
 * indexes then sorting them. Which is cheaper turns on how many users match (about
 * 0.2 % of the pool is where they cross), and the planner reads that from the histogram
 * of each searched expression. At the default statistics target a histogram bucket is
 * 1 % of the pool, so a prefix matching 0.1 % was estimated at either 0.02 % or 1 %
 * depending on where the sampled bucket bounds fell at the last ANALYZE: with 1 % it
 * walked ~25,000 users evaluating lower() on each (20-50 ms at 1M users instead of 1 ms),
 * and which prefixes were slow changed from one ANALYZE to the next (docs/benchmarks.md).
 * At 1,000 buckets the estimates land within a few percent; planning a search costs
 * ~0.15 ms more and ANALYZE samples 300,000 rows instead of 30,000.
 */
export class UsersSearchStatistics1764619200000 implements MigrationInterface {
  name = 'UsersSearchStatistics1764619200000';

  async up(q: QueryRunner): Promise<void> {
    // Column 2 of each index is its lower(...) expression; mobile is searched as stored.
    for (const index of SEARCH_INDEXES) await q.query(`ALTER INDEX ${index} ALTER COLUMN 2 SET STATISTICS 1000`);
    await q.query(`ALTER TABLE users ALTER COLUMN mobile SET STATISTICS 1000`);
    await q.query(`ANALYZE users`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const index of SEARCH_INDEXES) await q.query(`ALTER INDEX ${index} ALTER COLUMN 2 SET STATISTICS -1`);
    await q.query(`ALTER TABLE users ALTER COLUMN mobile SET STATISTICS -1`);
  }
}
