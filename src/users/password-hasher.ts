import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { AppConfig, Argon2Settings } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { ConcurrencyGate } from '../platform/threadpool/concurrency-gate';
import { argon2Concurrency } from '../platform/threadpool/threadpool';
import { DEFAULT_LIMITS, HashCheck, PasswordFormatLimits, PasswordFormatRegistry } from './password-formats';

/**
 * argon2id at the configured cost (OWASP defaults: 19 MiB, t=2, p=1).
 *
 * Hashes and verifications run on libuv's thread pool, at most one per core plus one at
 * a time (the rest wait in arrival order): more would only slice the same cores finer,
 * and would fill the pool so that the JWT signatures of every token request queue
 * behind password hashing. See platform/threadpool.
 *
 * Verification also accepts the formats of imported hashes (bcrypt, scrypt, PBKDF2,
 * crypt(3), LDAP SSHA: see password-formats), within cost limits; `needsRehash` is true for
 * all of them, so the sign-in upgrade hook turns each into argon2id on its first success.
 */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;
  private readonly gate = new ConcurrencyGate(argon2Concurrency());
  private readonly formats: PasswordFormatRegistry;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {
    this.formats = new PasswordFormatRegistry(limitsAllowing(config.argon2));
  }

  hash(password: string): Promise<string> {
    return this.gate.run(() => argon2.hash(password, { type: argon2.argon2id, ...this.config.argon2 }));
  }

  /**
   * True when `password` matches `hash` in any supported format (argon2id, our own, is
   * tried first). A hash in no supported format costs a dummy verification and fails, so
   * its timing looks like any other refusal. So does a hash cheaper than today's argon2id
   * (an imported format, older parameters): it is checked beside a dummy verification,
   * or a quick refusal would tell which identifiers are migrated accounts.
   */
  async verify(hash: string, password: string): Promise<boolean> {
    const format = this.formats.detectFormat(hash);
    if (!format) return this.verifyNothing(password);
    const check = this.gate.run(() => format.verify(password, hash));
    if (!this.needsRehash(hash)) return check;
    const [matches] = await Promise.all([check, this.verifyNothing(password)]);
    return matches;
  }

  /**
   * True when the hash should be redone with today's argon2id parameters: every hash in
   * another format, and argon2id hashes made with other parameters.
   */
  needsRehash(hash: string): boolean {
    if (this.formats.detectFormat(hash)?.id !== 'argon2id') return true;
    try {
      return argon2.needsRehash(hash, this.config.argon2);
    } catch {
      return true;
    }
  }

  /** For imports: true when `hash` is in a supported format, well-formed and within the cost limits. */
  isSupported(hash: string): boolean {
    return this.formats.checkHash(hash).supported;
  }

  /** `isSupported` with the reason for a refusal (unknown format, or which format and what is wrong), for import error reports. */
  checkHash(hash: string): HashCheck {
    return this.formats.checkHash(hash);
  }

  /**
   * Spends the time of a real verification and always fails: used when there is no
   * hash to check (unknown identifier), so timing does not tell who has an account.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    const dummy = await this.dummyHash;
    await this.gate.run(() => argon2.verify(dummy, password)).catch(() => false);
    return false;
  }
}

/** The default limits, widened so that hashes made with this service's own argon2 settings always verify. */
function limitsAllowing(own: Argon2Settings): PasswordFormatLimits {
  return {
    ...DEFAULT_LIMITS,
    argon2MemoryKiB: Math.max(DEFAULT_LIMITS.argon2MemoryKiB, own.memoryCost),
    argon2TimeCost: Math.max(DEFAULT_LIMITS.argon2TimeCost, own.timeCost),
    argon2Parallelism: Math.max(DEFAULT_LIMITS.argon2Parallelism, own.parallelism),
    argon2Work: Math.max(DEFAULT_LIMITS.argon2Work, own.memoryCost * own.timeCost),
  };
}
