import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { changedFields } from '../../platform/database/changed-fields';
import { validatePlainWith } from '../../platform/http/validate-plain';
import { mapPage, Page, PageQuery } from '../../platform/pagination/page';
import { FieldError } from '../../platform/problem/app-error';
import { Application, GrantType, TokenEndpointAuthMethod, TokenSigningAlg } from './application.entity';
import { ApplicationNotFoundError, PublicClientHasNoSecretError } from './applications.errors';
import { ApplicationsRepository } from './applications.repository';
import { ApplicationResponse, CreatedApplicationResponse } from './dto/application.response';
import { CreateApplicationDto } from './dto/create-application.dto';
import { UpdateApplicationDto } from './dto/update-application.dto';

/** Client metadata as oidc-provider reads it (RFC 7591 names). */
export interface ClientMetadata {
  client_id: string;
  client_name: string;
  client_secret?: string;
  redirect_uris: string[];
  post_logout_redirect_uris: string[];
  grant_types: GrantType[];
  response_types: string[];
  token_endpoint_auth_method: TokenEndpointAuthMethod;
  application_type: 'web' | 'native';
  /** OIDC Dynamic Client Registration §2; the provider factory signs the client's JWT access tokens with it too. */
  id_token_signed_response_alg: TokenSigningAlg;
}

/** Client secrets are 256 random bits, so a fast hash is as safe as a slow one. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

function newClientSecret(): string {
  return `sec_${randomBytes(32).toString('base64url')}`;
}

@Injectable()
export class ApplicationsService {
  constructor(
    private readonly repository: ApplicationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `body` as sent: checked here, so that one 400 names its invalid fields and the rules across fields it breaks together. */
  async create(workspaceId: string, body: unknown): Promise<CreatedApplicationResponse> {
    const dto = await validatePlainWith(
      CreateApplicationDto,
      body,
      (sent, reported) => coherenceProblems(withoutRefused(newClientSettings(sent), reported)),
      { forbidUnknown: true },
    );
    const { redirectUris, postLogoutRedirectUris, tokenEndpointAuthMethod } = newClientSettings(dto);
    const clientSecret = tokenEndpointAuthMethod === 'none' ? undefined : newClientSecret();
    const application = await this.repository.create(workspaceId, {
      name: dto.name,
      clientId: `app_${randomBytes(18).toString('base64url')}`,
      clientSecretHash: clientSecret ? hashClientSecret(clientSecret) : null,
      redirectUris,
      postLogoutRedirectUris,
      grantTypes: dto.grantTypes,
      tokenEndpointAuthMethod,
      tokenSigningAlg: dto.tokenSigningAlg ?? 'RS256',
    });
    return { ...this.toResponse(application), ...(clientSecret && { clientSecret }) };
  }

  async list(workspaceId: string, query: PageQuery): Promise<Page<ApplicationResponse>> {
    return mapPage(await this.repository.list(workspaceId, query), (a) => this.toResponse(a));
  }

  async get(workspaceId: string, id: string): Promise<ApplicationResponse> {
    return this.toResponse(await this.require(workspaceId, id));
  }

  /**
   * The issuer reads clients per request, so a change applies to the next authorization. `body`
   * as sent: checked here, against the application as stored, so that one 400 names its invalid
   * fields and the rules across fields it breaks together; an unknown application is a 404 first.
   */
  async update(workspaceId: string, id: string, body: unknown): Promise<ApplicationResponse> {
    const current = await this.require(workspaceId, id);
    const dto = await validatePlainWith(
      UpdateApplicationDto,
      body,
      (sent, reported) => changeProblems(withoutRefused(changedClientSettings(sent, current), reported), current),
      { forbidUnknown: true },
    );
    await this.repository.update(
      workspaceId,
      id,
      changedFields(current, {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.redirectUris && { redirectUris: dto.redirectUris }),
        ...(dto.postLogoutRedirectUris && { postLogoutRedirectUris: dto.postLogoutRedirectUris }),
        ...(dto.grantTypes && { grantTypes: dto.grantTypes }),
        ...(dto.tokenSigningAlg && { tokenSigningAlg: dto.tokenSigningAlg }),
      }),
    );
    return this.get(workspaceId, id);
  }

  /**
   * A new secret, shown once, for a secret that leaked or is due for rotation. The old one
   * stops working at once (the issuer reads clients per request); tokens already issued
   * stay valid, as with Auth0's rotate-secret and Keycloak's "Regenerate".
   */
  async rotateSecret(workspaceId: string, id: string): Promise<CreatedApplicationResponse> {
    const application = await this.require(workspaceId, id);
    if (application.tokenEndpointAuthMethod === 'none') throw new PublicClientHasNoSecretError();
    const clientSecret = newClientSecret();
    await this.repository.update(workspaceId, id, { clientSecretHash: hashClientSecret(clientSecret) });
    return { ...(await this.get(workspaceId, id)), clientSecret };
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId, id))) throw new ApplicationNotFoundError();
  }

  /**
   * The client as the issuer sees it. `client_secret` carries the secret's hash: the
   * issuer compares hashes (see the provider factory), so the secret is never stored.
   */
  async clientMetadata(workspaceId: string, clientId: string): Promise<ClientMetadata | undefined> {
    const app = await this.repository.findClient(workspaceId, clientId);
    if (!app) return undefined;
    return {
      client_id: app.clientId,
      client_name: app.name,
      ...(app.clientSecretHash && { client_secret: app.clientSecretHash }),
      redirect_uris: app.redirectUris,
      post_logout_redirect_uris: app.postLogoutRedirectUris,
      grant_types: app.grantTypes,
      response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: app.tokenEndpointAuthMethod,
      application_type: applicationType([...app.redirectUris, ...app.postLogoutRedirectUris]),
      id_token_signed_response_alg: app.tokenSigningAlg,
    };
  }

  private toResponse(a: Application): ApplicationResponse {
    return {
      id: a.id,
      workspaceId: a.workspaceId,
      name: a.name,
      clientId: a.clientId,
      redirectUris: a.redirectUris,
      postLogoutRedirectUris: a.postLogoutRedirectUris,
      grantTypes: a.grantTypes,
      tokenEndpointAuthMethod: a.tokenEndpointAuthMethod,
      tokenSigningAlg: a.tokenSigningAlg,
      issuer: `${this.config.publicUrl}/oidc/${a.workspaceId}`,
      createdAt: a.createdAt.toISOString(),
      updatedAt: a.updatedAt.toISOString(),
    };
  }

  private async require(workspaceId: string, id: string): Promise<Application> {
    const application = await this.repository.find(workspaceId, id);
    if (!application) throw new ApplicationNotFoundError();
    return application;
  }
}

