import { Logger } from '@nestjs/common';
import type { JWK } from 'jose';
import { timingSafeEqual } from 'node:crypto';
import type { Client, Configuration, KoaContextWithOIDC, Provider } from 'oidc-provider';
import type { TokenLifetimes } from '../../platform/config/config';
import { isConnectionLost } from '../../platform/database/pg-errors';
import { NotFoundError } from '../../platform/problem/app-error';
import { PROBLEM_CONTENT_TYPE, problemFromAppError } from '../../platform/problem/problem';
import { ClientMetadata, hashClientSecret } from '../applications/applications.service';
import { PAGE_SECURITY_HEADERS, renderMessagePage } from '../interaction/pages';
import { SignInService } from '../sign-in/sign-in.service';
import { accessTokenKeys } from './access-token';
import { AccountSources, accountFinder } from './accounts';
import { SCOPE_CLAIMS, SCOPES } from './claims';
import { originAllowed } from './cors';
import { DATABASE_OUTAGE_DESCRIPTION, noteDatabaseOutage, unavailableDuringDatabaseOutage } from './database-outage';
import { jwtIntrospection, mayIntrospect } from './introspection';
import { oidcProvider } from './load-oidc-provider';
import { adapterFor } from './oidc.adapter';
import { OidcPayloadsRepository } from './oidc-payloads.repository';
import { PASSWORD_GRANT_PARAMETERS, passwordGrant } from './password.grant';
import { resourceServerInfo } from './resource-server';
import { jwtRevocation } from './revocation';
import { signedOutPage, signOutPage } from './sign-out-pages';

export interface IssuerDeps {
  workspaceId: string;
  /** `{PUBLIC_URL}/oidc/{workspaceId}` */
  issuer: string;
  keys: { jwks: { keys: JWK[] }; cookieKeys: string[] };
  store: OidcPayloadsRepository;
  clients: (clientId: string) => Promise<ClientMetadata | undefined>;
  accounts: AccountSources;
  signIn: SignInService;
  behindProxy: boolean;
  lifetimes: TokenLifetimes;
}

const logger = new Logger('OidcProvider');

/**
 * Lifetimes (oidc-provider `ttl`), as the operator set them (README, Configuration);
 * refresh tokens rotate, so a long lifetime is safe. Refresh tokens and access tokens
 * (userinfo and introspection look up their grant_id) are good only while their grant
 * exists, which lives as long as a refresh token (config keeps that the longer of the
 * two). Rotation does not extend the grant: a chain of refreshes ends
 * REFRESH_TOKEN_TTL_SECONDS after the sign-in that made it.
 */
function ttl(lifetimes: TokenLifetimes): Configuration['ttl'] {
  return {
    AccessToken: lifetimes.accessTokenSeconds,
    AuthorizationCode: 60,
    ClientCredentials: lifetimes.accessTokenSeconds,
    IdToken: lifetimes.accessTokenSeconds,
    Interaction: 3600,
    Grant: lifetimes.refreshTokenSeconds,
    RefreshToken: lifetimes.refreshTokenSeconds,
    Session: lifetimes.sessionSeconds,
  };
}

/**
 * Builds one workspace's OpenID Provider (panva/oidc-provider, OpenID Certified). Each
 * option below names the spec it implements; the rest are the library's defaults.
 */
