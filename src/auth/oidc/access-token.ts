import { createLocalJWKSet, JWK, JWTPayload, jwtVerify, JWTVerifyGetKey } from 'jose';
import type { Account } from 'oidc-provider';
import { ClientMetadata } from '../applications/applications.service';
import { AccountSources, loadAccount } from './accounts';
import { publicJwks } from './oidc-keys.service';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

/** The claims of an RFC 9068 access token this issuer signed (see extraTokenClaims for `grant_id`). */
export interface AccessTokenClaims extends JWTPayload {
  scope?: unknown;
  client_id?: unknown;
  grant_id?: unknown;
}

/** What an access token's current standing is read from. */
export interface AccessTokenSources {
  accounts: AccountSources;
  clients: (clientId: string) => Promise<ClientMetadata | undefined>;
  grants: OidcPayloadsRepository;
}

/** The key set access tokens are verified with: the public half of the workspace's signing keys. */
export function accessTokenKeys(keys: JWK[]): JWTVerifyGetKey {
  return createLocalJWKSet(publicJwks(keys));
}

/** The token's claims when this workspace's issuer signed it and it has not expired; else undefined. */
export async function verifyAccessToken(token: string, keys: JWTVerifyGetKey, issuer: string): Promise<AccessTokenClaims | undefined> {
  try {
    return (await jwtVerify<AccessTokenClaims>(token, keys, { issuer, typ: 'at+jwt' })).payload;
  } catch {
    return undefined;
  }
}

export function accessTokenScopes(claims: AccessTokenClaims): string[] {
  return typeof claims.scope === 'string' ? claims.scope.split(' ') : [];
}

/**
 * Whether a verified access token still grants access: a JWT stays valid until it
 * expires, so the user, the application and the token's grant are re-read, and a
 * disabled user, a disconnected pool, a deleted application or a revoked grant
 * (sign-out, refresh-token revocation or reuse) ends it at once, as Keycloak does for an
 * ended session or a deleted client. Undefined when it does not; else its application
 * and the user behind it, no account for a client credentials token (RFC 9068 §2.2: its
 * `sub` is the client).
 */
export async function currentAccess(
  sources: AccessTokenSources,
  workspaceId: string,
  claims: AccessTokenClaims,
): Promise<{ client: ClientMetadata; account?: Account } | undefined> {
  if (typeof claims.client_id !== 'string' || !claims.sub) return undefined;
  const ofUser = claims.sub !== claims.client_id;
  const [account, client, grant] = await Promise.all([
    ofUser ? loadAccount(sources.accounts, workspaceId, claims.sub, claims.iat) : undefined,
    sources.clients(claims.client_id),
    // Tokens issued before access tokens named their grant carry none; they expire within the hour.
    typeof claims.grant_id === 'string' ? sources.grants.find(workspaceId, 'Grant', { id: claims.grant_id }) : true,
  ]);
  if (!client || !grant || (ofUser && !account)) return undefined;
  return { client, account };
}
