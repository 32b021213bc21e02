import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, IsNull, Repository } from 'typeorm';
import { TokenPurpose, UserToken } from './user-token.entity';

@Injectable()
export class UserTokensRepository {
  constructor(@InjectRepository(UserToken) private readonly tokens: Repository<UserToken>) {}

  /** A token for a link mailed to `email`, which only that address may use. */
  async issue(tx: EntityManager, user: { id: string; email: string }, purpose: TokenPurpose, ttlSeconds: number): Promise<string> {
    const result = await tx.getRepository(UserToken).insert({ userId: user.id, email: user.email, purpose, expiresAt: new Date(Date.now() + ttlSeconds * 1000) });
    return result.identifiers[0].id as string;
  }

  find(id: string): Promise<UserToken | null> {
    return this.tokens.findOneBy({ id });
  }

  /** The token whose latest email, or the one sent before it, carried this hash. */
  findByHash(purpose: TokenPurpose, tokenHash: Buffer): Promise<UserToken | null> {
    return this.tokens.findOneBy([
      { purpose, tokenHash },
      { purpose, previousTokenHash: tokenHash },
    ]);
  }

  /**
   * Stores the hash of the token an email is about to carry, while the token is unused;
   * the one before stays usable (a send retried after a crash may have delivered it).
   */
  async setHash(id: string, tokenHash: Buffer): Promise<boolean> {
    const { affected } = await this.tokens.update({ id, usedAt: IsNull() }, { previousTokenHash: () => 'token_hash', tokenHash });
    return !!affected;
  }

  /** Spends one token; false when it was spent meanwhile (a second click, a race). */
  async spend(tx: EntityManager, id: string): Promise<boolean> {
    const { affected } = await tx.getRepository(UserToken).update({ id, usedAt: IsNull() }, { usedAt: () => 'now()' });
    return !!affected;
  }

  /** Spends every outstanding token of that purpose, e.g. all reset links once one is used. */
  async spendAll(tx: EntityManager, userId: string, purpose: TokenPurpose): Promise<void> {
    await tx.getRepository(UserToken).update({ userId, purpose, usedAt: IsNull() }, { usedAt: () => 'now()' });
  }
}
