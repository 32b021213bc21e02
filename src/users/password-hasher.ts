import { Inject, Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';

/** argon2id at the configured cost (OWASP defaults: 19 MiB, t=2, p=1). */
@Injectable()
export class PasswordHasher {
  private dummyHash?: Promise<string>;

  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  hash(password: string): Promise<string> {
    return argon2.hash(password, { type: argon2.argon2id, ...this.config.argon2 });
  }

  verify(hash: string, password: string): Promise<boolean> {
    return argon2.verify(hash, password).catch(() => false);
  }

  /** True when the hash was made with other parameters than today's, so it should be redone. */
  needsRehash(hash: string): boolean {
    try {
      return argon2.needsRehash(hash, this.config.argon2);
    } catch {
      return true;
    }
  }

  /**
   * Spends the time of a real verification and always fails: used when there is no
   * hash to check (unknown identifier), so timing does not tell who has an account.
   */
  async verifyNothing(password: string): Promise<false> {
    this.dummyHash ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
