import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { addressKey, Limit, RateLimiter, signInFailureKeys, signInIdentifierKey } from '../../platform/rate-limit/rate-limiter';
import { CredentialsService } from '../../users/credentials.service';
import { IdentityProvidersService } from '../identity-providers/identity-providers.service';

export interface SignInAttempt {
  workspaceId: string;
  identifier: string;
  password: string;
  ip: string;
}

/**
 * The one path by which a password signs a user in, for the login page and the password
 * grant alike: throttled by failures per IP and per identifier, restricted to pools that
 * are connected and enabled, verified by the users module's credential service.
 */
@Injectable()
export class SignInService {
  constructor(
    private readonly credentials: CredentialsService,
    private readonly identityProviders: IdentityProvidersService,
    private readonly limiter: RateLimiter,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** The user id, or null for any refusal; throws RateLimitedError when throttled. */
  async withPassword(attempt: SignInAttempt): Promise<string | null> {
    const limits = this.failureLimits(attempt);
    // Each attempt counts as a failure while it is checked, so attempts sent together
    // cannot all get past the limits; a success gives its count back, so many users
    // behind one address are never throttled for signing in.
    await this.limiter.consume(limits);
    const poolIds = await this.identityProviders.poolsAccepting(attempt.workspaceId, 'password');
    const userId = await this.credentials.verifyPassword({ ...attempt, poolIds });
    if (userId) await this.limiter.release(limits);
    return userId;
  }

  /**
   * Forgets the failures counted against a user's identifiers once its owner chose a new
   * password through the address (a reset, an accepted invitation): the guesses counted
   * are moot, and, as with Auth0's brute-force protection, the owner is not kept out by
   * failures someone else caused.
   */
  async forgetFailures(workspaceId: string, identifiers: (string | null)[]): Promise<void> {
    await this.limiter.clear(signInFailureKeys(workspaceId, identifiers));
  }

  private failureLimits({ workspaceId, identifier, ip }: SignInAttempt): Limit[] {
    const { windowSeconds, signInFailuresPerIp } = this.config.rateLimits;
    return [{ key: `signin:ip:${workspaceId}:${addressKey(ip)}`, max: signInFailuresPerIp, windowSeconds }, this.identifierLimit(workspaceId, identifier)];
  }

  private identifierLimit(workspaceId: string, identifier: string): Limit {
    const { windowSeconds, signInFailuresPerIdentifier } = this.config.rateLimits;
    return { key: signInIdentifierKey(workspaceId, identifier), max: signInFailuresPerIdentifier, windowSeconds };
  }
}
