import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The mail outbox (an email is a row written in the same transaction as what it is
 * about, so nothing is lost when Redis or a worker is down) and the single-use tokens of
 * self-service: email verification and password reset.
 */
export class MailAndSelfService1764403200000 implements MigrationInterface {
  name = 'MailAndSelfService1764403200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE mail_outbox (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        kind varchar(32) NOT NULL,
        recipient varchar(320) NOT NULL,
        payload jsonb NOT NULL,
        status varchar(16) NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        locked_until timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        sent_at timestamptz(3)
      )`);
    await q.query(`CREATE INDEX mail_outbox_unsent_idx ON mail_outbox (created_at) WHERE status IN ('pending', 'sending')`);

    await q.query(`
      CREATE TABLE user_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        purpose varchar(32) NOT NULL CHECK (purpose IN ('email_verification', 'password_reset')),
        token_hash bytea,
        expires_at timestamptz(3) NOT NULL,
        used_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX user_tokens_token_hash_key ON user_tokens (token_hash)`);
    await q.query(`CREATE INDEX user_tokens_user_idx ON user_tokens (user_id, purpose)`);

    // An invitation link names its pool and workspace before anyone has signed in.
    await q.query(`ALTER TABLE invitations ADD COLUMN pool_id uuid, ADD COLUMN workspace_id uuid`);
    await q.query(`UPDATE invitations i SET pool_id = u.pool_id, workspace_id = u.workspace_id FROM users u WHERE u.id = i.user_id`);
    await q.query(`ALTER TABLE invitations ALTER COLUMN pool_id SET NOT NULL, ALTER COLUMN workspace_id SET NOT NULL`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE invitations DROP COLUMN pool_id, DROP COLUMN workspace_id`);
    await q.query(`DROP TABLE user_tokens`);
    await q.query(`DROP TABLE mail_outbox`);
  }
}
