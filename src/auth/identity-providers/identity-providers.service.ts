import { Injectable } from '@nestjs/common';
import { changedFields } from '../../platform/database/changed-fields';
import { validatePlainWith } from '../../platform/http/validate-plain';
import { mapPage, Page, PageQuery } from '../../platform/pagination/page';
import { FieldError } from '../../platform/problem/app-error';
import { PoolsService } from '../../pools/pools.service';
import { AuthenticationMechanism } from '../../pools/pool.entity';
import { CreateIdentityProviderDto } from './dto/create-identity-provider.dto';
import { IdentityProviderResponse } from './dto/identity-provider.response';
import { UpdateIdentityProviderDto } from './dto/update-identity-provider.dto';
import { IdentityProvider } from './identity-provider.entity';
import { IdentityProviderFieldError, IdentityProviderNotFoundError, poolNotInWorkspace, PoolNotInWorkspaceError } from './identity-providers.errors';
import { IdentityProvidersRepository } from './identity-providers.repository';

@Injectable()
export class IdentityProvidersService {
  constructor(
    private readonly repository: IdentityProvidersRepository,
    private readonly pools: PoolsService,
  ) {}

  /** `body` as sent: checked here, so that one 400 names its invalid fields and the pool's complaints together. */
  async create(workspaceId: string, body: unknown): Promise<IdentityProviderResponse> {
    const dto = await validatePlainWith(CreateIdentityProviderDto, body, (sent, reported) => this.connectionProblems(workspaceId, sent, reported), { forbidUnknown: true });
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
    const unoffered = dto.signInMethods && unofferedMethods(dto.signInMethods, await this.poolMechanisms(workspaceId, provider.poolId));
    if (unoffered) throw new IdentityProviderFieldError('signInMethods', unoffered);
    await this.repository.update(
      workspaceId,
      id,
      changedFields(provider, {
        ...(dto.signInMethods && { signInMethods: dto.signInMethods }),
        ...(dto.enabled !== undefined && { enabled: dto.enabled }),
        ...(dto.priority !== undefined && { priority: dto.priority }),
      }),
    );
    return this.get(workspaceId, id);
  }

  async delete(workspaceId: string, id: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId, id))) throw new IdentityProviderNotFoundError();
  }

  /** The pools whose users may sign in with `method` now, highest priority first. */
  async poolsAccepting(workspaceId: string, method: AuthenticationMechanism): Promise<string[]> {
    return this.repository.poolsEnabledFor(workspaceId, method);
  }

  /**
   * What the pool a connection names makes of it: not a pool of this workspace, or one that does
   * not offer the sign-in methods. `sent` as sent: a field the rules reported is not judged again.
   */
  private async connectionProblems(workspaceId: string, sent: Partial<CreateIdentityProviderDto>, reported: FieldError[]): Promise<FieldError[]> {
    const invalid = new Set(reported.map(({ field }) => field));
    if (invalid.has('poolId') || sent.poolId === undefined) return [];
    const pool = await this.pools.findRules(workspaceId, sent.poolId);
    if (!pool) return [poolNotInWorkspace(sent.poolId)];
    const unoffered = !invalid.has('signInMethods') && sent.signInMethods && unofferedMethods(sent.signInMethods, pool.authenticationMechanisms);
    return unoffered ? [{ field: 'signInMethods', message: unoffered }] : [];
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

/** Why the pool cannot take `methods`, or null when it offers each of them. */
function unofferedMethods(methods: AuthenticationMechanism[], mechanisms: AuthenticationMechanism[]): string | null {
  const missing = methods.filter((method) => !mechanisms.includes(method));
  return missing.length ? `the pool does not offer ${missing.join(', ')}; allowed: ${mechanisms.join(', ') || 'none'}` : null;
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
