import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { createLocalJWKSet, jwtVerify, JWTVerifyGetKey } from 'jose';
import { GroupsService } from '../../groups/groups.service';
import { ApplicationsService } from '../applications/applications.service';
import { loadAccount } from './accounts';
import { AccountsRepository } from './accounts.repository';
import { Claims, filterByScope } from './claims';
import { OidcKeysService, publicJwks } from './oidc-keys.service';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

/**
 * OIDC Core §5.3 UserInfo, answering the RFC 9068 JWT access tokens the issuer hands
 * out (oidc-provider's own endpoint refuses resource-bound tokens). The token is
 * verified against the workspace's keys and issuer; the user, the application and the
 * token's grant are re-read, so a disabled user, a revoked session, a deleted
 * application or a revoked grant (sign-out, refresh-token revocation) gets 401 here at
 * once, as Keycloak answers for an ended session or a deleted client.
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
    res.setHeader('Cache-Control', 'no-store');
    const match = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!match) return deny(res, 'invalid_request', 'send the access token as Authorization: Bearer <token>', 401);

    let payload: { sub?: string; scope?: unknown; iat?: number; client_id?: unknown; grant_id?: unknown };
    try {
      ({ payload } = await jwtVerify(match[1], await this.keySet(workspaceId), { issuer, typ: 'at+jwt' }));
    } catch {
      return deny(res, 'invalid_token', 'the access token is invalid or expired', 401);
    }
    const scopes = typeof payload.scope === 'string' ? payload.scope.split(' ') : [];
    if (!scopes.includes('openid')) return deny(res, 'insufficient_scope', 'the access token lacks the openid scope', 403);

    const [account, client, grant] = await Promise.all([
      payload.sub ? loadAccount({ accounts: this.accounts, groups: this.groups }, workspaceId, payload.sub, payload.iat) : undefined,
      typeof payload.client_id === 'string' ? this.applications.clientMetadata(workspaceId, payload.client_id) : undefined,
      // Tokens issued before access tokens named their grant carry none; they expire within the hour.
      typeof payload.grant_id === 'string' ? this.payloads.find(workspaceId, 'Grant', { id: payload.grant_id }) : true,
    ]);
    if (!account || !client || !grant) return deny(res, 'invalid_token', 'the access token no longer grants access', 401);
    const claims = (await account.claims('userinfo', scopes.join(' '), {}, [])) as Claims;
    res.status(200).json(filterByScope(claims, scopes));
  }

  private keySet(workspaceId: string): Promise<JWTVerifyGetKey> {
    let keySet = this.keySets.get(workspaceId);
    if (!keySet) {
      keySet = this.keys.forWorkspace(workspaceId).then(({ jwks }) => createLocalJWKSet(publicJwks(jwks.keys)));
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
