import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ClassConstructor } from 'class-transformer';
import { EntityManager } from 'typeorm';
import { isUUID } from 'class-validator';
import { IdentityProvidersService } from '../identity-providers/identity-providers.service';
import { InvitationGoneError } from '../../invitations/invitations.errors';
import { InvitationsService } from '../../invitations/invitations.service';
import { MailService } from '../../mail/mail.service';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Transactions } from '../../platform/database/transactions';
import { MoreProblems, validatePlainWith } from '../../platform/http/validate-plain';
import { addressKey, identifierKey, Limit, RateLimiter } from '../../platform/rate-limit/rate-limiter';
import { equalFolded } from '../../platform/text/pg-lower';
import { hashSecretToken } from '../../platform/tokens/secret-token';
import { PasswordPolicy } from '../../pools/pool.entity';
import { PoolRules, PoolsService } from '../../pools/pools.service';
import { UserResponse } from '../../users/dto/user.response';
import { passwordPolicyViolation } from '../../users/user-fields';
import { UserStatus } from '../../users/user.entity';
import { UsersService } from '../../users/users.service';
import { SignInService } from '../sign-in/sign-in.service';
import { AcceptInvitationDto, InvitationDetailsResponse, PasswordResetConfirmDto, PasswordResetRequestDto, RegistrationDto } from './dto/self-service.dto';
import { LinkGoneError, LinkNotFoundError, NotResettableError, NotVerifiableError, PoolNotFoundError, RegistrationClosedError } from './self-service.errors';
import { ACCOUNT_EXISTS_MAIL, BY_ADMIN, PASSWORD_RESET_MAIL, SelfServiceMailComposers, VERIFICATION_MAIL } from './self-service.mail';
import { TokenPurpose, UserToken } from './user-token.entity';
import { UserTokensRepository } from './user-tokens.repository';

const VERIFICATION_TTL_SECONDS = 24 * 3600;
const RESET_TTL_SECONDS = 3600;

/** `counted`: this request was counted against the limits already (a form shown again after its refused post). */
interface AlreadyCounted {
  counted?: boolean;
}

/**
 * Accounts whose owner may choose a new password through the address: not a disabled
 * one. An invited user who lost the invitation gets in this way too (as with Keycloak or
 * Auth0): the link goes to the same address, and choosing the password accepts it.
 */
function resettable(status: UserStatus): boolean {
  return status !== 'disabled';
}

/** Links from before they recorded their address (null) are judged as they were then. */
function linkStillAddressed(row: UserToken, email: string | null): boolean {
  return row.email === null || equalFolded(row.email, email);
}

/**
 * What end users do without an API key: accept an invitation, register, verify their
 * email, reset their password. Answers never reveal whether an email has an account;
 * every request counts against per-IP (and, where there is one, per-email) limits.
 */
@Injectable()
export class SelfServiceService implements OnModuleInit {
  private readonly logger = new Logger(SelfServiceService.name);

  constructor(
    private readonly invitations: InvitationsService,
    private readonly users: UsersService,
    private readonly pools: PoolsService,
    private readonly identityProviders: IdentityProvidersService,
    private readonly tokens: UserTokensRepository,
    private readonly mail: MailService,
    private readonly composers: SelfServiceMailComposers,
    private readonly limiter: RateLimiter,
    private readonly signIn: SignInService,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.users.whenPendingReaddressed((tx, user) => this.sendVerification(tx, user));
    this.mail.register(VERIFICATION_MAIL, this.composers.verification);
    this.mail.register(PASSWORD_RESET_MAIL, this.composers.passwordReset);
    this.mail.register(ACCOUNT_EXISTS_MAIL, this.composers.accountExists);
  }

  async invitationDetails(token: string, ip: string, { counted = false }: AlreadyCounted = {}): Promise<InvitationDetailsResponse> {
    if (!counted) await this.limiter.consume(this.limits(ip));
    const invitation = await this.invitations.redeemable(token);
    const pool = await this.pools.rules(invitation.workspaceId, invitation.poolId);
    return { email: invitation.email, poolName: pool.name, passwordPolicy: pool.passwordPolicy, expiresAt: invitation.expiresAt.toISOString() };
  }

