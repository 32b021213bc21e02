import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'skipped';

/** One email to send, written in the transaction of the row it is about. */
@Entity('mail_outbox')
export class MailOutbox {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Which composer renders it (invitation, email_verification, …). */
  @Column({ type: 'varchar' })
  kind: string;

  @Column({ type: 'varchar' })
  recipient: string;

  /** Ids only; never a token or a password. */
  @Column({ type: 'jsonb' })
  payload: Record<string, string>;

  @Column({ type: 'varchar' })
  status: OutboxStatus;

  @Column({ type: 'integer' })
  attempts: number;

  @Column({ name: 'last_error', type: 'text', nullable: true })
  lastError: string | null;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'sent_at', type: 'timestamptz', nullable: true })
  sentAt: Date | null;
}
