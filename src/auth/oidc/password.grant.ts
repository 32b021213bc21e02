import type { Request } from 'express';
import type { Client, FindAccount, KoaContextWithOIDC, ResourceServer } from 'oidc-provider';
import { RateLimitedError } from '../../platform/rate-limit/rate-limiter';
import { SignInService } from '../sign-in/sign-in.service';
import { SCOPES } from './claims';
import { oidcProvider } from './load-oidc-provider';

export const PASSWORD_GRANT_PARAMETERS = ['username', 'password', 'scope', 'resource'];

interface PasswordGrantDeps {
  workspaceId: string;
  signIn: SignInService;
  findAccount: FindAccount;
  resourceServer: (resource: string, client: Client) => ResourceServer;
  defaultResource: string;
}

/**
 * The resource owner password grant (RFC 6749 §4.3) for applications that list it.
 * oidc-provider has no built-in handler, so this one issues the same tokens as the
 * authorization code grant: a grant record, a JWT access token for the resource, an ID
 * token with `openid`, and a refresh token with `offline_access` when the application
 * may refresh. Credentials go through the same sign-in path as the login page.
 */
export function passwordGrant(deps: PasswordGrantDeps) {
  const { errors } = oidcProvider();
  return async function handle(ctx: KoaContextWithOIDC): Promise<void> {
    const { client, params, provider } = ctx.oidc;
    const username = typeof params?.username === 'string' ? params.username : '';
    const password = typeof params?.password === 'string' ? params.password : '';
    if (!username || !password) throw new errors.InvalidRequest('username and password are required');

    const requested = new Set(String(params?.scope ?? 'openid').split(' ').filter(Boolean));
    const unknown = [...requested].filter((scope) => !(SCOPES as readonly string[]).includes(scope));
    if (unknown.length) throw new errors.InvalidScope('requested scope is not supported', unknown.join(' '));
    // Without the refresh_token grant there is no offline access to give: the scope granted
    // says so, as the code flow's does (oidc-provider drops it there).
    if (!client!.grantTypeAllowed('refresh_token')) requested.delete('offline_access');

    const resource = typeof params?.resource === 'string' ? params.resource : deps.defaultResource;
    // RFC 8707 §2, checked as oidc-provider does for the code flow, and before any password
    // is tried: a resource must be an absolute URI without a fragment.
    const href = URL.parse(resource)?.href;
    if (!href) throw new errors.InvalidTarget('resource indicator must be an absolute URI');
    if (href.includes('#')) throw new errors.InvalidTarget('resource indicator must not contain a fragment component');

    let accountId: string | null;
    try {
      accountId = await deps.signIn.withPassword({
        workspaceId: deps.workspaceId,
        identifier: username,
        password,
        ip: (ctx.req as Request).ip ?? ctx.ip,
      });
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      ctx.set('Retry-After', String(error.retryAfterSeconds));
      const limited = new errors.CustomOIDCProviderError('rate_limited', 'too many failed sign-ins; retry later');
      Object.assign(limited, { status: 429, statusCode: 429 });
      throw limited;
    }
    if (!accountId) throw new errors.InvalidGrant('invalid username or password');

    const account = await deps.findAccount(ctx, accountId);
    if (!account) throw new errors.InvalidGrant('invalid username or password');
    ctx.oidc.entity('Account', account);

    const scope = [...requested].join(' ');
    const authTime = Math.floor(Date.now() / 1000);

    const grant = new provider.Grant({ accountId, clientId: client!.clientId });
    grant.addOIDCScope(scope);
    grant.addResourceScope(resource, scope);
    const grantId = await grant.save();

    const accessToken = new provider.AccessToken({ accountId, client: client!, grantId, gty: 'password', scope });
    accessToken.resourceServer = new provider.ResourceServer(resource, deps.resourceServer(resource, client!));
    ctx.oidc.entity('AccessToken', accessToken);
    const accessTokenValue = await accessToken.save();

    let refreshToken: string | undefined;
    if (requested.has('offline_access')) {
      const token = new provider.RefreshToken({ accountId, client: client!, grantId, gty: 'password', scope, resource, authTime, rotations: 0, amr: ['pwd'] });
      ctx.oidc.entity('RefreshToken', token);
      refreshToken = await token.save();
    }

    let idToken: string | undefined;
    if (requested.has('openid')) {
      const token = new provider.IdToken({ ...(await account.claims('id_token', scope, {}, [])), auth_time: authTime, amr: ['pwd'] }, { ctx });
      // Releases the scope's claims into the ID token, as for the authorization code grant.
      Object.assign(token, { scope });
      idToken = await token.issue({ use: 'idtoken' });
    }

    ctx.body = {
      access_token: accessTokenValue,
      token_type: 'Bearer',
      expires_in: accessToken.expiration,
      scope,
      ...(idToken && { id_token: idToken }),
      ...(refreshToken && { refresh_token: refreshToken }),
    };
  };
}
