import type { AsymmetricSigningAlgorithm, Client, ResourceServer } from 'oidc-provider';
import { SCOPES } from './claims';

/**
 * Every access token is an RFC 9068 JWT for a resource (RFC 8707): the one the client
 * names with `resource`, or the issuer itself by default, so any API can verify tokens
 * offline with the issuer's JWKS. It is signed with the algorithm the application chose
 * for its ID tokens (`tokenSigningAlg`: one setting for both, where a Keycloak client has
 * one each), with the workspace key of that algorithm. Its lifetime is the provider's
 * `ttl.AccessToken` (ACCESS_TOKEN_TTL_SECONDS): oidc-provider reads a resource server's
 * `accessTokenTTL` only in its default ttl functions, which provider.factory replaces.
 */
export function resourceServerInfo(resource: string, client: Client): ResourceServer {
  return {
    scope: SCOPES.join(' '),
    audience: resource,
    accessTokenFormat: 'jwt',
    // Always set: applications hand it over (RS256 or ES256), oidc-provider defaults it to RS256.
    jwt: { sign: { alg: client.idTokenSignedResponseAlg as AsymmetricSigningAlgorithm } },
  };
}
