import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { preparedQuery } from '../../platform/database/prepared';
import type { AccountRecord } from '../../users/users.service';
import { ACCOUNT_COLUMNS, accountFromJson, inConnectedPool } from './accounts.repository';
import { OidcPayload } from './oidc-payload.entity';

const SWEEP_INTERVAL_MS = 10 * 60_000;

/**
 * A token with its grant and its account, by ($1 workspace, $2 model, $3 id). The grant is a
 * LATERAL subquery with LIMIT 1, which PostgreSQL cannot flatten into a join, so it is
 * always a primary-key lookup by the token's grant id. As a plain join, the prepared
 * statement's generic plan over stale statistics (a table grown since its last ANALYZE)
 * scanned every grant of the workspace and filtered: 342 buffers instead of 12 per refresh
 * after 2,400 sign-ins, linear in the grants kept (docs/benchmarks.md).
 */
export const TOKEN_WITH_GRANT_AND_ACCOUNT = `SELECT t.payload, t.consumed_at, g.payload AS grant_payload, g.consumed_at AS grant_consumed_at, row_to_json(a) AS account
         FROM oidc_payloads t
         LEFT JOIN LATERAL (
           SELECT g.payload, g.consumed_at FROM oidc_payloads g
            WHERE g.workspace_id = t.workspace_id AND g.model = 'Grant' AND g.id = t.grant_id AND (g.expires_at IS NULL OR g.expires_at > now())
            LIMIT 1
         ) g ON true
         LEFT JOIN LATERAL (
           SELECT ${ACCOUNT_COLUMNS} FROM users u
            WHERE u.workspace_id = t.workspace_id AND ${inConnectedPool("'password'")}
              AND u.id = CASE WHEN t.account_id ~ '^[0-9a-fA-F-]{36}$' THEN t.account_id::uuid END
         ) a ON true
        WHERE t.workspace_id = $1 AND t.model = $2 AND t.id = $3 AND (t.expires_at IS NULL OR t.expires_at > now())
        LIMIT 1`;

/** An application an account holds live grants with. */
export interface ClientGrants {
  clientId: string;
  /** The oldest grant's creation, in seconds. */
  since: number;
  scopes: string[];
}

/**
 * Storage behind the oidc-provider adapter; every method is scoped to one workspace.
 * Every token request passes through here several times, so the request paths are
 * prepared statements.
 */
