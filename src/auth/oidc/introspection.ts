import type { JWTVerifyGetKey } from 'jose';
import type { Client, KoaContextWithOIDC } from 'oidc-provider';
import { AccessTokenSources, currentAccess, verifyAccessToken } from './access-token';

/**
 * RFC 7662 §2.1 leaves to the server who may introspect what. A token's own client
 * always may. Any confidential application of the workspace may introspect an access
 * token: that is the resource server checking a token sent to it (Keycloak's model).
 * A refresh token is its client's alone, and a public client, which proves no
 * identity, sees only its own tokens. Clients are looked up per workspace, so another
 * workspace's application never gets this far.
 */
export function mayIntrospect(client: Client, token: { kind: string; clientId?: string }): boolean {
  return token.clientId === client.clientId || (token.kind !== 'RefreshToken' && client.clientAuthMethod !== 'none');
}

export interface JwtIntrospectionDeps {
  workspaceId: string;
  issuer: string;
  keys: JWTVerifyGetKey;
  sources: AccessTokenSources;
}

/**
 * RFC 7662 for the issuer's JWT access tokens. oidc-provider stores no structured token,
 * so its introspection answers every JWT 400 unsupported_token_type; RFC 7662 §2.2 wants
 * 200 with `active`. It raises that error only after authenticating the client, so the
 * answer is replaced here, with the same checks as userinfo (`currentAccess`).
 */
export function jwtIntrospection(deps: JwtIntrospectionDeps) {
  return async function introspectJwt(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    const body = ctx.body as { error?: string } | undefined;
    if (ctx.oidc?.route !== 'introspection' || body?.error !== 'unsupported_token_type' || !ctx.oidc.client) return;
    const claims = await verifyAccessToken(String(ctx.oidc.params?.token ?? ''), deps.keys, deps.issuer);
    const allowed = claims && typeof claims.client_id === 'string' && mayIntrospect(ctx.oidc.client, { kind: 'AccessToken', clientId: claims.client_id });
    const active = allowed && (await currentAccess(deps.sources, deps.workspaceId, claims));
    ctx.status = 200;
    ctx.body = active
      ? {
          active: true,
          sub: claims.sub,
          client_id: claims.client_id,
          scope: claims.scope,
          exp: claims.exp,
          iat: claims.iat,
          iss: claims.iss,
          aud: claims.aud,
          jti: claims.jti,
          token_type: 'Bearer',
        }
      : { active: false };
  };
}