interface ClientSettings {
  grantTypes: GrantType[];
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  tokenEndpointAuthMethod: TokenEndpointAuthMethod;
}

/** A new client's settings as sent, each one left out taking its default (grantTypes has none: it is required). */
function newClientSettings(sent: Partial<CreateApplicationDto>): Partial<ClientSettings> & Omit<ClientSettings, 'grantTypes'> {
  return {
    grantTypes: sent.grantTypes,
    redirectUris: sent.redirectUris ?? [],
    postLogoutRedirectUris: sent.postLogoutRedirectUris ?? [],
    tokenEndpointAuthMethod: sent.tokenEndpointAuthMethod ?? 'client_secret_basic',
  };
}

/** A client's settings once the change sent is made: each one left out stays as stored. */
function changedClientSettings(sent: Partial<UpdateApplicationDto>, current: Application): ClientSettings {
  return {
    grantTypes: sent.grantTypes ?? current.grantTypes,
    redirectUris: sent.redirectUris ?? current.redirectUris,
    postLogoutRedirectUris: sent.postLogoutRedirectUris ?? current.postLogoutRedirectUris,
    tokenEndpointAuthMethod: sent.tokenEndpointAuthMethod ?? current.tokenEndpointAuthMethod,
  };
}

/** `settings` with the fields the DTO's rules refused left unknown: no rule across fields judges them again. */
function withoutRefused(settings: Partial<ClientSettings>, reported: FieldError[]): Partial<ClientSettings> {
  const refused = new Set(reported.map(({ field }) => field));
  const known = <K extends keyof ClientSettings>(field: K) => (refused.has(field) ? undefined : settings[field]);
  return {
    grantTypes: known('grantTypes'),
    redirectUris: known('redirectUris'),
    postLogoutRedirectUris: known('postLogoutRedirectUris'),
    tokenEndpointAuthMethod: known('tokenEndpointAuthMethod'),
  };
}

