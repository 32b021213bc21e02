import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';
import { AuthenticationMechanism } from '../../pools/pool.entity';

/** A pool connected to its workspace as a source of sign-ins. */
@Entity('identity_providers')
export class IdentityProvider {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'varchar' })
  type: 'identity_pool';

  @Column({ name: 'pool_id', type: 'uuid' })
  poolId: string;

  @Column({ name: 'sign_in_methods', type: 'text', array: true })
  signInMethods: AuthenticationMechanism[];

  @Column({ type: 'boolean' })
  enabled: boolean;

  @Column({ type: 'integer' })
  priority: number;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