  /**
   * `body` as sent (see validBody). Guesses counted against the address before are moot
   * once its owner chose the password: they are forgotten.
   */
  async acceptInvitation(body: unknown, ip: string): Promise<UserResponse> {
    const dto = await this.validBody(AcceptInvitationDto, body, async ({ token }) => (await this.invitationDetails(String(token), ip, { counted: true })).passwordPolicy);
    await this.limiter.consume(this.limits(ip));
    const invitation = await this.invitations.redeemable(dto.token);
    const user = await this.users.completeWithPassword({ workspaceId: invitation.workspaceId, poolId: invitation.poolId }, invitation.userId, dto.password, {
      names: { givenName: dto.givenName, familyName: dto.familyName },
      within: async (tx, locked) => {
        // Revoked with the change that made it stale; checked again here for a change that raced the accept.
        if (locked.status !== 'invited' || !equalFolded(locked.email, invitation.email)) throw new InvitationGoneError('withdrawn');
        await this.invitations.accept(tx, invitation.id);
      },
    });
    await this.signIn.forgetFailures(invitation.workspaceId, [user.email, user.mobile]);
    return user;
  }

  /** What the hosted registration page shows; 404 for no pool, 403 when registration is closed. */
  async registrationForm(poolId: string): Promise<{ poolName: string; passwordPolicy: { minLength: number; maxLength: number } }> {
    const pool = await this.openForRegistration(poolId);
    return { poolName: pool.name, passwordPolicy: pool.passwordPolicy };
  }

  /**
   * 202 whatever happened (the caller answers it), so nobody learns who has an account.
   * Returns the address and whether the pool verifies addresses (the pool's setting, the
   * same for every address).
   */
  async register(body: unknown, ip: string): Promise<{ email: string; verifies: boolean }> {
    const dto = await this.validBody(RegistrationDto, body, async ({ poolId }) => (await this.registrationForm(String(poolId))).passwordPolicy);
    await this.limiter.consume(this.limits(ip, dto.email));
    const pool = await this.openForRegistration(dto.poolId);
    const verifies = pool.selfRegistration.requireEmailVerification;
    const scope = { workspaceId: pool.workspaceId, poolId: pool.id };
    const outcome = await this.users.register(pool, dto, async (tx, user) => {
      if (user.status === 'pending_verification') await this.sendVerification(tx, { ...scope, ...user });
    });
    if (outcome === 'exists') await this.tellOwner(scope, dto.email);
    return { email: dto.email, verifies };
  }

  /** A verification link for the user's address, mailed with the transaction that made it needed; `sentBy` an admin says so. */
  private async sendVerification(tx: EntityManager, user: { workspaceId: string; poolId: string; id: string; email: string }, sentBy?: typeof BY_ADMIN): Promise<void> {
    const tokenId = await this.tokens.issue(tx, user, 'email_verification', VERIFICATION_TTL_SECONDS);
    await this.mail.send(tx, [{ kind: VERIFICATION_MAIL, recipient: user.email, payload: { workspaceId: user.workspaceId, poolId: user.poolId, tokenId, ...sentBy } }]);
  }

  /**
   * Emails the owner of an address that already has an account, with a link to choose a
   * new password where a reset may be asked for: the owner who forgot it, or whose
   * verification link ran out, gets in through the address itself, never through the
   * password typed at registration (that would let whoever registered an address first
   * keep a way into the account its owner then verifies).
   */
  private async tellOwner(scope: { workspaceId: string; poolId: string }, email: string): Promise<void> {
    const existing = await this.users.findByEmail(scope, email);
    if (!existing) return;
    await this.transactions.run(async (tx) => {
      const tokenId = resettable(existing.status) ? await this.tokens.issue(tx, existing, 'password_reset', RESET_TTL_SECONDS) : undefined;
      await this.mail.send(tx, [{ kind: ACCOUNT_EXISTS_MAIL, recipient: existing.email, payload: { ...scope, status: existing.status, ...(tokenId && { tokenId }) } }]);
    });
  }

  /**
   * An admin sends a user a link to verify its address (Keycloak's verify-email email): the
   * one registration sends. It says why it cannot, as the admin may know who the user is.
   */
  async sendVerificationTo(scope: { workspaceId: string; poolId: string }, userId: string): Promise<void> {
    const user = await this.users.get(scope, userId);
    if (!user.email) throw new NotVerifiableError('no-email');
    if (user.emailVerified) throw new NotVerifiableError('verified');
    if (user.status === 'invited' || user.status === 'disabled') throw new NotVerifiableError(user.status);
    const email = user.email;
    await this.limiter.consume(this.emailLimits(email));
    await this.transactions.run((tx) => this.sendVerification(tx, { ...scope, id: user.id, email }, BY_ADMIN));
  }