@Injectable()
export class OidcPayloadsRepository implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OidcPayloadsRepository.name);
  private sweeper?: NodeJS.Timeout;

  constructor(@InjectRepository(OidcPayload) private readonly payloads: Repository<OidcPayload>) {}

  async upsert(workspaceId: string, model: string, id: string, payload: Record<string, unknown>, expiresInSeconds?: number): Promise<void> {
    await preparedQuery(
      this.payloads.manager.connection,
      `INSERT INTO oidc_payloads (workspace_id, model, id, payload, grant_id, uid, user_code, account_id, expires_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, CASE WHEN $9::int IS NULL THEN NULL ELSE now() + make_interval(secs => $9::int) END)
       ON CONFLICT (workspace_id, model, id) DO UPDATE
         SET payload = EXCLUDED.payload, grant_id = EXCLUDED.grant_id, uid = EXCLUDED.uid,
             user_code = EXCLUDED.user_code, account_id = EXCLUDED.account_id, expires_at = EXCLUDED.expires_at`,
      [
        workspaceId,
        model,
        id,
        payload,
        payload.grantId ?? null,
        payload.uid ?? null,
        payload.userCode ?? null,
        payload.accountId ?? null,
        expiresInSeconds ?? null,
      ],
    );
  }

  async find(workspaceId: string, model: string, where: { id?: string; uid?: string; userCode?: string }): Promise<Record<string, unknown> | undefined> {
    const [column, value] = where.id !== undefined ? ['id', where.id] : where.uid !== undefined ? ['uid', where.uid] : ['user_code', where.userCode];
    const rows = await preparedQuery<{ payload: Record<string, unknown>; consumed_at: Date | null }>(
      this.payloads.manager.connection,
      `SELECT payload, consumed_at FROM oidc_payloads
        WHERE workspace_id = $1 AND model = $2 AND ${column} = $3 AND (expires_at IS NULL OR expires_at > now())
        LIMIT 1`,
      [workspaceId, model, value],
    );
    const row = rows[0];
    return row ? withConsumed(row.payload, row.consumed_at) : undefined;
  }

  /**
   * A token by id together with the grant it belongs to and the account it names (as
   * findAccount would read it: a user of a pool connected for passwords), in one round
   * trip: oidc-provider reads both right after a refresh token or an authorization code
   * (validateGrant, validateAccount). `grant` and `account` are undefined when the token
   * names none, null when it is gone.
   */
  async findWithGrantAndAccount(
    workspaceId: string,
    model: string,
    id: string,
  ): Promise<{ payload: Record<string, unknown>; grant: Record<string, unknown> | null | undefined; account: AccountRecord | null | undefined } | undefined> {
    const rows = await preparedQuery<{
      payload: Record<string, unknown>;
      consumed_at: Date | null;
      grant_payload: Record<string, unknown> | null;
      grant_consumed_at: Date | null;
      account: Record<string, unknown> | null;
    }>(
      this.payloads.manager.connection,
      TOKEN_WITH_GRANT_AND_ACCOUNT,
      [workspaceId, model, id],
    );
    const row = rows[0];
    if (!row) return undefined;
    const payload = withConsumed(row.payload, row.consumed_at);
    const grant = typeof payload.grantId !== 'string' ? undefined : row.grant_payload ? withConsumed(row.grant_payload, row.grant_consumed_at) : null;
    const account = typeof payload.accountId !== 'string' ? undefined : row.account ? accountFromJson(row.account) : null;
    return { payload, grant, account };
  }

  /** Marks the payload spent; false when it was spent already (by a concurrent request) or is gone. */
  async consume(workspaceId: string, model: string, id: string): Promise<boolean> {
    const rows = await preparedQuery(
      this.payloads.manager.connection,
      `UPDATE oidc_payloads SET consumed_at = now() WHERE workspace_id = $1 AND model = $2 AND id = $3 AND consumed_at IS NULL RETURNING 1`,
      [workspaceId, model, id],
    );
    return rows.length > 0;
  }

  async destroy(workspaceId: string, model: string, id: string): Promise<void> {
    await preparedQuery(this.payloads.manager.connection, `DELETE FROM oidc_payloads WHERE workspace_id = $1 AND model = $2 AND id = $3`, [workspaceId, model, id]);
  }

  /** The grant itself and everything issued under it, as oidc-provider revokes a grant. */
  async revokeGrant(workspaceId: string, grantId: string): Promise<void> {
    await preparedQuery(
      this.payloads.manager.connection,
      `DELETE FROM oidc_payloads WHERE workspace_id = $1 AND (grant_id = $2 OR (model = 'Grant' AND id = $2))`,
      [workspaceId, grantId],
    );
  }

  /** The applications an account holds live grants with in a workspace: since when (the oldest grant's iat, seconds), for which scopes. */
  async grantsByClient(workspaceId: string, accountId: string): Promise<ClientGrants[]> {
    const rows: { clientId: string; since: string; scopes: string[] }[] = await preparedQuery(
      this.payloads.manager.connection,
      `SELECT g.payload->>'clientId' AS "clientId", min((g.payload->>'iat')::bigint) AS since,
              array(SELECT DISTINCT s FROM unnest(string_to_array(string_agg(g.payload->'openid'->>'scope', ' '), ' ')) AS s WHERE s <> '' ORDER BY s) AS scopes
         FROM oidc_payloads g
        WHERE g.account_id = $2 AND g.workspace_id = $1 AND g.model = 'Grant' AND (g.expires_at IS NULL OR g.expires_at > now())
        GROUP BY 1`,
      [workspaceId, accountId],
    );
    return rows.map((row) => ({ ...row, since: Number(row.since) }));
  }

  /** Every grant an account holds with one application, and everything issued under them. */
  async revokeGrantsOf(workspaceId: string, accountId: string, clientId: string): Promise<void> {
    // The ids as one array, so each side of the OR is an index lookup (a sub-select there would scan the workspace's rows).
    await preparedQuery(
      this.payloads.manager.connection,
      `WITH grants AS (
         SELECT array_agg(id) AS ids FROM oidc_payloads WHERE account_id = $2 AND workspace_id = $1 AND model = 'Grant' AND payload->>'clientId' = $3)
       DELETE FROM oidc_payloads p USING grants
        WHERE p.workspace_id = $1 AND (p.grant_id = ANY(grants.ids) OR (p.model = 'Grant' AND p.id = ANY(grants.ids)))`,
      [workspaceId, accountId, clientId],
    );
  }

  async revokeByGrantId(workspaceId: string, grantId: string): Promise<void> {
    await preparedQuery(this.payloads.manager.connection, `DELETE FROM oidc_payloads WHERE workspace_id = $1 AND grant_id = $2`, [workspaceId, grantId]);
  }

  onModuleInit(): void {
    this.sweeper = setInterval(() => void this.sweep(), SWEEP_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.sweeper);
  }

  /** Expired rows are invisible already (find checks expiry); this only reclaims space. */
  private async sweep(): Promise<void> {
    try {
      await this.payloads.query(
        `DELETE FROM oidc_payloads WHERE ctid IN (SELECT ctid FROM oidc_payloads WHERE expires_at < now() - interval '1 hour' LIMIT 10000)`,
      );
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Sweeping expired OIDC payloads failed; will retry');
    }
  }
}

/** oidc-provider's shape of a consumed record: `consumed` in epoch seconds. */
function withConsumed(payload: Record<string, unknown>, consumedAt: Date | null): Record<string, unknown> {
  return consumedAt ? { ...payload, consumed: Math.floor(consumedAt.getTime() / 1000) } : payload;
}
