import { Injectable } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { Transactions } from '../platform/database/transactions';
import { MoreProblems, validatePlainWith } from '../platform/http/validate-plain';
import { mapPage, Page, PageQuery } from '../platform/pagination/page';
import { changedFields } from '../platform/database/changed-fields';
import { CreatePoolDto } from './dto/create-pool.dto';
import { PoolResponse } from './dto/pool.response';
import { UpdatePoolDto } from './dto/update-pool.dto';
import { LockoutPolicy, PasswordPolicy, Pool, SelfRegistration } from './pool.entity';
import { passwordPolicyRangeProblem, PasswordPolicyRangeError, PoolNotFoundError } from './pools.errors';
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

  /** `body` as sent: checked here against CreatePoolDto (see validatePoolBody). */
  async create(workspaceId: string, body: unknown): Promise<PoolResponse> {
    const dto = await validatePoolBody(CreatePoolDto, body, async () => DEFAULT_PASSWORD_POLICY);
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

  /**
   * The settings are merged into what is stored, under a row lock: concurrent PATCHes of
   * different settings all stay. `body` as sent: checked here against UpdatePoolDto.
   */
  async update(workspaceId: string, poolId: string, body: unknown): Promise<PoolResponse> {
    const dto = await validatePoolBody(UpdatePoolDto, body, async () => (await this.repository.find(workspaceId, poolId))?.passwordPolicy ?? null);
    await this.transactions.run(async (tx) => {
      const pool = await this.repository.findForUpdate(tx, workspaceId, poolId);
      if (!pool) throw new PoolNotFoundError();
      const passwordPolicy = { ...pool.passwordPolicy, ...dto.passwordPolicy };
      assertPolicyRange(passwordPolicy);
      await this.repository.update(tx, workspaceId, poolId, changedFields(pool, {
        ...(dto.name !== undefined && { name: dto.name }),
        ...(dto.description !== undefined && { description: dto.description }),
        ...(dto.authenticationMechanisms && { authenticationMechanisms: dto.authenticationMechanisms }),
        ...(dto.invitationTtlHours !== undefined && { invitationTtlHours: dto.invitationTtlHours }),
        passwordPolicy,
        selfRegistration: { ...pool.selfRegistration, ...dto.selfRegistration },
        lockout: { ...pool.lockout, ...dto.lockout },
      }));
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

const inRange = (policy: PasswordPolicy) => policy.minLength <= policy.maxLength;

function assertPolicyRange(policy: PasswordPolicy): void {
  if (!inRange(policy)) throw new PasswordPolicyRangeError(policy);
}

/**
 * The body by its DTO's rules, as the global pipe checks other routes' bodies. When they fail, the
 * password length range is checked too, against the policy the request is merged with
 * (`basePolicy`: the defaults, or the stored one), so that one 400 lists every problem. When
 * they pass, the caller checks the range itself, under the lock for a PATCH.
 */
function validatePoolBody<T extends object>(type: ClassConstructor<T>, body: unknown, basePolicy: () => Promise<PasswordPolicy | null>): Promise<T> {
  const rangeProblems: MoreProblems = async (fields, reported) => {
    // A length that is invalid itself, or crossed within the request, is reported already.
    if (!reported.length || reported.some(({ field }) => field.startsWith('passwordPolicy'))) return [];
    const base = await basePolicy();
    const merged = base && { ...base, ...(fields.passwordPolicy as Partial<PasswordPolicy> | undefined) };
    return merged && !inRange(merged) ? [passwordPolicyRangeProblem(merged)] : [];
  };
  return validatePlainWith(type, body, rangeProblems, { forbidUnknown: true });
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
