import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { InvitationsService, InvitationSummary } from '../invitations/invitations.service';
import { Transactions } from '../platform/database/transactions';
import { validatePlainWith } from '../platform/http/validate-plain';
import { equalFolded } from '../platform/text/pg-lower';
import { Page, PageQuery } from '../platform/pagination/page';
import { PoolRules, PoolsService } from '../pools/pools.service';
import { changedFields } from '../platform/database/changed-fields';
import { RateLimiter, signInFailureKeys } from '../platform/rate-limit/rate-limiter';
import { SetPasswordDto } from './dto/set-password.dto';
import { UserResponse } from './dto/user.response';
import { PasswordHasher } from './password-hasher';
import { normalizeEmail, passwordPolicyViolation } from './user-fields';
import { SessionRevoker } from './session-revoker';
import { mergedAttributes, passwordPolicyProblems, validNewUser, validUserChanges } from './user-rules';
import { User, UserStatus } from './user.entity';
import { NoEmailToInviteError, UserFieldError, UserFieldTakenError, UserNotFoundError, UserStatusConflictError } from './users.errors';
import { NewUser, UserChanges, UserFilter, UsersRepository } from './users.repository';

export type AccountProfile = Pick<User, 'id' | 'poolId' | 'email' | 'emailVerified' | 'mobile' | 'givenName' | 'familyName' | 'name'>;
/** The columns an issued token's account is read from. */
export type AccountRecord = AccountProfile & Pick<User, 'status' | 'sessionsValidAfter'>;

/**
 * The user as an issued token may describe it, or null when the token no longer
 * counts: the user is gone, not active, or revoked everything issued before `issuedAt`.
 */
export function tokenAccount(user: AccountRecord | null, issuedAt?: Date): AccountProfile | null {
  if (!user || user.status !== 'active') return null;
  // Refresh tokens and sessions are deleted by revocation (SessionRevoker); this check covers what
  // escapes it, to the second (tokens carry whole seconds): self-contained access tokens, and codes
  // or refresh tokens a request racing the revocation saved after it (judged by their sign-in time).
  if (issuedAt && user.sessionsValidAfter && issuedAt.getTime() < Math.floor(user.sessionsValidAfter.getTime() / 1000) * 1000) return null;
  return {
    id: user.id,
    poolId: user.poolId,
    email: user.email,
    emailVerified: user.emailVerified,
    mobile: user.mobile,
    givenName: user.givenName,
    familyName: user.familyName,
    name: user.name,
  };
}

interface PoolScope {
  workspaceId: string;
  poolId: string;
}

/** The values of a user's unique keys that a change or a new user brings. */
interface UniqueKeys {
  email: string | null;
  mobile: string | null;
  externalId: string | null;
}

/** Spends an emailed link's token for the user as it is now (locked); throws to refuse the link. */
export type LinkSpender = (tx: EntityManager, user: { email: string | null; status: UserStatus }) => Promise<void>;

/** Acts on a user's new address within the transaction that changed it. */
export type NewAddressHandler = (tx: EntityManager, user: { workspaceId: string; poolId: string; id: string; email: string }) => Promise<void>;

@Injectable()
export class UsersService {
  constructor(
    private readonly repository: UsersRepository,
    private readonly pools: PoolsService,
    private readonly invitations: InvitationsService,
    private readonly hasher: PasswordHasher,
    private readonly transactions: Transactions,
    private readonly sessions: SessionRevoker,
    private readonly limiter: RateLimiter,
  ) {}

  /** Set by self-service, which owns verification links; see `whenPendingReaddressed`. */
  private verifyNewAddress?: NewAddressHandler;

  /**
   * Called in the same transaction when an admin gives a user still verifying its email a
   * new address: the link mailed to the old one stops working (it is bound to it), so the
   * new address needs its own, as Cognito sends a code to a changed email.
   */
  whenPendingReaddressed(handler: NewAddressHandler): void {
    this.verifyNewAddress = handler;
  }

  /** Set by groups, which owns them; see `whenFilteringByGroup`. */
  private requireGroup?: (workspaceId: string, groupId: string) => Promise<unknown>;

  /**
   * Called when a list filtered by `groupId` comes out empty, to throw when the workspace
   * has no such group: a mistyped id is a 404, not a group without members.
   */
  whenFilteringByGroup(check: (workspaceId: string, groupId: string) => Promise<unknown>): void {
    this.requireGroup = check;
  }

