import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { Invitation } from './invitation.entity';
import { InvitationsRepository } from './invitations.repository';

/** What a user's `invitation` field shows; `expired` is derived from the clock, not stored. */
export interface InvitationSummary {
  status: 'queued' | 'sent' | 'failed' | 'accepted' | 'expired';
  sentAt: string | null;
  expiresAt: string;
}

const HOUR_MS = 3_600_000;

@Injectable()
export class InvitationsService {
  constructor(private readonly repository: InvitationsRepository) {}

  /**
   * Records a pending invitation inside the caller's transaction, so a user is never
   * created invited without one. Earlier open invitations of the user stop counting.
   */
  async open(tx: EntityManager, invitee: { userId: string; email: string; ttlHours: number }): Promise<InvitationSummary> {
    await this.repository.revokeOpen(tx, invitee.userId);
    const invitation = await this.repository.insert(tx, {
      userId: invitee.userId,
      email: invitee.email,
      expiresAt: new Date(Date.now() + invitee.ttlHours * HOUR_MS),
    });
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
