import { Inject, Injectable } from '@nestjs/common';
import { MailComposer } from '../../mail/mail.service';
import { MailContent } from '../../mail/mail.templates';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { newSecretToken } from '../../platform/tokens/secret-token';
import { PoolsService } from '../../pools/pools.service';
import { WorkspacesService } from '../../workspaces/workspaces.service';
import { TokenPurpose } from './user-token.entity';
import { UserTokensRepository } from './user-tokens.repository';

export const VERIFICATION_MAIL = 'email_verification';
export const PASSWORD_RESET_MAIL = 'password_reset';
export const ACCOUNT_EXISTS_MAIL = 'account_exists';

const PAGES: Record<TokenPurpose, string> = {
  email_verification: '/self-service/verify-email',
  password_reset: '/self-service/reset-password',
};

/** In the payload of a link an admin sent (the management API), so the email does not say the user asked for it. */
export const BY_ADMIN = { sentBy: 'admin' } as const;
const sentByAdmin = (payload: Record<string, string>) => payload.sentBy === BY_ADMIN.sentBy;

/** Payload of every self-service email: ids only. */
export interface SelfServiceMailPayload extends Record<string, string> {
  workspaceId: string;
  poolId: string;
}

/**
 * Renders the self-service emails right before they are sent. Link tokens are minted
 * here and only their hashes stored (see the invitation composer for why).
 */
@Injectable()
export class SelfServiceMailComposers {
  constructor(
    private readonly tokens: UserTokensRepository,
    private readonly pools: PoolsService,
    private readonly workspaces: WorkspacesService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  readonly verification: MailComposer = {
    compose: (payload) =>
      this.withLink(payload, (names, url, expires) => ({
        subject: `Confirm your email for ${names.workspace}`,
        heading: 'Confirm your email address',
        paragraphs: sentByAdmin(payload)
          ? [`An administrator of ${names.workspace} asked you to confirm the email address of your ${names.workspace} (${names.pool}) account.`, 'Confirm that this address is yours with the link below.']
          : [`Thanks for signing up to ${names.workspace} (${names.pool}).`, 'Confirm that this address is yours to finish creating your account.'],
        action: { label: 'Confirm my email', url },
        footnote: `This link works once and expires on ${expires}. ${sentByAdmin(payload) ? 'If you have no account there, ignore this email.' : 'If you did not sign up, ignore this email.'}`,
      })),
  };

  readonly passwordReset: MailComposer = {
    compose: (payload) =>
      this.withLink(payload, (names, url, expires) => ({
        subject: `Reset your ${names.workspace} password`,
        heading: 'Reset your password',
        paragraphs: sentByAdmin(payload)
          ? [`An administrator of ${names.workspace} asked you to choose a new password for your ${names.workspace} (${names.pool}) account.`, 'Choose one with the link below; until you do, your current password still works.']
          : [`Someone asked to reset the password of your ${names.workspace} (${names.pool}) account.`, 'Choose a new password with the link below.'],
        action: { label: 'Choose a new password', url },
        footnote: `This link works once and expires on ${expires}. ${sentByAdmin(payload) ? 'If you did not expect it, ask your administrator.' : 'If you did not ask for it, ignore this email: your password stays as it is.'}`,
      })),
  };

  /** With `tokenId`, a reset link: the way in for an owner who forgot the password or never verified the address. */
  readonly accountExists: MailComposer = {
    compose: async (payload) => {
      const content = (names: { workspace: string; pool: string }) => ({
        subject: `You already have an account at ${names.workspace}`,
        heading: 'You already have an account',
        paragraphs: [
          `Someone tried to sign up to ${names.workspace} (${names.pool}) with this email address, which already has an account. Nothing was changed.`,
          ifItWasYou(payload.status, Boolean(payload.tokenId)),
        ],
      });
      if (payload.tokenId) {
        return this.withLink(payload, (names, url, expires) => ({
          ...content(names),
          action: { label: 'Choose a new password', url },
          footnote: `This link works once and expires on ${expires}. If it was not you, ignore this email: your password stays as it is.`,
        }));
      }
      const names = await this.names(payload as SelfServiceMailPayload);
      return names && { ...content(names), footnote: 'If it was not you, you can ignore this email.' };
    },
  };

  private async withLink(
    payload: Record<string, string>,
    content: (names: { workspace: string; pool: string }, url: string, expires: string) => MailContent,
  ): Promise<MailContent | null> {
    const token = await this.tokens.find(payload.tokenId);
    if (!token || token.usedAt || token.expiresAt.getTime() <= Date.now()) return null;
    const names = await this.names(payload as SelfServiceMailPayload);
    if (!names) return null;
    const secret = newSecretToken();
    if (!(await this.tokens.setHash(token.id, secret.hash))) return null;
    return content(names, `${this.config.publicUrl}${PAGES[token.purpose]}?token=${secret.token}`, token.expiresAt.toUTCString());
  }

  private async names({ workspaceId, poolId }: SelfServiceMailPayload): Promise<{ workspace: string; pool: string } | null> {
    const [pool, workspace] = await Promise.all([this.pools.findRules(workspaceId, poolId), this.workspaces.find(workspaceId)]);
    return pool && workspace ? { workspace: workspace.name, pool: pool.name } : null;
  }
}

/** What the owner of the account can do next, by the account's status (mailed to the owner's own address). */
function ifItWasYou(status: string | undefined, withLink: boolean): string {
  switch (status) {
    case 'pending_verification':
      return 'Its address is not confirmed yet. If it was you, choose a password with the link below: that confirms the address, and you can then sign in with it.';
    case 'invited':
      return 'You were invited and have not chosen a password yet. If it was you, choose one with the link below (or the one in your invitation email).';
    case 'disabled':
      return 'The account is disabled. If it was you, ask your administrator.';
    default:
      return withLink ? 'If it was you, sign in with your password, or choose a new one with the link below.' : 'If it was you, sign in with your password.';
  }
}
