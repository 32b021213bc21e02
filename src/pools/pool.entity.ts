import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export interface PasswordPolicy {
  minLength: number;
  maxLength: number;
}

export interface SelfRegistration {
  enabled: boolean;
  requireEmailVerification: boolean;
}

export interface LockoutPolicy {
  maxFailedAttempts: number;
  durationSeconds: number;
}

export type AuthenticationMechanism = 'password';
export const AUTHENTICATION_MECHANISMS: readonly AuthenticationMechanism[] = ['password'];

@Entity('pools')
export class Pool {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column()
  name: string;

  @Column({ type: 'varchar', nullable: true })
  description: string | null;

  @Column({ name: 'authentication_mechanisms', type: 'text', array: true })
  authenticationMechanisms: AuthenticationMechanism[];

  @Column({ name: 'password_policy', type: 'jsonb' })
  passwordPolicy: PasswordPolicy;

  @Column({ name: 'self_registration', type: 'jsonb' })
  selfRegistration: SelfRegistration;

  @Column({ name: 'invitation_ttl_hours', type: 'integer' })
  invitationTtlHours: number;

  @Column({ type: 'jsonb' })
  lockout: LockoutPolicy;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
