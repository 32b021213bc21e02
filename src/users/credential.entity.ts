import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/** A user's password hash, kept apart from the user row so no user query can leak it. */
@Entity('credentials')
export class Credential {
  @PrimaryColumn({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'password_hash', type: 'text' })
  passwordHash: string;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