export function buildProvider(deps: IssuerDeps): Provider {
  const { Provider: OidcProvider } = oidcProvider();
  const configuration: Configuration = {
    adapter: adapterFor(deps.workspaceId, deps.store, deps.clients as never),
    findAccount: accountFinder(deps.accounts, deps.workspaceId),
    jwks: deps.keys.jwks as Configuration['jwks'],
    // Browsers keep one cookie per name and path, and every issuer lives on the same
    // host: a shared `_session` would let signing in at one workspace end the session at
    // another (signed with another key). One session per workspace, as per Keycloak realm.
    cookies: { keys: deps.keys.cookieKeys, names: cookieNames(deps.workspaceId) },
    // OIDC Core §5.4 standard scopes plus `groups`; claims go into the ID token too
    // (conformIdTokenClaims off), as Keycloak and Cognito do.
    scopes: [...SCOPES],
    claims: SCOPE_CLAIMS,
    conformIdTokenClaims: false,
    responseTypes: ['code'],
    // The methods an application can be registered with (API.md); discovery lists these alone.
    clientAuthMethods: ['client_secret_basic', 'client_secret_post', 'none'],
    discovery: { claim_types_supported: ['normal'], userinfo_endpoint: `${deps.issuer}/userinfo` } as Configuration['discovery'],
    // RFC 7636: PKCE (S256 only) required for public clients, optional for confidential ones.
    pkce: { required: (_ctx, client) => client.clientAuthMethod === 'none' },
    // RFC 6749 §10.4 / OAuth 2.0 Security BCP §4.14: refresh tokens rotate; a reused one revokes its grant.
    rotateRefreshToken: true,
    issueRefreshToken: async (_ctx, client, source) => client.grantTypeAllowed('refresh_token') && source.scopes.has('offline_access'),
    // Access tokens name their grant, so userinfo refuses one whose grant was revoked
    // (sign-out, refresh-token revocation or reuse), as Keycloak does for an ended session.
    extraTokenClaims: async (_ctx, token) => {
      const grantId = (token as { grantId?: string }).grantId;
      return token.kind === 'AccessToken' && grantId ? { grant_id: grantId } : undefined;
    },
    ttl: ttl(deps.lifetimes),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      // RFC 9449 binds an access token to a key, and every place that accepts one must check
      // the proof: our userinfo and the APIs verifying the JWT offline take Bearer tokens only.
      dPoP: { enabled: false },
      // RFC 7662 (who may: mayIntrospect; JWT access tokens: jwtIntrospection below) and
      // RFC 7009, revocation by the token's own client only (JWT access tokens: jwtRevocation).
      introspection: { enabled: true, allowedPolicy: async (_ctx, client, token) => mayIntrospect(client, token) },
      revocation: { enabled: true, allowedPolicy: async (ctx, client, token) => token.clientId === client.clientId },
      // Our own userinfo endpoint accepts the JWT access tokens (see userinfo.ts).
      userinfo: { enabled: false },
      // RFC 8707 + RFC 9068: every access token is a JWT for a resource, the issuer by default.
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => deps.issuer,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, resource, client) => resourceServerInfo(resource, client),
      },
      rpInitiatedLogout: {
        enabled: true,
        logoutSource: async (ctx, form) => signOutPage(ctx, form, deps.issuer),
        postLogoutSuccessSource: async (ctx) => signedOutPage(ctx),
      },
      // The typings model each feature combination separately; this one is checked at start by oidc-provider.
    } as Configuration['features'],
    // Under the issuer, i.e. PUBLIC_URL, whatever host and scheme the request came in with.
    interactions: { url: async (_ctx, interaction) => `${deps.issuer}/interaction/${interaction.uid}`, policy: signInPolicy() },
    // Applications are first-party: the workspace admin registered them, so there is no
    // consent screen; the grant covers what the client asked for.
    loadExistingGrant: async (ctx) => {
      const { oidc } = ctx;
      const grantId = oidc.result?.consent?.grantId ?? oidc.session?.grantIdFor(oidc.client!.clientId);
      // The session may still name a grant that is gone (RFC 7009 revocation, refresh-token
      // reuse, expiry). Undefined would make oidc-provider ask for consent, and consent
      // comes back here to the same missing grant: the browser would loop between /auth
      // and the interaction. The signed-in user simply gets a new grant instead.
      const existing = grantId ? await oidc.provider.Grant.find(grantId) : undefined;
      const grant = existing ?? new oidc.provider.Grant({ clientId: oidc.client!.clientId, accountId: oidc.session!.accountId });
      const scope = withSilentOfflineAccess(ctx);
      grant.addOIDCScope(scope);
      for (const resource of Object.keys(oidc.resourceServers ?? {})) grant.addResourceScope(resource, scope);
      await grant.save();
      return grant;
    },
    clientBasedCORS: (_ctx, origin, client) => originAllowed(origin, client.redirectUris ?? []),
    renderError: async (ctx: KoaContextWithOIDC, out, error) => {
      ctx.set(PAGE_SECURITY_HEADERS);
      ctx.type = 'html';
      const message = isConnectionLost(error) ? `Sign-in is unavailable: ${DATABASE_OUTAGE_DESCRIPTION}.` : `${out.error}: ${out.error_description ?? 'the request could not be completed'}`;
      ctx.body = renderMessagePage('Sign-in error', message);
    },
  };

  const provider = new OidcProvider(deps.issuer, configuration);
  provider.proxy = deps.behindProxy;
  if (new URL(deps.issuer).protocol === 'https:') provider.use(secureAsTheIssuer);
  provider.use(noEndpointHere(deps.issuer));
  provider.use(unauthorizedClientAtToken);
  provider.use(unavailableDuringDatabaseOutage);
  const accessTokenKeySet = accessTokenKeys(deps.keys.jwks.keys);
  provider.use(
    jwtIntrospection({
      workspaceId: deps.workspaceId,
      issuer: deps.issuer,
      keys: accessTokenKeySet,
      sources: { accounts: deps.accounts, clients: deps.clients, grants: deps.store },
    }),
  );
  provider.use(jwtRevocation({ workspaceId: deps.workspaceId, issuer: deps.issuer, keys: accessTokenKeySet, grants: deps.store }));
  provider.on('server_error', (ctx, error) => {
    noteDatabaseOutage(ctx, error);
    logServerError(deps.workspaceId, ctx, error);
  });
  provider.registerGrantType(
    'password',
    passwordGrant({
      workspaceId: deps.workspaceId,
      signIn: deps.signIn,
      findAccount: configuration.findAccount!,
      resourceServer: resourceServerInfo,
      defaultResource: deps.issuer,
    }),
    PASSWORD_GRANT_PARAMETERS,
  );
  urlsUnderIssuer(provider);
  promptsAsKeycloakReadsThem(provider);
  unauthorizedClientAtAuthorization(provider);
  // The client's `client_secret` metadata holds the secret's SHA-256 (applications
  // store no secret), so authentication compares hashes, in constant time.
  provider.Client.prototype.compareClientSecret = function compareClientSecret(this: { clientSecret?: string }, actual: string) {
    const expected = Buffer.from(this.clientSecret ?? '', 'utf8');
    const presented = Buffer.from(hashClientSecret(actual), 'utf8');
    return Promise.resolve(expected.length === presented.length && timingSafeEqual(expected, presented));
  };
  return provider;
}

