import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Sign-in: pools connected as identity providers, applications (OAuth clients), the
 * OIDC issuer's storage (one table for every oidc-provider model, as its adapter
 * interface suggests) and its per-workspace keys, and the instant after which a user's
 * tokens and sessions no longer count (disable, delete, password change).
 */
export class SignIn1764316800000 implements MigrationInterface {
  name = 'SignIn1764316800000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE users ADD COLUMN sessions_valid_after timestamptz(3)`);

    await q.query(`
      CREATE TABLE identity_providers (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL,
        type varchar(32) NOT NULL CHECK (type IN ('identity_pool')),
        pool_id uuid NOT NULL,
        sign_in_methods text[] NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        priority integer NOT NULL DEFAULT 0,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now(),
        FOREIGN KEY (pool_id, workspace_id) REFERENCES pools (id, workspace_id) ON DELETE CASCADE
      )`);
    await q.query(`CREATE UNIQUE INDEX identity_providers_pool_key ON identity_providers (pool_id)`);
    await q.query(`CREATE INDEX identity_providers_page_idx ON identity_providers (workspace_id, created_at, id)`);

    await q.query(`
      CREATE TABLE applications (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        name varchar(100) NOT NULL,
        client_id varchar(64) NOT NULL,
        client_secret_hash varchar(64),
        redirect_uris text[] NOT NULL DEFAULT '{}',
        post_logout_redirect_uris text[] NOT NULL DEFAULT '{}',
        grant_types text[] NOT NULL,
        token_endpoint_auth_method varchar(32) NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now(),
        updated_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE UNIQUE INDEX applications_client_id_key ON applications (client_id)`);
    await q.query(`CREATE INDEX applications_page_idx ON applications (workspace_id, created_at, id)`);

    await q.query(`
      CREATE TABLE oidc_payloads (
        workspace_id uuid NOT NULL REFERENCES workspaces (id) ON DELETE CASCADE,
        model varchar(64) NOT NULL,
        id varchar(256) NOT NULL,
        payload jsonb NOT NULL,
        grant_id varchar(256),
        uid varchar(256),
        user_code varchar(256),
        account_id varchar(64),
        expires_at timestamptz(3),
        consumed_at timestamptz(3),
        PRIMARY KEY (workspace_id, model, id)
      )`);
    await q.query(`CREATE INDEX oidc_payloads_grant_idx ON oidc_payloads (workspace_id, grant_id) WHERE grant_id IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_payloads_uid_idx ON oidc_payloads (workspace_id, uid) WHERE uid IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_payloads_user_code_idx ON oidc_payloads (workspace_id, user_code) WHERE user_code IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_payloads_account_idx ON oidc_payloads (account_id) WHERE account_id IS NOT NULL`);
    await q.query(`CREATE INDEX oidc_payloads_expiry_idx ON oidc_payloads (expires_at)`);

    await q.query(`
      CREATE TABLE oidc_keys (
        workspace_id uuid PRIMARY KEY REFERENCES workspaces (id) ON DELETE CASCADE,
        jwks jsonb NOT NULL,
        cookie_keys text[] NOT NULL,
        created_at timestamptz(3) NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of ['oidc_keys', 'oidc_payloads', 'applications', 'identity_providers']) await q.query(`DROP TABLE ${table}`);
    await q.query(`ALTER TABLE users DROP COLUMN sessions_valid_after`);
  }
}