  /** `body` as sent: checked here, so that one 400 names its invalid fields and the pool's complaints together. */
  async create(scope: PoolScope, body: unknown): Promise<UserResponse> {
    const pool = await this.pools.rules(scope.workspaceId, scope.poolId);
    const dto = await validNewUser(body, pool);
    const email = dto.email ? normalizeEmail(dto.email) : null;
    const mobile = dto.mobile ?? null;
    const byInvitation = dto.credential.mode === 'invitation';
    // Hashing is the slow part; it happens before the transaction so no lock waits on it.
    const passwordHash = byInvitation ? null : await this.hasher.hash(dto.credential.password!);

    const fields: NewUser = {
      email,
      mobile,
      givenName: dto.givenName ?? null,
      familyName: dto.familyName ?? null,
      name: dto.name ?? null,
      externalId: dto.externalId ?? null,
      attributes: dto.attributes ?? {},
      status: byInvitation ? 'invited' : 'active',
      emailVerified: false,
    };
    try {
      if (passwordHash) return toUserResponse(await this.repository.insert(scope, fields, { passwordHash }), null);
      return await this.transactions.run(async (tx) => {
        const user = await this.repository.insert(scope, fields, { tx });
        const [invitation] = await this.invitations.open(tx, [{ ...scope, userId: user.id, email: email!, ttlHours: pool.invitationTtlHours }], { newUser: true });
        return toUserResponse(user, invitation);
      });
    } catch (error) {
      throw await this.everyKeyTaken(error, scope, fields, null);
    }
  }

  async list(scope: PoolScope, filter: UserFilter): Promise<Page<UserResponse>> {
    const page = await this.repository.list(scope, filter);
    // Rows prove the pool and the group are this workspace's (the query is scoped by both);
    // only an empty page must ask, for the 404. One round trip fewer on every other page.
    if (!page.items.length) {
      await this.pools.rules(scope.workspaceId, scope.poolId);
      if (filter.groupId) await this.requireGroup?.(scope.workspaceId, filter.groupId);
    }
    return this.withInvitations(page);
  }

  async listGroupMembers(workspaceId: string, groupId: string, query: PageQuery): Promise<Page<UserResponse>> {
    return this.withInvitations(await this.repository.listGroupMembers(workspaceId, groupId, query));
  }

  async get(scope: PoolScope, userId: string): Promise<UserResponse> {
    const user = await this.require(scope, userId);
    const invitations = await this.invitations.summaries([user.id]);
    return toUserResponse(user, invitations.get(user.id) ?? null);
  }

  /** 404 unless the user belongs to this pool of this workspace. */
  async assertExists(scope: PoolScope, userId: string): Promise<void> {
    await this.require(scope, userId);
  }

  /** The ids among `userIds` that name users of this workspace, in any pool. */
  existingIds(workspaceId: string, userIds: string[]): Promise<Set<string>> {
    return this.repository.existingIds(workspaceId, userIds);
  }

