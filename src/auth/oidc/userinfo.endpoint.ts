import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { urlencoded } from 'express';
import { promisify } from 'node:util';
import type { JWTVerifyGetKey } from 'jose';
import { GroupsService } from '../../groups/groups.service';
import { FORM_BODY_LIMIT, FORM_TYPE } from '../../platform/http/form-body.middleware';
import { describeSize } from '../../platform/http/json-body.middleware';
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
    const sent = await sentAccessToken(req, res);
    if ('refused' in sent) return deny(res, 'invalid_request', sent.refused, sent.refused === NO_TOKEN ? 401 : 400);

    const token = await verifyAccessToken(sent.token, await this.keySet(workspaceId), issuer);
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

const NO_TOKEN = 'send the access token as Authorization: Bearer <token>, or as access_token in a POSTed form';
const parseForm = promisify(urlencoded({ extended: false, limit: FORM_BODY_LIMIT })) as (req: Request, res: Response) => Promise<void>;

/**
 * The access token as RFC 6750 §2 lets a client send it: the Authorization header, or
 * (§2.2) an `access_token` field of a POSTed form; never both (§2: one method a request).
 */
async function sentAccessToken(req: Request, res: Response): Promise<{ token: string } | { refused: string }> {
  const header = req.headers.authorization;
  let inForm: string | undefined;
  if (req.method === 'POST' && req.is(FORM_TYPE)) {
    try {
      await parseForm(req, res);
    } catch {
      return { refused: `the form could not be read: send it as ${FORM_TYPE}, UTF-8, under ${describeSize(FORM_BODY_LIMIT)}` };
    }
    const field = (req.body as Record<string, unknown>).access_token;
    inForm = typeof field === 'string' ? field : undefined;
  }
  if (header !== undefined && inForm !== undefined) return { refused: 'send the access token one way only: in the Authorization header or in the form, not both' };
  if (inForm !== undefined) return inForm ? { token: inForm } : { refused: 'the form\'s access_token is empty' };
  const match = /^Bearer\s+(\S+)$/i.exec(header ?? '');
  return match ? { token: match[1] } : { refused: NO_TOKEN };
}

/**
 * RFC 6750 §3: the error goes in WWW-Authenticate and in an OAuth-shaped body; a request
 * that sent no token at all gets the challenge without an error code (§3.1).
 */
function deny(res: Response, error: string, description: string, status: number): void {
  const challenge = description === NO_TOKEN ? 'Bearer' : `Bearer error="${error}", error_description="${description}"`;
  res.status(status).setHeader('WWW-Authenticate', challenge).json({ error, error_description: description });
}