/**
 * An https issuer is reached over https, whatever the hop in front of the service says: a
 * TLS-terminating proxy that sends no X-Forwarded-Proto (or TRUST_PROXY unset) must not
 * make the session and interaction cookies lose their Secure flag. oidc-provider derives
 * that flag from `ctx.secure` alone.
 */
async function secureAsTheIssuer(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  Object.defineProperty(ctx.request, 'secure', { value: true });
  await next();
}

/**
 * oidc-provider builds endpoint URLs (discovery, the interaction's return address, the
 * logout form) from the request's scheme, host and mount path. Behind a TLS-terminating
 * proxy or a path prefix those are not the public ones; API.md puts every endpoint under
 * the issuer, `{PUBLIC_URL}/oidc/{ws}` (OIDC Discovery §3), so they are built from it.
 */
function urlsUnderIssuer(provider: Provider): void {
  provider.OIDCContext.prototype.urlFor = (name: string, options?: Record<string, unknown>) => provider.urlFor(name, options);
}

/**
 * RFC 6749 §4.1.2.1: a client that may not use the code flow gets `unauthorized_client` at
 * its redirect URI, where oidc-provider answers `invalid_request` when responseTypeAllowed
 * is false. It asks only when checking an authorization (or PAR) request's response_type,
 * and its error handler still checks the redirect_uri before redirecting there.
 */
function unauthorizedClientAtAuthorization(provider: Provider): void {
  const { errors } = oidcProvider();
  const responseTypeAllowed = provider.Client.prototype.responseTypeAllowed;
  provider.Client.prototype.responseTypeAllowed = function refuseUnauthorized(this: Client, type) {
    if (!responseTypeAllowed.call(this, type)) throw new errors.UnauthorizedClient('the application may not use the authorization code flow');
    return true;
  };
}

/**
 * oidc-provider's base prompts, with one more reason to sign in: a browser session whose
 * user findAccount no longer finds (its pool disconnected or disabled since; see
 * accounts.ts). oidc-provider would take the session as signed in, yet load no account and
 * no grant, and fail on the missing grant (a 500). Counting it as no session shows the
 * login page, or answers `login_required` to `prompt=none` (OIDC Core §3.1.2.6), as after
 * a user is disabled, whose sessions are deleted.
 */
function signInPolicy() {
  const { base, Check } = oidcProvider().interactionPolicy;
  const policy = base();
  policy
    .get('login')!
    .checks.push(new Check('account_gone', 'End-User authentication is required', 'login_required', (ctx) => Boolean(ctx.oidc.session?.accountId) && !ctx.oidc.account));
  return policy;
}

/** Whether an authorization request's `scope` asks for a refresh token. */
function asksOfflineAccess(scope: unknown): boolean {
  return typeof scope === 'string' && scope.split(' ').includes('offline_access');
}

