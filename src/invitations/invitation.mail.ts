import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { MailComposer } from '../mail/mail.service';
import { MailContent } from '../mail/mail.templates';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { newSecretToken } from '../platform/tokens/secret-token';
import { InvitationsRepository } from './invitations.repository';

export const INVITATION_MAIL = 'invitation';

/**
 * Renders an invitation right before it is sent. The link's token is minted here and
 * only its hash stored, so the database never holds a usable token; a retry carries a
 * fresh link, and the link before it keeps working (the send it retries may have arrived).
 */
@Injectable()
export class InvitationMailComposer implements MailComposer {
  constructor(
    private readonly repository: InvitationsRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  async compose({ invitationId }: Record<string, string>): Promise<MailContent | null> {
    const { token, hash } = newSecretToken();
    // One statement stores the hash and reads the names, only while the invitation is open
    // and unexpired: revoked (re-sent), accepted or expired meanwhile means nothing to send.
    const invitation = await this.repository.stampToken(invitationId, hash);
    if (!invitation) return null;
    const { workspaceName, poolName } = invitation;
    const url = `${this.config.publicUrl}/self-service/accept-invitation?token=${token}`;
    return {
      subject: `You are invited to ${workspaceName}`,
      heading: `Join ${workspaceName}`,
      paragraphs: [
        `You have been invited to create an account in ${workspaceName} (${poolName}) for ${invitation.email}.`,
        'Follow the link to choose your password; your account is ready as soon as you do.',
      ],
      action: { label: 'Accept the invitation', url },
      footnote: `This link works once and expires on ${invitation.expiresAt.toUTCString()}. If you did not expect this invitation, ignore this email.`,
    };
  }

  async onSent(tx: EntityManager, payloads: Record<string, string>[]): Promise<void> {
    await this.repository.markSent(tx, payloads.map(({ invitationId }) => invitationId));
  }

  async onFailed(tx: EntityManager, { invitationId }: Record<string, string>): Promise<void> {
    await this.repository.markFailed(tx, invitationId);
  }
}
