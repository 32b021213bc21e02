import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { isUUID } from 'class-validator';
import { createHash } from 'node:crypto';
import { InvitationsService } from '../../invitations/invitations.service';
import { MailService } from '../../mail/mail.service';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { Transactions } from '../../platform/database/transactions';
import { Limit, RateLimiter } from '../../platform/rate-limit/rate-limiter';
import { hashSecretToken } from '../../platform/tokens/secret-token';
import { PoolRules, PoolsService } from '../../pools/pools.service';
import { UserResponse } from '../../users/dto/user.response';
import { UsersService } from '../../users/users.service';
import { AcceptInvitationDto, InvitationDetailsResponse, PasswordResetConfirmDto, PasswordResetRequestDto, RegistrationDto } from './dto/self-service.dto';
import { LinkGoneError, LinkNotFoundError, PoolNotFoundError, RegistrationClosedError } from './self-service.errors';
import { ACCOUNT_EXISTS_MAIL, PASSWORD_RESET_MAIL, SelfServiceMailComposers, VERIFICATION_MAIL } from './self-service.mail';
import { TokenPurpose, UserToken } from './user-token.entity';
import { UserTokensRepository } from './user-tokens.repository';

const VERIFICATION_TTL_SECONDS = 24 * 3600;
const RESET_TTL_SECONDS = 3600;

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
    private readonly tokens: UserTokensRepository,
    private readonly mail: MailService,
    private readonly composers: SelfServiceMailComposers,
    private readonly limiter: RateLimiter,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    this.mail.register(VERIFICATION_MAIL, this.composers.verification);
    this.mail.register(PASSWORD_RESET_MAIL, this.composers.passwordReset);
    this.mail.register(ACCOUNT_EXISTS_MAIL, this.composers.accountExists);
  }

  async invitationDetails(token: string, ip: string): Promise<InvitationDetailsResponse> {
    await this.limiter.consume(this.limits(ip));
    const invitation = await this.invitations.redeemable(token);
    const pool = await this.pools.rules(invitation.workspaceId, invitation.poolId);
    return { email: invitation.email, poolName: pool.name, passwordPolicy: pool.passwordPolicy, expiresAt: invitation.expiresAt.toISOString() };
  }

  async acceptInvitation(dto: AcceptInvitationDto, ip: string): Promise<UserResponse> {
    await this.limiter.consume(this.limits(ip));
    const invitation = await this.invitations.redeemable(dto.token);
    return this.users.completeWithPassword({ workspaceId: invitation.workspaceId, poolId: invitation.poolId }, invitation.userId, dto.password, {
      names: { givenName: dto.givenName, familyName: dto.familyName },
      within: (tx) => this.invitations.accept(tx, invitation.id),
    });
  }

  /** What the hosted registration page shows; 404 for no pool, 403 when registration is closed. */
  async registrationForm(poolId: string): Promise<{ poolName: string; passwordPolicy: { minLength: number; maxLength: number } }> {
    const pool = await this.openForRegistration(poolId);
    return { poolName: pool.name, passwordPolicy: pool.passwordPolicy };
  }

  /** 202 whatever happened (the caller answers it), so nobody learns who has an account. */
  async register(dto: RegistrationDto, ip: string): Promise<void> {
    await this.limiter.consume(this.limits(ip, dto.email));
    const pool = await this.openForRegistration(dto.poolId);
    const scope = { workspaceId: pool.workspaceId, poolId: pool.id };
    const outcome = await this.users.register(pool, dto, async (tx, user) => {
      if (user.status !== 'pending_verification') return;
      const tokenId = await this.tokens.issue(tx, user.id, 'email_verification', VERIFICATION_TTL_SECONDS);
      await this.mail.send(tx, [{ kind: VERIFICATION_MAIL, recipient: user.email, payload: { ...scope, tokenId } }]);
    });
    if (outcome === 'exists') {
      const existing = await this.users.findByEmail(scope, dto.email);
      if (existing) await this.transactions.run((tx) => this.mail.send(tx, [{ kind: ACCOUNT_EXISTS_MAIL, recipient: existing.email, payload: scope }]));
    }
  }

  /** The hosted page checks the link when it opens (without spending it), so a dead link says so at once. */
  async checkVerificationLink(token: string, ip: string): Promise<void> {
    await this.limiter.consume(this.limits(ip));
    await this.redeemable('email_verification', token);
  }

  async verifyEmail(token: string, ip: string): Promise<UserResponse> {
    await this.limiter.consume(this.limits(ip));
    const row = await this.redeemable('email_verification', token);
    const scope = await this.scopeOf(row.userId);
    return this.users.verifyEmail(scope, row.userId, async (tx) => {
      if (!(await this.tokens.spend(tx, row.id))) throw new LinkGoneError('used');
    });
  }

  /**
   * 202 whatever happened: only an active (or still unverified) account gets an email.
   * The answer does not wait for the lookup: a known address takes a token's and an
   * email's insert longer than an unknown one, and the time would tell them apart. A
   * request lost to a crash meanwhile is one the user can send again.
   */
  async requestPasswordReset(dto: PasswordResetRequestDto, ip: string): Promise<void> {
    await this.limiter.consume(this.limits(ip, dto.email));
    void this.sendPasswordReset(dto).catch((error: Error) => this.logger.error({ err: error.message }, 'Password reset not sent'));
  }

  private async sendPasswordReset(dto: PasswordResetRequestDto): Promise<void> {
    const pool = await this.pools.findRulesById(dto.poolId);
    if (!pool) return;
    const scope = { workspaceId: pool.workspaceId, poolId: pool.id };
    const user = await this.users.findByEmail(scope, dto.email);
    if (!user || (user.status !== 'active' && user.status !== 'pending_verification')) return;
    await this.transactions.run(async (tx) => {
      const tokenId = await this.tokens.issue(tx, user.id, 'password_reset', RESET_TTL_SECONDS);
      await this.mail.send(tx, [{ kind: PASSWORD_RESET_MAIL, recipient: user.email, payload: { ...scope, tokenId } }]);
    });
  }

  /** What the hosted reset page shows; 404 or 410 at once for a bad link, before anyone types. */
  async passwordResetForm(token: string, ip: string): Promise<{ passwordPolicy: { minLength: number; maxLength: number } }> {
    await this.limiter.consume(this.limits(ip));
    const row = await this.redeemable('password_reset', token);
    const scope = await this.scopeOf(row.userId);
    return { passwordPolicy: (await this.pools.rules(scope.workspaceId, scope.poolId)).passwordPolicy };
  }

  /** Sets the new password, spends every reset link of the user, and ends its sessions. */
  async confirmPasswordReset(dto: PasswordResetConfirmDto, ip: string): Promise<void> {
    await this.limiter.consume(this.limits(ip));
    const row = await this.redeemable('password_reset', dto.token);
    const scope = await this.scopeOf(row.userId);
    await this.users.completeWithPassword(scope, row.userId, dto.password, {
      within: async (tx) => {
        if (!(await this.tokens.spend(tx, row.id))) throw new LinkGoneError('used');
        await this.tokens.spendAll(tx, row.userId, 'password_reset');
      },
    });
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

  private async scopeOf(userId: string): Promise<{ workspaceId: string; poolId: string }> {
    const scope = await this.users.scopeOf(userId);
    if (!scope) throw new LinkNotFoundError();
    return scope;
  }


  private limits(ip: string, email?: string): Limit[] {
    const { windowSeconds, selfServicePerIp, selfServicePerEmail } = this.config.rateLimits;
    const limits: Limit[] = [{ key: `self-service:ip:${ip}`, max: selfServicePerIp, windowSeconds }];
    if (email) {
      const who = createHash('sha256').update(email.trim().toLowerCase()).digest('base64url');
      limits.push({ key: `self-service:email:${who}`, max: selfServicePerEmail, windowSeconds });
    }
    return limits;
  }
}
