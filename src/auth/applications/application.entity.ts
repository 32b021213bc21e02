import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export const GRANT_TYPES = ['authorization_code', 'refresh_token', 'client_credentials', 'password'] as const;
export type GrantType = (typeof GRANT_TYPES)[number];
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'none'] as const;
export type TokenEndpointAuthMethod = (typeof AUTH_METHODS)[number];
/** The issuer's signing keys (oidc-keys.service.ts): one RSA, one P-256. */
export const TOKEN_SIGNING_ALGS = ['RS256', 'ES256'] as const;
export type TokenSigningAlg = (typeof TOKEN_SIGNING_ALGS)[number];

/** An OAuth client of the workspace's issuer. */
@Entity('applications')
export class Application {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'workspace_id', type: 'uuid' })
  workspaceId: string;

  @Column()
  name: string;

  @Column({ name: 'client_id' })
  clientId: string;

  /** SHA-256 (hex) of the secret; the secret itself is shown once. Null for public clients. */
  @Column({ name: 'client_secret_hash', type: 'varchar', nullable: true, select: false })
  clientSecretHash: string | null;

  @Column({ name: 'redirect_uris', type: 'text', array: true })
  redirectUris: string[];

  @Column({ name: 'post_logout_redirect_uris', type: 'text', array: true })
  postLogoutRedirectUris: string[];

  @Column({ name: 'grant_types', type: 'text', array: true })
  grantTypes: GrantType[];

  @Column({ name: 'token_endpoint_auth_method', type: 'varchar' })
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;

  /** Signs the application's ID tokens and JWT access tokens. */
  @Column({ name: 'token_signing_alg', type: 'varchar', default: 'RS256' })
  tokenSigningAlg: TokenSigningAlg;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