  /**
   * `body` as sent: checked here, against the user as locked, so that one 400 names its invalid
   * fields and what they would make of the stored user (no email nor mobile left, attributes too
   * large once merged) together; an unknown user is a 404 whatever the body.
   */
  async update(scope: PoolScope, userId: string, body: unknown): Promise<UserResponse> {
    // The keys a collision is told on, known once the body is valid.
    let changing: UniqueKeys = { email: null, mobile: null, externalId: null };
    const { identifiers, unlocked } = await this.transactions.run(async (tx) => {
      const user = await this.repository.findForUpdate(scope, userId, tx);
      if (!user) throw new UserNotFoundError();
      const dto = await validUserChanges(body, user);
      changing = { email: dto.email ? normalizeEmail(dto.email) : null, mobile: dto.mobile ?? null, externalId: null };
      const changes: UserChanges = {};
      if (dto.email !== undefined) {
        changes.email = dto.email === null ? null : normalizeEmail(dto.email);
        // A new address has not been proven to belong to the user.
        if (!equalFolded(changes.email, user.email)) changes.emailVerified = false;
      }
      if (dto.mobile !== undefined) changes.mobile = dto.mobile;
      if (dto.givenName !== undefined) changes.givenName = dto.givenName;
      if (dto.familyName !== undefined) changes.familyName = dto.familyName;
      if (dto.name !== undefined) changes.name = dto.name;
      if (dto.attributes !== undefined) changes.attributes = mergedAttributes(user, dto.attributes);
      const email = changes.email !== undefined ? changes.email : user.email;
      const mobile = changes.mobile !== undefined ? changes.mobile : user.mobile;
      if (dto.status && dto.status !== user.status) {
        if (dto.status === 'active' && !(await this.repository.hasPassword(user.id, tx))) {
          // A disabled user's invitation was withdrawn: a new one, or the admin, gives it a password.
          const otherwise = user.status === 'invited' ? ', or let the user accept the invitation' : ', or send a new invitation with POST .../invitations';
          throw new UserStatusConflictError(`This user has no password yet; set one with PUT .../password${otherwise}.`);
        }
        changes.status = dto.status;
        // Disabling ends every session and refresh token issued so far.
        if (dto.status === 'disabled') changes.sessionsValidAfter = new Date();
      }
      await this.repository.update(tx, scope, userId, changedFields(user, changes));
      if (dto.lockedUntil === null) await this.repository.clearSignInFailures(tx, scope, userId);
      if (changes.status === 'disabled') await this.sessions.revokeAll(tx, userId);
      // An invitation proves the address it was mailed to and lets its holder in: neither
      // holds once the address changed or the admin disabled the user.
      if (changes.emailVerified === false || changes.status === 'disabled') await this.invitations.revokeOpen(tx, userId);
      if (changes.emailVerified === false && changes.email && !changes.status) {
        if (user.status === 'invited') await this.inviteAtNewAddress(tx, scope, userId, changes.email);
        if (user.status === 'pending_verification') await this.verifyNewAddress?.(tx, { ...scope, id: userId, email: changes.email });
      }
      return { identifiers: [user.email, user.mobile, email, mobile], unlocked: dto.lockedUntil === null };
    }).catch(async (error: unknown) => {
      throw await this.everyKeyTaken(error, scope, changing, userId);
    });
    if (unlocked) await this.forgetSignInFailures(scope, identifiers);
    return this.get(scope, userId);
  }

  /**
   * Lifting a lock (an admin's unlock or new password) also forgets the failed sign-ins
   * counted against the user's identifiers, or the next attempt would still be refused
   * with 429 until the window ends.
   */
  private forgetSignInFailures(scope: PoolScope, identifiers: (string | null)[]): Promise<void> {
    return this.limiter.clear(signInFailureKeys(scope.workspaceId, identifiers));
  }

