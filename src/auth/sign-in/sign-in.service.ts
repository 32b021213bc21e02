import { Inject, Injectable } from '@nestjs/common';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { addressKey, Limit, RateLimitedError, RateLimiter, signInFailureKeys, signInIdentifierKey } from '../../platform/rate-limit/rate-limiter';
import { CredentialsService } from '../../users/credentials.service';
import { IdentityProvidersService } from '../identity-providers/identity-providers.service';

/** How long an attempt waits for the attempts in flight before it to be decided, and how often it looks. */
const SETTLE_WAIT_MS = 10_000;
const SETTLE_POLL_MS = 20;

/** The attempts of a limit still being checked: counted in its own key, which never refuses. */
function pendingOf(limit: Limit): Limit {
  return { key: `${limit.key}:pending`, max: Number.POSITIVE_INFINITY, windowSeconds: limit.windowSeconds };
}

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

  /**
   * The user id, or null for any refusal; throws RateLimitedError when throttled. An
   * address past its failure limit still signs in a right password (API.md: successful
   * sign-ins are never throttled per IP, so one guesser behind a NAT or a proxy does not
   * lock everyone behind it out); a wrong one from there gets 429 and still counts
   * against its identifier and the account's lockout, which bound guessing per account.
   */
  async withPassword(typed: SignInAttempt): Promise<string | null> {
    const attempt = { ...typed, identifier: this.credentials.identifierOf(typed.identifier) };
    const identifier = this.identifierLimit(attempt.workspaceId, attempt.identifier);
    try {
      return await this.verifyCounted(attempt, [this.addressLimit(attempt), identifier]);
    } catch (error) {
      if (!(error instanceof RateLimitedError)) throw error;
      const userId = await this.verifyCounted(attempt, [identifier]);
      if (userId) return userId;
      throw error;
    }
  }

  /** Verifies the password with the attempt counted against these failure limits. */
  private async verifyCounted(attempt: SignInAttempt, limits: Limit[]): Promise<string | null> {
    const pending = limits.map(pendingOf);
    // Each attempt counts as a failure while it is checked, so attempts sent together
    // cannot all get past the limits; a success gives its count back, so many users
    // behind one address are never throttled for signing in.
    await this.reserve(limits, pending);
    let userId: string | null = null;
    try {
      const poolIds = await this.identityProviders.poolsAccepting(attempt.workspaceId, 'password');
      userId = await this.credentials.verifyPassword({ ...attempt, poolIds });
    } finally {
      // A failure keeps its count and is no longer pending; a success gives both back.
      await this.limiter.release(userId ? [...limits, ...pending] : pending);
    }
    return userId;
  }

  /**
   * Counts the attempt against the limits. When a limit is full only because of attempts
   * still being checked (a load test, many users behind one NAT signing in at once), the
   * attempt waits for them to be decided instead of being refused: most of them succeed
   * and give their count back (API.md: successful sign-ins are never throttled per IP).
   * Once the failures alone fill a limit, the answer is 429 at once, so a burst of guesses
   * still gets no more checks than the limit allows.
   */
  private async reserve(limits: Limit[], pending: Limit[]): Promise<void> {
    const deadline = Date.now() + SETTLE_WAIT_MS;
    for (;;) {
      try {
        return await this.limiter.consume([...limits, ...pending]);
      } catch (error) {
        if (!(error instanceof RateLimitedError) || Date.now() >= deadline || !(await this.fullOnlyOfPending(limits, pending))) throw error;
        await new Promise((resolve) => setTimeout(resolve, SETTLE_POLL_MS + Math.random() * SETTLE_POLL_MS));
      }
    }
  }

  private async fullOnlyOfPending(limits: Limit[], pending: Limit[]): Promise<boolean> {
    const counts = await this.limiter.counts([...limits, ...pending].map((limit) => limit.key));
    return limits.every((limit, index) => counts[index] - counts[limits.length + index] < limit.max);
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

  private addressLimit({ workspaceId, ip }: SignInAttempt): Limit {
    const { windowSeconds, signInFailuresPerIp } = this.config.rateLimits;
    return { key: `signin:ip:${workspaceId}:${addressKey(ip)}`, max: signInFailuresPerIp, windowSeconds };
  }

  private identifierLimit(workspaceId: string, identifier: string): Limit {
    const { windowSeconds, signInFailuresPerIdentifier } = this.config.rateLimits;
    return { key: signInIdentifierKey(workspaceId, identifier), max: signInFailuresPerIdentifier, windowSeconds };
  }
}
