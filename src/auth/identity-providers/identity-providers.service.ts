import { Injectable } from '@nestjs/common';
import { mapPage, Page, PageQuery } from '../../platform/pagination/page';
import { PoolsService } from '../../pools/pools.service';
import { AuthenticationMechanism } from '../../pools/pool.entity';
import { CreateIdentityProviderDto } from './dto/create-identity-provider.dto';
import { IdentityProviderResponse } from './dto/identity-provider.response';
import { UpdateIdentityProviderDto } from './dto/update-identity-provider.dto';
import { IdentityProvider } from './identity-provider.entity';
import { IdentityProviderFieldError, IdentityProviderNotFoundError, PoolNotInWorkspaceError } from './identity-providers.errors';
import { IdentityProvidersRepository } from './identity-providers.repository';

@Injectable()
export class IdentityProvidersService {
  constructor(
    private readonly repository: IdentityProvidersRepository,
    private readonly pools: PoolsService,
  ) {}

  async create(workspaceId: string, dto: CreateIdentityProviderDto): Promise<IdentityProviderResponse> {
    const mechanisms = await this.poolMechanisms(workspaceId, dto.poolId);
    assertSubset(dto.signInMethods, mechanisms);
    const provider = await this.repository.create(workspaceId, {
      type: dto.type,
      // Stored and answered as every id is shown: lower case (PostgreSQL takes a UUID in any case).
      poolId: dto.poolId.toLowerCase(),
      signInMethods: dto.signInMethods,
      enabled: dto.enabled ?? true,
      priority: dto.priority ?? 0,
    });
    return toResponse(provider);
  }

  async list(workspaceId: string, query: PageQuery): Promise<Page<IdentityProviderResponse>> {
    return mapPage(await this.repository.list(workspaceId, query), toResponse);
  }

  async get(workspaceId: string, id: string): Promise<IdentityProviderResponse> {
    return toResponse(await this.require(workspaceId, id));
  }

  /** Takes effect on the next sign-in: connections are read per attempt, never cached. */
  async update(workspaceId: string, id: string, dto: UpdateIdentityProviderDto): Promise<IdentityProviderResponse> {
    const provider = await this.require(workspaceId, id);
    if (dto.signInMethods) assertSubset(dto.signInMethods, await this.poolMechanisms(workspaceId, provider.poolId));
    await this.repository.update(workspaceId, id, {
      ...(dto.signInMethods && { signInMethods: dto.signInMethods }),
      ...(dto.enabled !== undefined && { enabled: dto.enabled }),
      ...(dto.priority !== undefined && { priority: dto.priority }),
    });
    return this.get(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId, id))) throw new IdentityProviderNotFoundError();
  }

  /** The pools whose users may sign in with `method` now, highest priority first. */
  async poolsAccepting(workspaceId: string, method: AuthenticationMechanism): Promise<string[]> {
    return this.repository.poolsEnabledFor(workspaceId, method);
  }

  private async poolMechanisms(workspaceId: string, poolId: string): Promise<AuthenticationMechanism[]> {
    const pool = await this.pools.findRules(workspaceId, poolId);
    if (!pool) throw new PoolNotInWorkspaceError(poolId);
    return pool.authenticationMechanisms;
  }

  private async require(workspaceId: string, id: string): Promise<IdentityProvider> {
    const provider = await this.repository.find(workspaceId, id);
    if (!provider) throw new IdentityProviderNotFoundError();
    return provider;
  }
}

function assertSubset(methods: AuthenticationMechanism[], mechanisms: AuthenticationMechanism[]): void {
  const missing = methods.filter((method) => !mechanisms.includes(method));
  if (missing.length) {
    throw new IdentityProviderFieldError('signInMethods', `the pool does not offer ${missing.join(', ')}; allowed: ${mechanisms.join(', ') || 'none'}`);
  }
}

function toResponse(p: IdentityProvider): IdentityProviderResponse {
  return {
    id: p.id,
    workspaceId: p.workspaceId,
    type: p.type,
    poolId: p.poolId,
    signInMethods: p.signInMethods,
    enabled: p.enabled,
    priority: p.priority,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
