import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A verification or reset link is bound to the address it was mailed to, as an
 * invitation is: once an admin changes the user's email, the old link must neither
 * verify the new address nor set a password through it. Rows from before have no
 * address and are judged as before.
 */
export class UserTokenEmail1764748800000 implements MigrationInterface {
  name = 'UserTokenEmail1764748800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_tokens ADD COLUMN email varchar`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE user_tokens DROP COLUMN email`);
  }
}