/**
 * The prompts an authorization request asks for, read as Keycloak, Cognito and Auth0 read
 * them, however the request arrives (query, form post, pushed authorization request):
 * - OIDC Core §11 honours `offline_access` only with `prompt=consent`, and oidc-provider
 *   drops it otherwise; those servers hand out the refresh token anyway. Consent is
 *   implicit here (first-party apps), so asking for it costs one invisible redirect:
 *   `offline_access` counts as `consent`, whatever else is prompted for. `none` must stand
 *   alone (OIDC Core §3.1.2.1): a silent request keeps its `offline_access` through
 *   withSilentOfflineAccess instead.
 * - `select_account` (a relying party's "switch account"): a browser holds one session
 *   per issuer here, so choosing another account is signing in again; it counts as
 *   `login`, as Keycloak shows its login page for it, where oidc-provider refuses it.
 */
function promptsAsKeycloakReadsThem(provider: Provider): void {
  const { prototype } = provider.OIDCContext;
  const requestedPrompts = Object.getOwnPropertyDescriptor(prototype, 'prompts')!.get!;
  Object.defineProperty(prototype, 'prompts', {
    configurable: true,
    get(this: KoaContextWithOIDC['oidc']): Set<string> {
      const prompts = requestedPrompts.call(this) as Set<string>;
      if (prompts.delete('select_account')) prompts.add('login');
      if (!prompts.has('none') && asksOfflineAccess(this.params?.scope)) prompts.add('consent');
      return prompts;
    },
  });
}

/**
 * The scope a signed-in user's grant covers. A silent request (`prompt=none`, as SPAs renew
 * tokens) cannot count as `prompt=consent`, so oidc-provider has dropped its
 * `offline_access` by now; it is put back from the request as sent (query or form), into
 * the request's scope too, which the code is issued for, so silent renewal gets a refresh
 * token as with Keycloak or Auth0.
 */
function withSilentOfflineAccess(ctx: KoaContextWithOIDC): string {
  const { oidc } = ctx;
  const scope = String(oidc.params?.scope ?? 'openid');
  const sent = ctx.method === 'POST' ? oidc.body?.scope : ctx.query.scope;
  const restore =
    oidc.prompts.has('none') && asksOfflineAccess(sent) && !asksOfflineAccess(scope) && oidc.client!.grantTypeAllowed('refresh_token');
  if (!restore) return scope;
  const withOffline = `${scope} offline_access`;
  oidc.params!.scope = withOffline;
  return withOffline;
}

/** The cookie names of one workspace's issuer (oidc-provider `cookies.names`). */
function cookieNames(workspaceId: string): Record<'session' | 'interaction' | 'resume', string> {
  return { session: `_session.${workspaceId}`, interaction: `_interaction.${workspaceId}`, resume: `_interaction_resume.${workspaceId}` };
}

/**
 * oidc-provider answers an unexpected error with a bare `server_error` and reports it
 * only through this event, so without it a 500 leaves no trace. Only the message and
 * the stack (which names the error) are logged: the error's other fields (a failed
 * query's parameters) and the request's query or body can hold tokens and credentials.
 */
function logServerError(workspaceId: string, ctx: KoaContextWithOIDC, error: Error): void {
  logger.error(
    // The request id too: below info the issuer's requests have no request line to carry it (app.ts).
    { workspaceId, requestId: (ctx.req as { id?: unknown }).id, method: ctx.method, path: ctx.path, err: { message: error.message, stack: error.stack } },
    'OIDC request failed',
  );
}

const GRANT_TYPE_REFUSED = 'requested grant type is not allowed for this client';

/**
 * A path (or method) the issuer does not serve gets koa's bare text "Not Found"; it is
 * answered as an unknown issuer is, in problem+json, pointing to the list of endpoints.
 */
function noEndpointHere(issuer: string) {
  return async function notFound(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
    await next();
    if (ctx.status !== 404 || ctx.body != null) return;
    const problem = problemFromAppError(new NotFoundError('Endpoint', `This issuer has no endpoint for ${ctx.method} at this path. Its discovery document lists them: ${issuer}/.well-known/openid-configuration`));
    ctx.status = 404;
    ctx.type = PROBLEM_CONTENT_TYPE;
    ctx.body = JSON.stringify(problem);
  };
}

/**
 * RFC 6749 §5.2 names a grant type the client may not use `unauthorized_client`, as
 * Keycloak, Cognito and Auth0 answer; oidc-provider says `invalid_request`.
 */
async function unauthorizedClientAtToken(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  const body = ctx.body as { error?: string; error_description?: string } | undefined;
  if (ctx.path === '/token' && body?.error === 'invalid_request' && body.error_description === GRANT_TYPE_REFUSED) {
    ctx.status = 400;
    ctx.body = { ...body, error: 'unauthorized_client' };
  }
}