  /** The hosted page checks the link when it opens (without spending it), so a dead link says so at once. */
  async checkVerificationLink(token: string, ip: string): Promise<void> {
    await this.limiter.consume(this.limits(ip));
    await this.scopeOf(await this.redeemable('email_verification', token));
  }

  async verifyEmail(token: string, ip: string): Promise<UserResponse> {
    await this.limiter.consume(this.limits(ip));
    const row = await this.redeemable('email_verification', token);
    return this.users.verifyEmail(await this.scopeOf(row), row.userId, async (tx, user) => this.spend(tx, row, user.email));
  }

  /**
   * 202 whatever happened: only an active (or still unverified) account gets an email.
   * The answer does not wait for the lookup: a known address takes a token's and an
   * email's insert longer than an unknown one, and the time would tell them apart. A
   * request lost to a crash meanwhile is one the user can send again.
   */
  async requestPasswordReset(dto: PasswordResetRequestDto, ip: string): Promise<void> {
    await this.resetInBackground(dto.email, ip, async () => [dto.poolId]);
  }

  /**
   * "Forgot your password?" on a workspace's login page: the address is looked up in every
   * pool whose users sign in there, as the sign-in itself does, and answered the same way.
   */
  async requestSignInPasswordReset(workspaceId: string, email: string, ip: string): Promise<void> {
    await this.resetInBackground(email, ip, () => this.identityProviders.poolsAccepting(workspaceId, 'password'));
  }

  /** The pool a workspace's login page offers to register in: the first one that signs in there and is open for it. */
  async registrationPoolFor(workspaceId: string): Promise<string | null> {
    for (const poolId of await this.identityProviders.poolsAccepting(workspaceId, 'password')) {
      if ((await this.pools.findRulesById(poolId))?.selfRegistration.enabled) return poolId;
    }
    return null;
  }

  private async resetInBackground(email: string, ip: string, poolIds: () => Promise<string[]>): Promise<void> {
    await this.limiter.consume(this.limits(ip, email));
    const send = async () => {
      for (const poolId of await poolIds()) await this.sendPasswordReset(poolId, email);
    };
    void send().catch((error: Error) => this.logger.error({ err: error.message }, 'Password reset not sent'));
  }

  private async sendPasswordReset(poolId: string, email: string): Promise<void> {
    const pool = await this.pools.findRulesById(poolId);
    if (!pool) return;
    const scope = { workspaceId: pool.workspaceId, poolId: pool.id };
    const user = await this.users.findByEmail(scope, email);
    if (!user || !resettable(user.status)) return;
    await this.mailResetLink(scope, user);
  }

  /**
   * An admin sends a user a reset link (Keycloak's reset-password email, Auth0's password
   * change email): the same link as a self-service request, to the user's address. The
   * current password keeps working until a new one is chosen. Unlike the self-service
   * request, it says why it cannot: the admin may know who the user is.
   */
  async sendPasswordResetTo(scope: { workspaceId: string; poolId: string }, userId: string): Promise<void> {
    const user = await this.users.get(scope, userId);
    if (!user.email) throw new NotResettableError('no-email');
    if (!resettable(user.status)) throw new NotResettableError('disabled');
    await this.limiter.consume(this.emailLimits(user.email));
    await this.mailResetLink(scope, { id: user.id, email: user.email }, BY_ADMIN);
  }

  private async mailResetLink(scope: { workspaceId: string; poolId: string }, user: { id: string; email: string }, sentBy?: typeof BY_ADMIN): Promise<void> {
    await this.transactions.run(async (tx) => {
      const tokenId = await this.tokens.issue(tx, user, 'password_reset', RESET_TTL_SECONDS);
      await this.mail.send(tx, [{ kind: PASSWORD_RESET_MAIL, recipient: user.email, payload: { ...scope, tokenId, ...sentBy } }]);
    });
  }

  /**
   * What the hosted reset page shows: the account's address (null for a mobile-only user)
   * and the pool's password rule; 404 or 410 at once for a bad link, before anyone types.
   */
  async passwordResetForm(
    token: string,
    ip: string,
    { counted = false }: AlreadyCounted = {},
  ): Promise<{ email: string | null; passwordPolicy: { minLength: number; maxLength: number } }> {
    if (!counted) await this.limiter.consume(this.limits(ip));
    const user = await this.scopeOf(await this.redeemable('password_reset', token));
    return { email: user.email, passwordPolicy: (await this.pools.rules(user.workspaceId, user.poolId)).passwordPolicy };
  }

