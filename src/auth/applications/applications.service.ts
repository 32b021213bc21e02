import { Inject, Injectable } from '@nestjs/common';
import { createHash, randomBytes } from 'node:crypto';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { mapPage, Page, PageQuery } from '../../platform/pagination/page';
import { Application, GrantType, TokenEndpointAuthMethod } from './application.entity';
import { ApplicationFieldError, ApplicationNotFoundError } from './applications.errors';
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
}

/** Client secrets are 256 random bits, so a fast hash is as safe as a slow one. */
export function hashClientSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

@Injectable()
export class ApplicationsService {
  constructor(
    private readonly repository: ApplicationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async create(workspaceId: string, dto: CreateApplicationDto): Promise<CreatedApplicationResponse> {
    const tokenEndpointAuthMethod = dto.tokenEndpointAuthMethod ?? 'client_secret_basic';
    const redirectUris = dto.redirectUris ?? [];
    assertCoherent(dto.grantTypes, redirectUris, tokenEndpointAuthMethod);
    const clientSecret = tokenEndpointAuthMethod === 'none' ? undefined : `sec_${randomBytes(32).toString('base64url')}`;
    const application = await this.repository.create(workspaceId, {
      name: dto.name,
      clientId: `app_${randomBytes(18).toString('base64url')}`,
      clientSecretHash: clientSecret ? hashClientSecret(clientSecret) : null,
      redirectUris,
      postLogoutRedirectUris: dto.postLogoutRedirectUris ?? [],
      grantTypes: dto.grantTypes,
      tokenEndpointAuthMethod,
    });
    return { ...this.toResponse(application), ...(clientSecret && { clientSecret }) };
  }

  async list(workspaceId: string, query: PageQuery): Promise<Page<ApplicationResponse>> {
    return mapPage(await this.repository.list(workspaceId, query), (a) => this.toResponse(a));
  }

  async get(workspaceId: string, id: string): Promise<ApplicationResponse> {
    return this.toResponse(await this.require(workspaceId, id));
  }

  /** The issuer reads clients per request, so a change applies to the next authorization. */
  async update(workspaceId: string, id: string, dto: UpdateApplicationDto): Promise<ApplicationResponse> {
    const current = await this.require(workspaceId, id);
    if (dto.tokenEndpointAuthMethod && dto.tokenEndpointAuthMethod !== current.tokenEndpointAuthMethod) {
      throw new ApplicationFieldError('tokenEndpointAuthMethod', 'cannot be changed after creation; create a new application instead');
    }
    const grantTypes = dto.grantTypes ?? current.grantTypes;
    const redirectUris = dto.redirectUris ?? current.redirectUris;
    assertCoherent(grantTypes, redirectUris, current.tokenEndpointAuthMethod);
    await this.repository.update(workspaceId, id, {
      ...(dto.name !== undefined && { name: dto.name }),
      ...(dto.redirectUris && { redirectUris }),
      ...(dto.postLogoutRedirectUris && { postLogoutRedirectUris: dto.postLogoutRedirectUris }),
      ...(dto.grantTypes && { grantTypes }),
    });
    return this.get(workspaceId, id);
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
    const uris = [...app.redirectUris, ...app.postLogoutRedirectUris];
    return {
      client_id: app.clientId,
      client_name: app.name,
      ...(app.clientSecretHash && { client_secret: app.clientSecretHash }),
      redirect_uris: app.redirectUris,
      post_logout_redirect_uris: app.postLogoutRedirectUris,
      grant_types: app.grantTypes,
      response_types: app.grantTypes.includes('authorization_code') ? ['code'] : [],
      token_endpoint_auth_method: app.tokenEndpointAuthMethod,
      application_type: uris.some((uri) => !/^https?:/i.test(uri)) ? 'native' : 'web',
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

function assertCoherent(grantTypes: GrantType[], redirectUris: string[], authMethod: TokenEndpointAuthMethod): void {
  if (grantTypes.includes('authorization_code') && !redirectUris.length) {
    throw new ApplicationFieldError('redirectUris', 'authorization_code needs at least one redirect URI');
  }
  if (authMethod === 'none' && grantTypes.includes('client_credentials')) {
    throw new ApplicationFieldError('grantTypes', 'a public client (tokenEndpointAuthMethod none) cannot use client_credentials');
  }
  if (grantTypes.includes('refresh_token') && !grantTypes.some((g) => g === 'authorization_code' || g === 'password')) {
    throw new ApplicationFieldError('grantTypes', 'refresh_token needs authorization_code or password to start from');
  }
}
