import { Column, ColumnOptions, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const USER_STATUSES = ['invited', 'pending_verification', 'active', 'disabled'] as const;
export type UserStatus = (typeof USER_STATUSES)[number];

@Entity('users')
export class User {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'varchar', nullable: true })
  email: string | null;

  @Column({ type: 'varchar', nullable: true })
  mobile: string | null;

  @Column({ name: 'given_name', type: 'varchar', nullable: true })
  givenName: string | null;

  @Column({ name: 'family_name', type: 'varchar', nullable: true })
  familyName: string | null;

  @Column({ type: 'varchar', nullable: true })
  name: string | null;

  @Column({ name: 'external_id', type: 'varchar', nullable: true })
  externalId: string | null;

  @Column({ type: 'jsonb' })
  attributes: Record<string, unknown>;

  @Column({ type: 'varchar' })
  status: UserStatus;

  @Column({ name: 'email_verified', type: 'boolean' })
  emailVerified: boolean;

  @Column({ name: 'failed_sign_ins', type: 'integer', default: 0 })
  failedSignIns: number;

  @Column({ name: 'locked_until', type: 'timestamptz', nullable: true })
  lockedUntil: Date | null;

  @Column({ name: 'last_sign_in_at', type: 'timestamptz', nullable: true })
  lastSignInAt: Date | null;

  /** Tokens and sessions issued before this instant no longer count (disable, password change). */
  @Column({ name: 'sessions_valid_after', type: 'timestamptz', nullable: true })
  sessionsValidAfter: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;

  // Lower-cased copies of the fields user search compares case-insensitively, kept by
  // PostgreSQL (generated columns) and read only by that search's SQL.
  @Column(foldedCopyOf('email'))
  private readonly emailFolded?: string;

  @Column(foldedCopyOf('given_name'))
  private readonly givenNameFolded?: string;

  @Column(foldedCopyOf('family_name'))
  private readonly familyNameFolded?: string;

  @Column(foldedCopyOf('name'))
  private readonly nameFolded?: string;
}

function foldedCopyOf(column: string): ColumnOptions {
  return { name: `${column}_folded`, type: 'text', nullable: true, select: false, insert: false, update: false, generatedType: 'STORED', asExpression: `lower(${column})` };
}
