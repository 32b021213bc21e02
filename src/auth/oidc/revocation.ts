import type { JWTVerifyGetKey } from 'jose';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { verifyAccessToken } from './access-token';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

export interface JwtRevocationDeps {
  workspaceId: string;
  issuer: string;
  keys: JWTVerifyGetKey;
  grants: OidcPayloadsRepository;
}

/**
 * RFC 7009 for the issuer's JWT access tokens. oidc-provider answers every JWT 400
 * unsupported_token_type (after authenticating the client), which libraries that revoke
 * both tokens at sign-out take for a failure. As oidc-provider does for an opaque access
 * token, and RFC 7009 §2.1 allows, revoking one revokes its grant: every token issued
 * under it, refresh token included; userinfo and introspection check the grant. A token
 * of another application is left alone and an unknown or expired one needs no revoking,
 * both answered 200 as oidc-provider answers them (RFC 7009 §2.2). A client credentials
 * token names no grant, so it keeps oidc-provider's answer: it cannot be revoked.
 */
export function jwtRevocation(deps: JwtRevocationDeps) {
  return async function revokeJwt(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    const body = ctx.body as { error?: string } | undefined;
    const client = ctx.oidc?.client;
    if (ctx.oidc?.route !== 'revocation' || body?.error !== 'unsupported_token_type' || !client) return;
    const claims = await verifyAccessToken(String(ctx.oidc.params?.token ?? ''), deps.keys, deps.issuer);
    if (claims?.client_id === client.clientId) {
      if (typeof claims.grant_id !== 'string') return;
      await deps.grants.revokeGrant(deps.workspaceId, claims.grant_id);
    }
    ctx.status = 200;
    ctx.body = '';
  };
}
