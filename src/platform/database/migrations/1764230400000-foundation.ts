import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workspaces, API keys, pools, users, credentials, invitations and groups.
 * Tenant consistency is a constraint, not only code: a user's workspace must be its
 * pool's, and a membership's group and user must share one workspace (composite FKs).
 */
export class Foundation1764230400000 implements MigrationInterface {
  name = 'Foundation1764230400000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE workspaces (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name varchar(100) NOT NULL,
        description varchar(500),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX workspaces_page_idx ON workspaces (created_at, id)`);

    await q.query(`
      CREATE TABLE api_keys (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        key_hash bytea NOT NULL,
        key_prefix varchar(16) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        last_used_at timestamptz(3)
      )`);
    await q.query(`CREATE UNIQUE INDEX api_keys_key_hash_key ON api_keys (key_hash)`);
    await q.query(`CREATE INDEX api_keys_page_idx ON api_keys (workspace_id, created_at, id)`);

    await q.query(`
      CREATE TABLE pools (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(500),
        authentication_mechanisms text[] NOT NULL DEFAULT '{password}',
        password_policy jsonb NOT NULL,
        self_registration jsonb NOT NULL,
        invitation_ttl_hours integer NOT NULL DEFAULT 72,
        lockout jsonb NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (id, workspace_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX pools_name_key ON pools (workspace_id, lower(name))`);
    await q.query(`CREATE INDEX pools_page_idx ON pools (workspace_id, created_at, id)`);

    await q.query(`
      CREATE TABLE users (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        pool_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        email varchar(320),
        mobile varchar(16),
        given_name varchar(200),
        family_name varchar(200),
        name varchar(200),
        external_id varchar(255),
        attributes jsonb NOT NULL DEFAULT '{}',
        status varchar(32) NOT NULL CHECK (status IN ('invited', 'pending_verification', 'active', 'disabled')),
        email_verified boolean NOT NULL DEFAULT false,
        failed_sign_ins integer NOT NULL DEFAULT 0,
        locked_until timestamptz(3),
        last_sign_in_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        CHECK (email IS NOT NULL OR mobile IS NOT NULL),
        UNIQUE (id, workspace_id),
        FOREIGN KEY (pool_id, workspace_id) REFERENCES pools (id, workspace_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX users_email_key ON users (pool_id, lower(email))`);
    await q.query(`CREATE UNIQUE INDEX users_mobile_key ON users (pool_id, mobile)`);
    await q.query(`CREATE UNIQUE INDEX users_external_id_key ON users (pool_id, external_id)`);
    await q.query(`CREATE INDEX users_page_idx ON users (pool_id, created_at, id)`);
    await q.query(`CREATE INDEX users_status_page_idx ON users (pool_id, status, created_at, id)`);
    // Prefix search (LIKE 'abc%') on each searchable field; text_pattern_ops makes LIKE indexable under any collation.
    for (const [index, expression] of [
      ['users_search_email_idx', 'lower(email)'],
      ['users_search_mobile_idx', 'mobile'],
      ['users_search_given_name_idx', 'lower(given_name)'],
      ['users_search_family_name_idx', 'lower(family_name)'],
      ['users_search_name_idx', 'lower(name)'],
    ]) {
      await q.query(`CREATE INDEX ${index} ON users (pool_id, (${expression}) text_pattern_ops)`);
    }
    await q.query(`CREATE INDEX users_workspace_idx ON users (workspace_id)`);

    await q.query(`
      CREATE TABLE credentials (
        user_id uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
        password_hash text NOT NULL,
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);

    await q.query(`
      CREATE TABLE invitations (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        user_id uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
        email varchar(320) NOT NULL,
        token_hash bytea,
        status varchar(16) NOT NULL CHECK (status IN ('queued', 'sent', 'failed', 'accepted', 'revoked')),
        expires_at timestamptz(3) NOT NULL,
        sent_at timestamptz(3),
        accepted_at timestamptz(3),
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX invitations_token_hash_key ON invitations (token_hash)`);
    await q.query(`CREATE INDEX invitations_user_idx ON invitations (user_id, created_at DESC)`);

    await q.query(`
      CREATE TABLE groups (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        description varchar(500),
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        UNIQUE (id, workspace_id)
      )`);
    await q.query(`CREATE UNIQUE INDEX groups_name_key ON groups (workspace_id, lower(name))`);
    await q.query(`CREATE INDEX groups_page_idx ON groups (workspace_id, created_at, id)`);

    await q.query(`
      CREATE TABLE group_members (
        group_id uuid NOT NULL,
        user_id uuid NOT NULL,
        workspace_id uuid NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        PRIMARY KEY (group_id, user_id),
        FOREIGN KEY (group_id, workspace_id) REFERENCES groups (id, workspace_id) ON DELETE CASCADE,
        FOREIGN KEY (user_id, workspace_id) REFERENCES users (id, workspace_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE INDEX group_members_user_idx ON group_members (user_id, group_id)`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['group_members', 'groups', 'invitations', 'credentials', 'users', 'pools', 'api_keys', 'workspaces']) {
      await q.query(`DROP TABLE ${table}`);
    }
  }
}
