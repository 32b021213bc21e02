import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The token hash of the link an email carried before the latest send of that same email
 * (a retry after a failed or interrupted send mints a new token). A copy that did arrive
 * keeps working instead of answering "not valid".
 */
export class PreviousLinkTokens1765008000000 implements MigrationInterface {
  name = 'PreviousLinkTokens1765008000000';

  async up(q: QueryRunner): Promise<void> {
    for (const table of ['invitations', 'user_tokens']) {
      await q.query(`ALTER TABLE ${table} ADD COLUMN previous_token_hash bytea`);
      await q.query(`CREATE UNIQUE INDEX ${table}_previous_token_hash_key ON ${table} (previous_token_hash)`);
    }
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['invitations', 'user_tokens']) await q.query(`ALTER TABLE ${table} DROP COLUMN previous_token_hash`);
  }
}