  async delete(scope: PoolScope, userId: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      if (!(await this.repository.delete(scope, userId, tx))) throw new UserNotFoundError();
      await this.sessions.revokeAll(tx, userId);
    });
  }

  /**
   * An admin sets the password: the user becomes active and can sign in at once (a disabled
   * one too, as the contract says: the admin chose to give it a password), earlier
   * invitation links stop working and any lock is lifted. Links the user follows never
   * enable a disabled user (completeWithPassword). `body` as sent: checked here, so that one
   * 400 names its invalid fields and the pool's complaint about the password together.
   */
  async setPassword(scope: PoolScope, userId: string, body: unknown): Promise<void> {
    const pool = await this.pools.rules(scope.workspaceId, scope.poolId);
    await this.require(scope, userId);
    const { password } = await validatePlainWith(SetPasswordDto, body, (sent, reported) => passwordPolicyProblems(pool, sent.password, reported), { forbidUnknown: true });
    const passwordHash = await this.hasher.hash(password);
    const identifiers = await this.transactions.run(async (tx) => {
      const user = await this.repository.findForUpdate(scope, userId, tx);
      if (!user) throw new UserNotFoundError();
      await this.repository.setPassword(tx, userId, passwordHash);
      await this.invitations.revokeOpen(tx, userId);
      await this.sessions.revokeAll(tx, userId);
      await this.repository.update(tx, scope, userId, {
        failedSignIns: 0,
        lockedUntil: null,
        // Sessions and refresh tokens obtained with the old password stop working.
        sessionsValidAfter: new Date(),
        status: 'active',
      });
      return [user.email, user.mobile];
    });
    await this.forgetSignInFailures(scope, identifiers);
  }

  /**
   * Ends every session, grant and refresh token the user holds, in every application, and
   * its access tokens at userinfo (an admin's answer to a lost device or a stolen session:
   * Cognito's AdminUserGlobalSignOut, Keycloak's logout). Its status and password stay as
   * they are, so it may sign in again at once.
   */
  async signOut(scope: PoolScope, userId: string): Promise<void> {
    await this.transactions.run(async (tx) => {
      const user = await this.repository.findForUpdate(scope, userId, tx);
      if (!user) throw new UserNotFoundError();
      await this.sessions.revokeAll(tx, user.id);
      await this.repository.endSessions(tx, scope, user.id);
    });
  }

  /**
   * A collision PostgreSQL reported on the first unique key it hit, told on every key the
   * values hold (email, mobile, externalId), so one 409 names each field to change.
   */
  private async everyKeyTaken(error: unknown, scope: PoolScope, values: UniqueKeys, except: string | null): Promise<unknown> {
    if (!(error instanceof UserFieldTakenError)) return error;
    const keys = await this.repository.takenKeys(scope, values, except);
    return keys.length ? new UserFieldTakenError(keys) : error;
  }

  /** Sends a new invitation; the earlier links stop working. */
  async reinvite(scope: PoolScope, userId: string): Promise<void> {
    const pool = await this.pools.rules(scope.workspaceId, scope.poolId);
    await this.transactions.run(async (tx) => {
      const user = await this.repository.findForUpdate(scope, userId, tx);
      if (!user) throw new UserNotFoundError();
      // Disabling withdrew the invitation of a user who never chose a password: inviting it
      // again is the way back, as it is for a user still invited.
      const withdrawn = user.status === 'disabled' && !(await this.repository.hasPassword(user.id, tx));
      if (user.status !== 'invited' && !withdrawn) {
        throw new UserStatusConflictError(`Only invited users, and disabled ones who never set a password, can be re-invited; this user is ${user.status}. Use PUT .../password to set a password instead.`);
      }
      if (!user.email) throw new NoEmailToInviteError();
      if (withdrawn) await this.repository.update(tx, scope, userId, { status: 'invited' });
      await this.invitations.open(tx, [{ ...scope, userId, email: user.email, ttlHours: pool.invitationTtlHours }]);
    });
  }

  /**
   * An invited user's address changed (often a typo corrected): the invitation sent to the
   * old one was withdrawn, so the new one gets its own, as Auth0 mails a changed address.
   */
  private async inviteAtNewAddress(tx: EntityManager, scope: PoolScope, userId: string, email: string): Promise<void> {
    const pool = await this.pools.rules(scope.workspaceId, scope.poolId);
    await this.invitations.open(tx, [{ ...scope, userId, email, ttlHours: pool.invitationTtlHours }]);
  }

  /**
   * Self-registration. Creates the user unless the email already has an account in the
   * pool, in which case nothing is touched and 'exists' is returned. The password is
   * hashed either way, so both answers take the same time. `within` runs in the same
   * transaction (to send the verification email).
   */
  async register(
    pool: PoolRules,
    input: { email: string; password: string; givenName?: string; familyName?: string; name?: string },
    within: (tx: EntityManager, user: { id: string; email: string; status: UserStatus }) => Promise<void>,
  ): Promise<'created' | 'exists'> {
    const scope = { workspaceId: pool.workspaceId, poolId: pool.id };
    const email = normalizeEmail(input.email);
    const passwordHash = await this.hashWithinPolicy(pool, input.password, 'password');
    if (await this.repository.findIdByEmail(scope, email)) return 'exists';
    try {
      await this.transactions.run(async (tx) => {
        const fields: NewUser = {
          email,
          mobile: null,
          givenName: input.givenName ?? null,
          familyName: input.familyName ?? null,
          name: input.name ?? null,
          externalId: null,
          attributes: {},
          status: pool.selfRegistration.requireEmailVerification ? 'pending_verification' : 'active',
          emailVerified: false,
        };
        const user = await this.repository.insert(scope, fields, { tx, passwordHash });
        await within(tx, { id: user.id, email, status: user.status });
      });
      return 'created';
    } catch (error) {
      // Registered concurrently by another request: the same answer as an existing account.
      if (error instanceof UserFieldTakenError) return 'exists';
      throw error;
    }
  }

  /** Where a user lives and its address, for flows that start from a token rather than a URL (self-service). */
  async linkTarget(userId: string): Promise<(PoolScope & { email: string | null }) | null> {
    const user = await this.repository.findById(userId);
    return user && { workspaceId: user.workspaceId, poolId: user.poolId, email: user.email };
  }

  /** The user an email names in the pool, for self-service flows. */
  findByEmail(scope: PoolScope, email: string): Promise<{ id: string; status: UserStatus; email: string } | null> {
    return this.repository.findIdByEmail(scope, normalizeEmail(email));
  }

  /**
   * Sets a password the user chose through an emailed link (invitation, reset): the user
   * becomes active (a disabled one stays disabled), the email is proven, locks lift, and
   * earlier sessions end. `within` spends the link's token in the same transaction, after
   * the user's row is locked (the order every change of a user takes, so a link and an
   * admin acting at once wait for each other instead of deadlocking); it refuses the link
   * by throwing, e.g. when the user's address is no longer the one it was mailed to.
   */
  async completeWithPassword(
    scope: PoolScope,
    userId: string,
    password: string,
    options: { names?: { givenName?: string; familyName?: string }; within: LinkSpender },
  ): Promise<UserResponse> {
    const pool = await this.pools.rules(scope.workspaceId, scope.poolId);
    const passwordHash = await this.hashWithinPolicy(pool, password, 'password');
    await this.transactions.run(async (tx) => {
      const user = await this.lockForLink(scope, userId, tx, options.within);
      await this.repository.setPassword(tx, userId, passwordHash);
      await this.invitations.revokeOpen(tx, userId);
      await this.repository.update(tx, scope, userId, {
        ...(options.names?.givenName !== undefined && { givenName: options.names.givenName }),
        ...(options.names?.familyName !== undefined && { familyName: options.names.familyName }),
        status: user.status === 'disabled' ? 'disabled' : 'active',
        emailVerified: true,
        failedSignIns: 0,
        lockedUntil: null,
        sessionsValidAfter: new Date(),
      });
      await this.sessions.revokeAll(tx, userId);
    });
    return this.get(scope, userId);
  }

  /** The user followed the verification link: the email is proven and a pending user becomes active. */
  async verifyEmail(scope: PoolScope, userId: string, within: LinkSpender): Promise<UserResponse> {
    await this.transactions.run(async (tx) => {
      const user = await this.lockForLink(scope, userId, tx, within);
      await this.repository.update(tx, scope, userId, {
        emailVerified: true,
        ...(user.status === 'pending_verification' && { status: 'active' }),
      });
    });
    return this.get(scope, userId);
  }

  /** Locks the user a link acts on, then lets `within` judge and spend the link. */
  private async lockForLink(scope: PoolScope, userId: string, tx: EntityManager, within: LinkSpender): Promise<User> {
    const user = await this.repository.findForUpdate(scope, userId, tx);
    if (!user) throw new UserNotFoundError();
    await within(tx, { email: user.email, status: user.status });
    return user;
  }

  private async hashWithinPolicy(pool: PoolRules, password: string, field: string): Promise<string> {
    const violation = passwordPolicyViolation(pool.passwordPolicy, password);
    if (violation) throw new UserFieldError(field, violation);
    return this.hasher.hash(password);
  }

  private async require(scope: PoolScope, userId: string): Promise<User> {
    const user = await this.repository.find(scope, userId);
    if (!user) throw new UserNotFoundError();
    return user;
  }

  private async withInvitations(page: Page<User>): Promise<Page<UserResponse>> {
    const invitations = await this.invitations.summaries(page.items.map((user) => user.id));
    return { items: page.items.map((user) => toUserResponse(user, invitations.get(user.id) ?? null)), nextCursor: page.nextCursor };
  }
}

function toUserResponse(u: User, invitation: InvitationSummary | null): UserResponse {
  const now = Date.now();
  return {
    id: u.id,
    poolId: u.poolId,
    email: u.email,
    mobile: u.mobile,
    givenName: u.givenName,
    familyName: u.familyName,
    name: u.name,
    status: u.status,
    emailVerified: u.emailVerified,
    externalId: u.externalId,
    attributes: u.attributes,
    invitation,
    lockedUntil: u.lockedUntil && u.lockedUntil.getTime() > now ? u.lockedUntil.toISOString() : null,
    lastSignInAt: u.lastSignInAt?.toISOString() ?? null,
    createdAt: u.createdAt.toISOString(),
    updatedAt: u.updatedAt.toISOString(),
  };
}
