import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** `revoked` is internal: a re-send or an admin-set password retires earlier invitations. */
export type InvitationRowStatus = 'queued' | 'sent' | 'failed' | 'accepted' | 'revoked';

@Entity('invitations')
export class Invitation {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'varchar' })
  email: string;

  /** SHA-256 of the link's token, minted when the email is sent; null until then. */
  @Column({ name: 'token_hash', type: 'bytea', nullable: true, select: false })
  tokenHash: Buffer | null;

  /** The token hash of the send before the latest (a retry mints a new link; the copy already delivered keeps working). */
  @Column({ name: 'previous_token_hash', type: 'bytea', nullable: true, select: false })
  previousTokenHash: Buffer | null;

  @Column({ type: 'varchar' })
  status: InvitationRowStatus;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;

  @Column({ name: 'accepted_at', type: 'timestamptz', nullable: true })
  acceptedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
