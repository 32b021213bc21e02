import { Injectable, OnModuleInit } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MailService } from '../mail/mail.service';
import { hashSecretToken } from '../platform/tokens/secret-token';
import { Invitation } from './invitation.entity';
import { InvitationMailComposer, INVITATION_MAIL } from './invitation.mail';
import { InvitationGoneError, InvitationNotFoundError } from './invitations.errors';
import { InvitationsRepository } from './invitations.repository';

/** What a user's `invitation` field shows; `expired` is derived from the clock, not stored. */
export interface InvitationSummary {
  status: 'queued' | 'sent' | 'failed' | 'accepted' | 'expired';
  sentAt: string | null;
  expiresAt: string;
}

/** An invitation a link still opens. */
export interface RedeemableInvitation {
  id: string;
  userId: string;
  poolId: string;
  workspaceId: string;
  email: string;
  expiresAt: Date;
}

/** A user to invite, and how long the link stays valid. */
export interface Invitee {
  userId: string;
  poolId: string;
  workspaceId: string;
  email: string;
  ttlHours: number;
}

const HOUR_MS = 3_600_000;

@Injectable()
export class InvitationsService implements OnModuleInit {
  constructor(
    private readonly repository: InvitationsRepository,
    private readonly mail: MailService,
    private readonly composer: InvitationMailComposer,
  ) {}

  onModuleInit(): void {
    this.mail.register(INVITATION_MAIL, this.composer);
  }

  /**
   * Records pending invitations and their emails inside the caller's transaction, so a
   * user is never invited without both; a statement for all of them, not one per user
   * (a migration invites a chunk at once). Earlier open invitations of the users stop
   * counting (`newUser`: the caller created the users in `tx`, so there are none).
   */
  async open(
    tx: EntityManager,
    invitees: Invitee[],
    { newUser = false }: { newUser?: boolean } = {},
  ): Promise<InvitationSummary[]> {
    if (!invitees.length) return [];
    if (!newUser) await this.repository.revokeOpen(tx, invitees.map((i) => i.userId));
    const invitations = await this.repository.insert(
      tx,
      invitees.map(({ userId, poolId, workspaceId, email, ttlHours }) => ({ userId, poolId, workspaceId, email, expiresAt: new Date(Date.now() + ttlHours * HOUR_MS) })),
    );
    await this.mail.send(tx, invitations.map((i) => ({ kind: INVITATION_MAIL, recipient: i.email, payload: { invitationId: i.id } })));
    return invitations.map(summarize);
  }

  /**
   * Invites the invitees whose invitation is gone (never sent, expired, failed, withdrawn);
   * those holding a working link keep it, so running the same migration again mails nobody twice.
   */
  async openWhereMissing(tx: EntityManager, invitees: Invitee[]): Promise<void> {
    const live = await this.repository.withLiveInvitation(tx, invitees.map((i) => i.userId));
    await this.open(tx, invitees.filter((i) => !live.has(i.userId)));
  }

  /** An admin gave the user a password: no earlier link may set another one. */
  revokeOpen(tx: EntityManager, userId: string): Promise<void> {
    return this.repository.revokeOpen(tx, [userId]);
  }

  async summaries(userIds: string[]): Promise<Map<string, InvitationSummary>> {
    const rows = await this.repository.latestFor(userIds);
    return new Map(rows.map((row) => [row.userId, summarize(row)]));
  }

  /** The invitation a link's token opens: 404 when unknown, 410 when spent, replaced or expired. */
  async redeemable(token: string): Promise<RedeemableInvitation> {
    const invitation = await this.repository.findByTokenHash(hashSecretToken(token));
    if (!invitation) throw new InvitationNotFoundError();
    if (invitation.status === 'accepted') throw new InvitationGoneError('accepted');
    // Revoked by a newer invitation, or by an admin's change (a password set, the address changed, the user disabled).
    if (invitation.status === 'revoked') throw new InvitationGoneError((await this.repository.hasNewer(invitation)) ? 'replaced' : 'withdrawn');
    if (invitation.expiresAt.getTime() <= Date.now()) throw new InvitationGoneError('expired');
    const { id, userId, poolId, workspaceId, email, expiresAt } = invitation;
    return { id, userId, poolId, workspaceId, email, expiresAt };
  }

  /** Spends the invitation in the caller's transaction; 410 if it was spent meanwhile. */
  async accept(tx: EntityManager, invitationId: string): Promise<void> {
    if (!(await this.repository.accept(tx, invitationId))) throw new InvitationGoneError('accepted');
  }
}

function summarize(invitation: Invitation): InvitationSummary {
  const open = invitation.status === 'queued' || invitation.status === 'sent' || invitation.status === 'failed';
  const expired = open && invitation.expiresAt.getTime() <= Date.now();
  return {
    status: expired ? 'expired' : (invitation.status as InvitationSummary['status']),
    sentAt: invitation.sentAt?.toISOString() ?? null,
    expiresAt: invitation.expiresAt.toISOString(),
  };
}
