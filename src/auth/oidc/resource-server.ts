import type { ResourceServer } from 'oidc-provider';
import { SCOPES } from './claims';

export const ACCESS_TOKEN_TTL_SECONDS = 3600;

/**
 * Every access token is an RFC 9068 JWT for a resource (RFC 8707): the one the client
 * names with `resource`, or the issuer itself by default, so any API can verify tokens
 * offline with the issuer's JWKS.
 */
export function resourceServerInfo(resource: string): ResourceServer {
  return {
    scope: SCOPES.join(' '),
    audience: resource,
    accessTokenTTL: ACCESS_TOKEN_TTL_SECONDS,
    accessTokenFormat: 'jwt',
    jwt: { sign: { alg: 'RS256' } },
  };
}
