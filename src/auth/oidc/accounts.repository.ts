import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { preparedQuery } from '../../platform/database/prepared';
import { isUuid } from '../../platform/ids/uuid';
import type { AuthenticationMechanism } from '../../pools/pool.entity';
import type { AccountRecord } from '../../users/users.service';


/** What findAccount reads of `users u`, aliased to AccountRecord's fields. */
export const ACCOUNT_COLUMNS = `u.id, u.pool_id AS "poolId", u.email, u.email_verified AS "emailVerified", u.mobile,
  u.given_name AS "givenName", u.family_name AS "familyName", u.name, u.status,
  u.sessions_valid_after AS "sessionsValidAfter"`;

/** True while `u`'s pool is connected to its workspace and enabled for the sign-in method in `method` (a parameter or literal). */
export function inConnectedPool(method: string): string {
  return `EXISTS (SELECT 1 FROM identity_providers p
                   WHERE p.workspace_id = u.workspace_id AND p.pool_id = u.pool_id AND p.enabled AND ${method} = ANY(p.sign_in_methods))`;
}

/** An account read as JSON (row_to_json, as in OidcPayloadsRepository): timestamps arrive as strings. */
export function accountFromJson(json: Record<string, unknown>): AccountRecord {
  const sessionsValidAfter = json.sessionsValidAfter;
  return { ...(json as unknown as AccountRecord), sessionsValidAfter: typeof sessionsValidAfter === 'string' ? new Date(sessionsValidAfter) : null };
}

/**
 * What findAccount reads on every token, refresh and userinfo request, in one round trip
 * (a prepared statement): the user, provided its pool is connected to the workspace and
 * enabled for the sign-in method. (Two queries through the ORM cost several times the work.)
 */
@Injectable()
export class AccountsRepository {
  constructor(private readonly dataSource: DataSource) {}

  async findInConnectedPool(workspaceId: string, userId: string, method: AuthenticationMechanism): Promise<AccountRecord | null> {
    if (!isUuid(userId)) return null;
    const rows = await preparedQuery<AccountRecord>(
      this.dataSource,
      `SELECT ${ACCOUNT_COLUMNS} FROM users u WHERE u.workspace_id = $1 AND u.id = $2 AND ${inConnectedPool('$3')}`,
      [workspaceId, userId, method],
    );
    return rows[0] ?? null;
  }
}
