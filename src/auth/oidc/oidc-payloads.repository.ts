import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { OidcPayload } from './oidc-payload.entity';

const SWEEP_INTERVAL_MS = 10 * 60_000;

/** Storage behind the oidc-provider adapter; every method is scoped to one workspace. */
@Injectable()
export class OidcPayloadsRepository implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(OidcPayloadsRepository.name);
  private sweeper?: NodeJS.Timeout;

  constructor(@InjectRepository(OidcPayload) private readonly payloads: Repository<OidcPayload>) {}

  async upsert(workspaceId: string, model: string, id: string, payload: Record<string, unknown>, expiresInSeconds?: number): Promise<void> {
    await this.payloads.query(
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
    const rows: { payload: Record<string, unknown>; consumed_at: Date | null }[] = await this.payloads.query(
      `SELECT payload, consumed_at FROM oidc_payloads
        WHERE workspace_id = $1 AND model = $2 AND ${column} = $3 AND (expires_at IS NULL OR expires_at > now())
        LIMIT 1`,
      [workspaceId, model, value],
    );
    const row = rows[0];
    if (!row) return undefined;
    return row.consumed_at ? { ...row.payload, consumed: Math.floor(row.consumed_at.getTime() / 1000) } : row.payload;
  }

  async consume(workspaceId: string, model: string, id: string): Promise<void> {
    await this.payloads.update({ workspaceId, model, id }, { consumedAt: () => 'now()' });
  }

  async destroy(workspaceId: string, model: string, id: string): Promise<void> {
    await this.payloads.delete({ workspaceId, model, id });
  }

  async revokeByGrantId(workspaceId: string, grantId: string): Promise<void> {
    await this.payloads.delete({ workspaceId, grantId });
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
