import { Controller, Get, Ip, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { validatePlain } from '../../platform/http/validate-plain';
import { AppError } from '../../platform/problem/app-error';
import { Public } from '../../workspaces/principal';
import { PAGE_SECURITY_HEADERS, renderMessagePage } from '../interaction/pages';
import { AcceptInvitationDto, PasswordResetConfirmDto, RegistrationDto, TokenQuery } from './dto/self-service.dto';
import { acceptInvitationPage, registerPage, resetPasswordPage, verifyEmailPage } from './self-service.pages';
import { SelfServiceService } from './self-service.service';

/**
 * The hosted pages emails link to (and the registration page), server-rendered. Each
 * form posts back to its own path; every answer is a page, errors included.
 */
@ApiExcludeController()
@Public()
@Controller('self-service')
export class SelfServicePagesController {
  constructor(private readonly selfService: SelfServiceService) {}

  @Get('accept-invitation')
  async acceptInvitationForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const { token } = await validatePlain(TokenQuery, query);
      const details = await this.selfService.invitationDetails(token, ip);
      return acceptInvitationPage({ token, email: details.email, poolName: details.poolName, rule: details.passwordPolicy });
    });
  }

  @Post('accept-invitation')
  async acceptInvitation(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const dto = await validatePlain(AcceptInvitationDto, blankToUndefined(req.body));
      await this.selfService.acceptInvitation(dto, ip);
      return renderMessagePage('Your account is ready', 'Your password is set. You can now sign in to the application that invited you.');
    }, async (error) => {
      const details = await this.selfService.invitationDetails(String(req.body?.token ?? ''), ip);
      return acceptInvitationPage({ token: String(req.body.token), email: details.email, poolName: details.poolName, rule: details.passwordPolicy, error });
    });
  }

  @Get('verify-email')
  async verifyEmailForm(@Query() query: Record<string, unknown>, @Res() res: Response): Promise<void> {
    await this.page(res, async () => verifyEmailPage(await validatePlain(TokenQuery, query)));
  }

  @Post('verify-email')
  async verifyEmail(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const { token } = await validatePlain(TokenQuery, req.body);
      await this.selfService.verifyEmail(token, ip);
      return renderMessagePage('Email confirmed', 'Thank you. Your email address is confirmed and your account is ready; you can now sign in.');
    });
  }

  @Get('reset-password')
  async resetPasswordForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const { token } = await validatePlain(TokenQuery, query);
      const form = await this.selfService.passwordResetForm(token, ip);
      return resetPasswordPage({ token, rule: form.passwordPolicy });
    });
  }

  @Post('reset-password')
  async resetPassword(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const dto = await validatePlain(PasswordResetConfirmDto, req.body);
      await this.selfService.confirmPasswordReset(dto, ip);
      return renderMessagePage('Password changed', 'Your new password is set, and your other sessions were signed out. You can now sign in with it.');
    }, async (error) => resetPasswordPage({ token: String(req.body?.token ?? ''), error }));
  }

  @Get('register')
  async registerForm(@Query('pool') poolId: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const form = await this.selfService.registrationForm(String(poolId ?? ''));
      return registerPage({ poolId, poolName: form.poolName, rule: form.passwordPolicy });
    });
  }

  @Post('register')
  async register(@Req() req: Request, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const dto = await validatePlain(RegistrationDto, blankToUndefined(req.body));
      await this.selfService.register(dto, ip);
      return renderMessagePage('Check your email', `We sent a message to ${dto.email}. Follow the link in it to continue.`);
    }, async (error) => {
      const form = await this.selfService.registrationForm(String(req.body?.poolId ?? ''));
      return registerPage({ poolId: String(req.body.poolId), poolName: form.poolName, rule: form.passwordPolicy, email: String(req.body?.email ?? ''), error });
    });
  }

  /**
   * Renders what `build` returns. A 400 (a field the user can fix) re-renders the form
   * through `retry` with the message; anything else is a page saying what happened.
   */
  private async page(res: Response, build: () => Promise<string>, retry?: (error: string) => Promise<string>): Promise<void> {
    res.set(PAGE_SECURITY_HEADERS).type('html');
    try {
      res.status(200).send(await build());
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      const message = error.errors?.map((e) => e.message).join('. ') || error.detail;
      if (error.status === 400 && retry) {
        try {
          res.status(400).send(await retry(capitalize(message)));
          return;
        } catch {
          // The form itself cannot be shown any more (link expired meanwhile): fall through.
        }
      }
      res.status(error.status).send(renderMessagePage(error.title, error.status === 400 ? capitalize(message) : error.detail));
    }
  }
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** Empty optional form fields arrive as ""; they mean "not given". */
function blankToUndefined(body: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([, value]) => value !== ''));
}
