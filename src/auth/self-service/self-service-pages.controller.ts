import { Controller, Get, HttpCode, Inject, Ip, Post, Query, Req, Res } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { validatePlain } from '../../platform/http/validate-plain';
import { Public } from '../../workspaces/principal';
import { renderMessagePage } from '../interaction/pages';
import { TokenQuery } from './dto/self-service.dto';
import { field, names, postedFields, sendPage } from './hosted-form';
import { HOSTED_PAGES_TAG, HostedFormPage, HostedFormPost, RegistrationPage, RegistrationPost } from './hosted-pages.openapi';
import { showRegistration, submitRegistration } from './registration-form';
import { acceptInvitationPage, resetPasswordPage, verifyEmailPage } from './self-service.pages';
import { SelfServiceService } from './self-service.service';

/**
 * The hosted pages emails link to (and the registration page), server-rendered. Each
 * form posts back to its own path; every answer is a page, errors included (a post's
 * success is a page too: 200, as `@HttpCode` tells the OpenAPI document).
 */
@HOSTED_PAGES_TAG
@Public()
@Controller('self-service')
export class SelfServicePagesController {
  /** Where the forms post: under PUBLIC_URL's path, which a proxy may add (https://example.com/identity) and strip. */
  private readonly base: string;
  private readonly registerPlace: { action: string };

  constructor(
    private readonly selfService: SelfServiceService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.base = `${new URL(config.publicUrl).pathname.replace(/\/+$/, '')}/self-service`;
    this.registerPlace = { action: `${this.base}/register` };
  }

  @Get('accept-invitation')
  @HostedFormPage('Accept an invitation (page)', 'Where the invitation email links: a form to choose a password, with the pool\'s policy shown.', 'The form: the email invited, the pool, the password policy')
  async acceptInvitationForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      const { token } = await validatePlain(TokenQuery, query);
      const details = await this.selfService.invitationDetails(token, ip);
      return acceptInvitationPage({ action: `${this.base}/accept-invitation`, token, email: details.email, poolName: details.poolName, rule: details.passwordPolicy });
    });
  }

  @Post('accept-invitation')
  @HttpCode(200)
  @HostedFormPost('Accept an invitation (form post)', 'As `POST /v1/self-service/invitations/accept`: the user becomes active with a verified email.', 'password and names', 'The account is ready; the page names the email to sign in with')
  async acceptInvitation(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      const user = await this.selfService.acceptInvitation(postedFields(req, ['token', 'password', 'givenName', 'familyName']), ip);
      return renderMessagePage('Your account is ready', `Your password is set. Go back to the application that invited you and sign in with ${user.email} and this password.`);
    }, async (error) => {
      const token = field(req, 'token');
      const details = await this.selfService.invitationDetails(token, ip, { counted: true });
      const rule = details.passwordPolicy;
      return acceptInvitationPage({ action: `${this.base}/accept-invitation`, token, email: details.email, poolName: details.poolName, rule, values: names(req), error });
    });
  }

  @Get('verify-email')
  @HostedFormPage('Verify an email (page)', 'Where the verification email links: one button confirms (a link scanner following the link confirms nothing).', 'The confirmation form')
  async verifyEmailForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      const link = await validatePlain(TokenQuery, query);
      await this.selfService.checkVerificationLink(link.token, ip);
      return verifyEmailPage({ action: `${this.base}/verify-email`, token: link.token });
    });
  }

  @Post('verify-email')
  @HttpCode(200)
  @HostedFormPost('Verify an email (form post)', 'As `POST /v1/self-service/verifications`: the user becomes active.', 'token', 'Email confirmed')
  async verifyEmail(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      const { token } = await validatePlain(TokenQuery, req.body);
      await this.selfService.verifyEmail(token, ip);
      return renderMessagePage('Email confirmed', 'Thank you. Your email address is confirmed and your account is ready: go back to the application and sign in.');
    });
  }

  @Get('reset-password')
  @HostedFormPage('Reset a password (page)', 'Where the password reset email links: a form to choose a new password.', 'The form: the account\'s email, the password policy')
  async resetPasswordForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      const { token } = await validatePlain(TokenQuery, query);
      const form = await this.selfService.passwordResetForm(token, ip);
      return resetPasswordPage({ action: `${this.base}/reset-password`, token, email: form.email, rule: form.passwordPolicy });
    });
  }

  @Post('reset-password')
  @HttpCode(200)
  @HostedFormPost('Reset a password (form post)', 'As `POST /v1/self-service/password-resets/confirm`: every reset link of the user is spent and its sessions and refresh tokens end.', 'password', 'Password changed')
  async resetPassword(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await sendPage(res, async () => {
      await this.selfService.confirmPasswordReset(postedFields(req, ['token', 'password']), ip);
      return renderMessagePage('Password changed', 'Your new password is set, and your other sessions were signed out. Go back to the application and sign in with it.');
    }, async (error) => {
      // The pool's own rule, so the hint after an error says what it said before.
      const token = field(req, 'token');
      const form = await this.selfService.passwordResetForm(token, ip, { counted: true });
      return resetPasswordPage({ action: `${this.base}/reset-password`, token, email: form.email, rule: form.passwordPolicy, error });
    });
  }

  @Get('register')
  @RegistrationPage
  async registerForm(@Query('pool') poolId: string, @Res() res: Response): Promise<void> {
    await showRegistration(this.selfService, res, String(poolId ?? ''), this.registerPlace);
  }

  @Post('register')
  @HttpCode(200)
  @RegistrationPost
  async register(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await submitRegistration(this.selfService, req, ip, res, this.registerPlace);
  }
}