  /**
   * Sets the new password, spends every reset link of the user, and ends its sessions. The
   * owner is let in at once: the lockout ends, and so does the throttling of its identifiers.
   */
  async confirmPasswordReset(body: unknown, ip: string): Promise<void> {
    const dto = await this.validBody(PasswordResetConfirmDto, body, async ({ token }) => (await this.passwordResetForm(String(token), ip, { counted: true })).passwordPolicy);
    await this.limiter.consume(this.limits(ip));
    const row = await this.redeemable('password_reset', dto.token);
    const scope = await this.scopeOf(row);
    const user = await this.users.completeWithPassword(scope, row.userId, dto.password, {
      within: async (tx, locked) => {
        await this.spend(tx, row, locked.email);
        await this.tokens.spendAll(tx, row.userId, 'password_reset');
      },
    });
    await this.signIn.forgetFailures(scope.workspaceId, [user.email, user.mobile]);
  }

  /**
   * A body by its DTO's rules. The pool's password policy is checked later, with the user
   * or pool at hand; when the body is refused already, a password the rules let pass is
   * judged now too by the policy `policyOf` finds (for the link's token, the pool's id), so
   * one 400 names every bad field. A body that names no pool adds nothing.
   */
  private validBody<T extends object>(type: ClassConstructor<T>, body: unknown, policyOf: (fields: Record<string, unknown>) => Promise<PasswordPolicy>): Promise<T> {
    const policyProblems: MoreProblems = async (fields, reported) => {
      if (!reported.length || typeof fields.password !== 'string' || reported.some(({ field }) => field === 'password')) return [];
      const policy = await policyOf(fields).catch(() => null);
      const violation = policy && passwordPolicyViolation(policy, fields.password);
      return violation ? [{ field: 'password', message: violation }] : [];
    };
    return validatePlainWith(type, body, policyProblems, { forbidUnknown: true });
  }

  /** The pool id comes from a link's query string as typed: anything but a UUID names no pool. */
  private async openForRegistration(poolId: string): Promise<PoolRules> {
    const pool = isUUID(poolId) ? await this.pools.findRulesById(poolId) : null;
    if (!pool) throw new PoolNotFoundError();
    if (!pool.selfRegistration.enabled) throw new RegistrationClosedError();
    return pool;
  }

  private async redeemable(purpose: TokenPurpose, token: string): Promise<UserToken> {
    const row = await this.tokens.findByHash(purpose, hashSecretToken(token));
    if (!row) throw new LinkNotFoundError();
    if (row.usedAt) throw new LinkGoneError('used');
    if (row.expiresAt.getTime() <= Date.now()) throw new LinkGoneError('expired');
    return row;
  }

  /** Where the link's user lives, and its address; 410 once that is not the one the link was mailed to. */
  private async scopeOf(row: UserToken): Promise<{ workspaceId: string; poolId: string; email: string | null }> {
    const user = await this.users.linkTarget(row.userId);
    if (!user) throw new LinkNotFoundError();
    if (!linkStillAddressed(row, user.email)) throw new LinkGoneError('readdressed');
    return { workspaceId: user.workspaceId, poolId: user.poolId, email: user.email };
  }

  /** Spends the link for the user as it is now (locked): its address must still be the one the link went to. */
  private async spend(tx: EntityManager, row: UserToken, email: string | null): Promise<void> {
    if (!linkStillAddressed(row, email)) throw new LinkGoneError('readdressed');
    if (!(await this.tokens.spend(tx, row.id))) throw new LinkGoneError('used');
  }


  private limits(ip: string, email?: string): Limit[] {
    const { windowSeconds, selfServicePerIp } = this.config.rateLimits;
    return [{ key: `self-service:ip:${addressKey(ip)}`, max: selfServicePerIp, windowSeconds }, ...(email ? this.emailLimits(email) : [])];
  }

  /** What one inbox receives from self-service in a window, whoever asks: a user, a stranger, or an admin's key. */
  private emailLimits(email: string): Limit[] {
    const { windowSeconds, selfServicePerEmail } = this.config.rateLimits;
    return [{ key: `self-service:email:${identifierKey(email)}`, max: selfServicePerEmail, windowSeconds }];
  }
}
