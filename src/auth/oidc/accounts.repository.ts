import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../platform/database/prepared';
import type { AuthenticationMechanism } from '../../pools/pool.entity';
import type { AccountRecord } from '../../users/users.service';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What findAccount reads on every token, refresh and userinfo request, in one round trip
 * (a prepared statement): the user, provided its pool is connected to the workspace and
 * enabled for the sign-in method. (Two queries through the ORM cost several times the work.)
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findInConnectedPool(workspaceId: string, userId: string, method: AuthenticationMechanism): Promise<AccountRecord | null> {
    if (!UUID.test(userId)) return null;
    const rows = await preparedQuery<AccountRecord>(
      this.dataSource,
      `SELECT u.id, u.pool_id AS "poolId", u.email, u.email_verified AS "emailVerified", u.mobile,
              u.given_name AS "givenName", u.family_name AS "familyName", u.name, u.status,
              u.sessions_valid_after AS "sessionsValidAfter"
         FROM users u
        WHERE u.workspace_id = $1 AND u.id = $2
          AND EXISTS (SELECT 1 FROM identity_providers p
                       WHERE p.workspace_id = u.workspace_id AND p.pool_id = u.pool_id AND p.enabled AND $3 = ANY(p.sign_in_methods))`,
      [workspaceId, userId, method],
    );
    return rows[0] ?? null;
  }
}
