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
   * Records a pending invitation and its email inside the caller's transaction, so a
   * user is never invited without both. Earlier open invitations of the user stop counting
   * (`newUser`: the caller created the user in `tx`, so there are none).
   */
  async open(
    tx: EntityManager,
    invitee: { userId: string; poolId: string; workspaceId: string; email: string; ttlHours: number },
    { newUser = false }: { newUser?: boolean } = {},
  ): Promise<InvitationSummary> {
    // A user created in this very transaction has no earlier invitation to revoke.
    if (!newUser) await this.repository.revokeOpen(tx, invitee.userId);
    const invitation = await this.repository.insert(tx, {
      userId: invitee.userId,
      poolId: invitee.poolId,
      workspaceId: invitee.workspaceId,
      email: invitee.email,
      expiresAt: new Date(Date.now() + invitee.ttlHours * HOUR_MS),
    });
    await this.mail.send(tx, { kind: INVITATION_MAIL, recipient: invitee.email, payload: { invitationId: invitation.id } });
    return summarize(invitation);
  }

  /** An admin gave the user a password: no earlier link may set another one. */
  revokeOpen(tx: EntityManager, userId: string): Promise<void> {
    return this.repository.revokeOpen(tx, userId);
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
    if (invitation.status === 'revoked') throw new InvitationGoneError('replaced');
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
