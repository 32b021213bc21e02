import { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The algorithm each application's ID and access tokens are signed with (a Keycloak
 * client's signature algorithm). Existing applications keep RS256, what they got so far.
 */
export class ApplicationTokenSigningAlg1764921600000 implements MigrationInterface {
  name = 'ApplicationTokenSigningAlg1764921600000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications ADD COLUMN token_signing_alg varchar NOT NULL DEFAULT 'RS256'`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`ALTER TABLE applications DROP COLUMN token_signing_alg`);
  }
}
