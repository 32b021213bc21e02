import type { JWK } from 'jose';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A workspace issuer's private signing keys and cookie-signing secrets; never sent anywhere. */
@Entity('oidc_keys')
export class OidcKeys {
  @PrimaryColumn({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column({ type: 'jsonb' })
  jwks: { keys: JWK[] };

  @Column({ name: 'cookie_keys', type: 'text', array: true })
  cookieKeys: string[];

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