/** A change's problems: the auth method is fixed at creation, and the client is judged with the one it keeps. */
function changeProblems(settings: Partial<ClientSettings>, current: Application): FieldError[] {
  const fixed: FieldError[] =
    settings.tokenEndpointAuthMethod && settings.tokenEndpointAuthMethod !== current.tokenEndpointAuthMethod
      ? [{ field: 'tokenEndpointAuthMethod', message: 'cannot be changed after creation; create a new application instead' }]
      : [];
  return [...fixed, ...coherenceProblems({ ...settings, tokenEndpointAuthMethod: current.tokenEndpointAuthMethod })];
}

/** Every rule across fields the settings break; a rule reading a field left unknown (refused already) is not applied. */
function coherenceProblems(settings: Partial<ClientSettings>): FieldError[] {
  const { grantTypes, redirectUris, tokenEndpointAuthMethod } = settings;
  const problems: FieldError[] = [];
  if (grantTypes?.includes('authorization_code') && redirectUris?.length === 0) {
    problems.push({ field: 'redirectUris', message: 'authorization_code needs at least one redirect URI' });
  }
  if (tokenEndpointAuthMethod === 'none' && grantTypes?.includes('client_credentials')) {
    problems.push({ field: 'grantTypes', message: 'a public client (tokenEndpointAuthMethod none) cannot use client_credentials' });
  }
  if (grantTypes?.includes('refresh_token') && !grantTypes.some((g) => g === 'authorization_code' || g === 'password')) {
    problems.push({ field: 'grantTypes', message: 'refresh_token needs authorization_code or password to start from' });
  }
  return [...problems, ...platformMix(settings)];
}

/** oidc-provider's names of the loopback hosts (lib/consts/client_attributes.js). */
const LOOPBACKS = new Set(['localhost', '127.0.0.1', '[::1]']);

const isWebUri = (uri: string) => /^https?:/i.test(uri);

/**
 * A custom scheme makes the client native: oidc-provider 9 allows only http(s) URIs to a
 * web client (lib/helpers/client_schema.js, redirectUris()).
 */
function applicationType(uris: string[]): 'web' | 'native' {
  return uris.every(isWebUri) ? 'web' : 'native';
}

/** oidc-provider refuses http on any other host than a loopback, and https on a loopback, to a native client (RFC 8252 §7.3, §7.2). */
function nativeRefuses(uri: string): boolean {
  const { protocol, hostname } = new URL(uri);
  if (protocol === 'http:') return !LOOPBACKS.has(hostname);
  return protocol === 'https:' && LOOPBACKS.has(hostname);
}

/**
 * A native client with a web app's URI would load, but the issuer would refuse it at every
 * sign-in; and no client type takes both. So the mix is refused here, where it is made, as
 * Auth0 and Okta ask for one application per platform.
 */
function platformMix({ redirectUris, postLogoutRedirectUris }: Partial<ClientSettings>): FieldError[] {
  // Either list refused: which kind of client this is cannot be told.
  if (!redirectUris || !postLogoutRedirectUris || applicationType([...redirectUris, ...postLogoutRedirectUris]) === 'web') return [];
  return Object.entries({ redirectUris, postLogoutRedirectUris }).flatMap(([field, uris]) => {
    const web = uris.filter(nativeRefuses);
    if (!web.length) return [];
    const message =
      `a custom-scheme URI makes this a native application, which cannot also use ${web.join(', ')}: ` +
      'a native app may use http only on a loopback host (127.0.0.1, [::1], localhost) and https only on another host; ' +
      'register one application per platform';
    return [{ field, message }];
  });
}
