import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import type { JWTVerifyGetKey } from 'jose';
import { GroupsService } from '../../groups/groups.service';
import { ApplicationsService } from '../applications/applications.service';
import { accessTokenKeys, accessTokenScopes, AccessTokenSources, currentAccess, verifyAccessToken } from './access-token';
import { AccountsRepository } from './accounts.repository';
import { Claims, filterByScope } from './claims';
import { corsForEndpoint, originAllowed } from './cors';
import { OidcKeysService } from './oidc-keys.service';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

/**
 * OIDC Core §5.3 UserInfo, answering the RFC 9068 JWT access tokens the issuer hands
 * out (oidc-provider's own endpoint refuses resource-bound tokens). The token is
 * verified against the workspace's keys and issuer, and must still grant access
 * (`currentAccess`, shared with introspection): otherwise 401, at once.
 */
@Injectable()
export class UserinfoEndpoint {
  private readonly keySets = new Map<string, Promise<JWTVerifyGetKey>>();

  constructor(
    private readonly keys: OidcKeysService,
    private readonly accounts: AccountsRepository,
    private readonly groups: GroupsService,
    private readonly applications: ApplicationsService,
    private readonly payloads: OidcPayloadsRepository,
  ) {}

  async handle(req: Request, res: Response, workspaceId: string, issuer: string): Promise<void> {
    // Single-page applications call userinfo from the browser (OIDC Core §5.3.1: GET or POST).
    if (corsForEndpoint(req, res, 'GET,POST')) return;
    res.setHeader('Cache-Control', 'no-store');
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return deny(res, 'invalid_request', 'send the access token as Authorization: Bearer <token>', 401);

    const token = await verifyAccessToken(match[1], await this.keySet(workspaceId), issuer);
    if (!token) return deny(res, 'invalid_token', 'the access token is invalid or expired', 401);
    const scopes = accessTokenScopes(token);
    if (!scopes.includes('openid')) return deny(res, 'insufficient_scope', 'the access token lacks the openid scope', 403);

    const access = await currentAccess(this.sources(workspaceId), workspaceId, token);
    if (!access) return deny(res, 'invalid_token', 'the access token no longer grants access', 401);
    if (!access.account) return deny(res, 'invalid_token', 'the access token was issued to the application itself (client credentials) and names no user', 401);
    const { origin } = req.headers;
    if (origin && !originAllowed(origin, access.client.redirect_uris)) {
      // As oidc-provider answers at its own endpoints: no page the application does not own may read its user's claims.
      res.removeHeader('Access-Control-Allow-Origin');
      return deny(res, 'invalid_request', 'this origin is not registered for the application', 400);
    }
    const { account } = access;
    const claims = (await account.claims('userinfo', scopes.join(' '), {}, [])) as Claims;
    res.status(200).json(filterByScope(claims, scopes));
  }

  private sources(workspaceId: string): AccessTokenSources {
    return {
      accounts: { accounts: this.accounts, groups: this.groups },
      clients: (clientId) => this.applications.clientMetadata(workspaceId, clientId),
      grants: this.payloads,
    };
  }

  private keySet(workspaceId: string): Promise<JWTVerifyGetKey> {
    let keySet = this.keySets.get(workspaceId);
    if (!keySet) {
      keySet = this.keys.forWorkspace(workspaceId).then(({ jwks }) => accessTokenKeys(jwks.keys));
      this.keySets.set(workspaceId, keySet);
      keySet.catch(() => this.keySets.delete(workspaceId));
    }
    return keySet;
  }
}

/** RFC 6750 §3: the error goes in WWW-Authenticate and in an OAuth-shaped body. */
function deny(res: Response, error: string, description: string, status: number): void {
  res
    .status(status)
    .setHeader('WWW-Authenticate', `Bearer error="${error}", error_description="${description}"`)
    .json({ error, error_description: description });
}
