import { Injectable } from '@nestjs/common';
import { Transactions } from '../platform/database/transactions';
import { mapPage, Page, PageQuery } from '../platform/pagination/page';
import { CreatePoolDto } from './dto/create-pool.dto';
import { PoolResponse } from './dto/pool.response';
import { UpdatePoolDto } from './dto/update-pool.dto';
import { LockoutPolicy, PasswordPolicy, Pool, SelfRegistration } from './pool.entity';
import { PasswordPolicyRangeError, PoolNotFoundError } from './pools.errors';
import { PoolsRepository } from './pools.repository';

const DEFAULT_PASSWORD_POLICY: PasswordPolicy = { minLength: 8, maxLength: 128 };
const DEFAULT_SELF_REGISTRATION: SelfRegistration = { enabled: false, requireEmailVerification: true };
const DEFAULT_LOCKOUT: LockoutPolicy = { maxFailedAttempts: 5, durationSeconds: 900 };
const DEFAULT_INVITATION_TTL_HOURS = 72;

/** The parts of a pool other modules need to apply its rules. */
export type PoolRules = Pick<Pool, 'id' | 'workspaceId' | 'name' | 'passwordPolicy' | 'selfRegistration' | 'invitationTtlHours' | 'lockout' | 'authenticationMechanisms'>;

@Injectable()
export class PoolsService {
  constructor(
    private readonly repository: PoolsRepository,
    private readonly transactions: Transactions,
  ) {}

  async create(workspaceId: string, dto: CreatePoolDto): Promise<PoolResponse> {
    const passwordPolicy = { ...DEFAULT_PASSWORD_POLICY, ...dto.passwordPolicy };
    assertPolicyRange(passwordPolicy);
    const pool = await this.repository.create(workspaceId, {
      name: dto.name,
      description: dto.description ?? null,
      authenticationMechanisms: dto.authenticationMechanisms ?? ['password'],
      passwordPolicy,
      selfRegistration: { ...DEFAULT_SELF_REGISTRATION, ...dto.selfRegistration },
      invitationTtlHours: dto.invitationTtlHours ?? DEFAULT_INVITATION_TTL_HOURS,
      lockout: { ...DEFAULT_LOCKOUT, ...dto.lockout },
    });
    return toPoolResponse(pool);
  }

  async list(workspaceId: string, query: PageQuery): Promise<Page<PoolResponse>> {
    return mapPage(await this.repository.list(workspaceId, query), toPoolResponse);
  }

  async get(workspaceId: string, poolId: string): Promise<PoolResponse> {
    return toPoolResponse(await this.require(workspaceId, poolId));
  }

  /** The pool's rules, or 404 when it is not a pool of this workspace. */
  async rules(workspaceId: string, poolId: string): Promise<PoolRules> {
    return this.require(workspaceId, poolId);
  }

  /**
   * For self-service, where the pool id itself is what the public names (registration
   * and reset forms): the pool's rules, or null.
   */
  findRulesById(poolId: string): Promise<PoolRules | null> {
    return this.repository.findById(poolId);
  }

  /** The pool's rules, or null when it is not a pool of this workspace. */
  findRules(workspaceId: string, poolId: string): Promise<PoolRules | null> {
    return this.repository.find(workspaceId, poolId);
  }

  /** The settings are merged into what is stored, under a row lock: concurrent PATCHes of different settings all stay. */
  async update(workspaceId: string, poolId: string, dto: UpdatePoolDto): Promise<PoolResponse> {
    await this.transactions.run(async (tx) => {
      const pool = await this.repository.findForUpdate(tx, workspaceId, poolId);
      if (!pool) throw new PoolNotFoundError();
      const passwordPolicy = { ...pool.passwordPolicy, ...dto.passwordPolicy };
      assertPolicyRange(passwordPolicy);
      await this.repository.update(tx, workspaceId, poolId, {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.authenticationMechanisms && { authenticationMechanisms: dto.authenticationMechanisms }),
        ...(dto.invitationTtlHours !== undefined && { invitationTtlHours: dto.invitationTtlHours }),
        passwordPolicy,
        selfRegistration: { ...pool.selfRegistration, ...dto.selfRegistration },
        lockout: { ...pool.lockout, ...dto.lockout },
      });
    });
    return this.get(workspaceId, poolId);
  }

  /** Users, credentials, invitations and memberships go with the pool (ON DELETE CASCADE). */
  async delete(workspaceId: string, poolId: string): Promise<void> {
    if (!(await this.repository.delete(workspaceId, poolId))) throw new PoolNotFoundError();
  }

  private async require(workspaceId: string, poolId: string): Promise<Pool> {
    const pool = await this.repository.find(workspaceId, poolId);
    if (!pool) throw new PoolNotFoundError();
    return pool;
  }
}

function assertPolicyRange(policy: PasswordPolicy): void {
  if (policy.maxLength < policy.minLength) throw new PasswordPolicyRangeError();
}

function toPoolResponse(p: Pool): PoolResponse {
  return {
    id: p.id,
    workspaceId: p.workspaceId,
    name: p.name,
    description: p.description,
    authenticationMechanisms: p.authenticationMechanisms,
    passwordPolicy: p.passwordPolicy,
    selfRegistration: p.selfRegistration,
    invitationTtlHours: p.invitationTtlHours,
    lockout: p.lockout,
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}
