import { Injectable, Logger } from '@nestjs/common';
import { unstorableText } from '../platform/text/storable-text';
import { PoolsService } from '../pools/pools.service';
import { PasswordHasher } from './password-hasher';
import { asStoredIdentifier } from './user-fields';
import { UsersRepository } from './users.repository';

export interface PasswordSignIn {
  workspaceId: string;
  /** Pools accepting password sign-in, in priority order. */
  poolIds: string[];
  identifier: string;
  password: string;
}

/**
 * Verifies passwords for sign-in. Every refusal looks the same and costs the same:
 * unknown identifier, wrong password, invited, pending, disabled or locked user.
 */
@Injectable()
export class CredentialsService {
  private readonly logger = new Logger(CredentialsService.name);

  constructor(
    private readonly users: UsersRepository,
    private readonly pools: PoolsService,
    private readonly hasher: PasswordHasher,
  ) {}

  /**
   * A sign-in identifier as typed, in the form identifiers are stored in ("+1 (415) 555-0100"
   * is the mobile +14155550100), so that every way of writing one account is one account, for
   * the lookup and for the failures counted against it.
   */
  identifierOf(typed: string): string {
    return asStoredIdentifier(typed);
  }

  /** The user id on success; null on any refusal. */
  async verifyPassword(attempt: PasswordSignIn): Promise<string | null> {
    const identifier = this.identifierOf(attempt.identifier);
    // No user was saved with an identifier PostgreSQL cannot store, and asking would fail
    // the query: such an identifier is unknown, and pays the dummy hash like any other.
    const candidate = attempt.poolIds.length && identifier && !unstorableText(identifier) ? await this.users.findForSignIn(attempt.workspaceId, attempt.poolIds, identifier) : null;
    if (!candidate?.passwordHash) return this.hasher.verifyNothing(attempt.password).then(() => null);

    const matches = await this.hasher.verify(candidate.passwordHash, attempt.password);
    const locked = !!candidate.lockedUntil && candidate.lockedUntil.getTime() > Date.now();
    if (locked || candidate.status !== 'active') return null;
    if (!matches) {
      const pool = await this.pools.findRules(attempt.workspaceId, candidate.poolId);
      if (pool) await this.users.recordFailedSignIn(candidate.id, pool.lockout);
      return null;
    }
    if (!(await this.users.recordSignIn(candidate.id))) return null;
    await this.upgrade(candidate.id, candidate.passwordHash, attempt.password);
    return candidate.id;
  }

  /** The upgrade hook: a hash made with older parameters is redone now that we know the password. */
  private async upgrade(userId: string, hash: string, password: string): Promise<void> {
    if (!this.hasher.needsRehash(hash)) return;
    try {
      await this.users.replacePasswordHash(userId, hash, await this.hasher.hash(password));
    } catch (error) {
      this.logger.warn({ userId, err: (error as Error).message }, 'Password hash upgrade failed; the old hash stays valid');
    }
  }
}
