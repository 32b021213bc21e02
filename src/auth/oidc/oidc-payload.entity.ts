import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Every oidc-provider model (sessions, grants, codes, tokens, interactions) in one table. */
@Entity('oidc_payloads')
export class OidcPayload {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @PrimaryColumn({ type: 'varchar' })
  model: string;

  @PrimaryColumn({ type: 'varchar' })
  id: string;

  @Column({ type: 'jsonb' })
  payload: Record<string, unknown>;

  @Column({ name: 'grant_id', type: 'varchar', nullable: true })
  grantId: string | null;

  @Column({ type: 'varchar', nullable: true })
  uid: string | null;

  @Column({ name: 'user_code', type: 'varchar', nullable: true })
  userCode: string | null;

  @Column({ name: 'account_id', type: 'varchar', nullable: true })
  accountId: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ name: 'consumed_at', type: 'timestamptz', nullable: true })
  consumedAt: Date | null;
}
