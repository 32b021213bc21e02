import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const IMPORT_STATUSES = ['queued', 'running', 'completed', 'failed', 'cancelled'] as const;
export type ImportStatus = (typeof IMPORT_STATUSES)[number];

export interface ImportOptions {
  onConflict: 'skip' | 'update' | 'fail';
  sendInvitations: boolean;
}

@Entity('import_jobs')
export class ImportJob {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId: string;

  @Column({ type: 'varchar' })
  status: ImportStatus;

  @Column({ type: 'jsonb' })
  options: ImportOptions;

  @Column({ type: 'integer' })
  total: number;

  @Column({ type: 'integer' })
  processed: number;

  @Column({ type: 'integer' })
  created: number;

  @Column({ type: 'integer' })
  updated: number;

  @Column({ type: 'integer' })
  skipped: number;

  @Column({ type: 'integer' })
  failed: number;

  /** The last staged line whose outcome is committed. */
  @Column({ type: 'integer' })
  checkpoint: number;

  /** The checkpoint the latest run started from, and how many runs in a row started there (claim()). */
  @Column({ name: 'run_from', type: 'integer', nullable: true })
  runFrom: number | null;

  @Column({ name: 'runs_from_checkpoint', type: 'integer' })
  runsFromCheckpoint: number;

  @Column({ name: 'cancel_requested', type: 'boolean' })
  cancelRequested: boolean;

  @Column({ type: 'text', nullable: true })
  error: string | null;

  @Column({ name: 'lease_owner', type: 'varchar', nullable: true })
  leaseOwner: string | null;

  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column({ name: 'started_at', type: 'timestamptz', nullable: true })
  startedAt: Date | null;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt: Date | null;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
