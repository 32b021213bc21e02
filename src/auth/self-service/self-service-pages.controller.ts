import { Controller, Get, Ip, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { validatePlain } from '../../platform/http/validate-plain';
import { AppError } from '../../platform/problem/app-error';
import { PasswordPolicy } from '../../pools/pool.entity';
import { passwordPolicyViolation } from '../../users/user-fields';
import { Public } from '../../workspaces/principal';
import { PAGE_SECURITY_HEADERS, renderMessagePage } from '../interaction/pages';
import { AcceptInvitationDto, PasswordResetConfirmDto, RegistrationDto, TokenQuery } from './dto/self-service.dto';
import { acceptInvitationPage, FormError, registerPage, resetPasswordPage, verifyEmailPage } from './self-service.pages';
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
      const dto = await validatePlain(AcceptInvitationDto, withoutBlankNames(req.body));
      await this.selfService.acceptInvitation(dto, ip);
      return renderMessagePage('Your account is ready', 'Your password is set. You can now sign in to the application that invited you.');
    }, async (error) => {
      const token = field(req, 'token');
      const details = await this.selfService.invitationDetails(token, ip, { counted: true });
      const rule = details.passwordPolicy;
      return acceptInvitationPage({ token, email: details.email, poolName: details.poolName, rule, values: names(req), error: withPasswordProblem(error, rule, req) });
    });
  }

  @Get('verify-email')
  async verifyEmailForm(@Query() query: Record<string, unknown>, @Ip() ip: string, @Res() res: Response): Promise<void> {
    await this.page(res, async () => {
      const link = await validatePlain(TokenQuery, query);
      await this.selfService.checkVerificationLink(link.token, ip);
      return verifyEmailPage(link);
    });
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
    }, async (error) => {
      // The pool's own rule, so the hint after an error says what it said before.
      const token = field(req, 'token');
      const form = await this.selfService.passwordResetForm(token, ip, { counted: true });
      return resetPasswordPage({ token, rule: form.passwordPolicy, error });
    });
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
      const dto = await validatePlain(RegistrationDto, withoutBlankNames(req.body));
      const verifies = await this.selfService.register(dto, ip);
      // The same words whether or not the address had an account (that one gets an email instead).
      return verifies
        ? renderMessagePage('Check your email', `We sent a message to ${dto.email}. Follow the link in it to continue.`)
        : renderMessagePage('Registration received', `You can now sign in with ${dto.email} and your password. If this address already had an account, we sent it an email instead.`);
    }, async (error) => {
      const poolId = field(req, 'poolId');
      const form = await this.selfService.registrationForm(poolId);
      const rule = form.passwordPolicy;
      return registerPage({ poolId, poolName: form.poolName, rule, email: field(req, 'email'), values: names(req), error: withPasswordProblem(error, rule, req) });
    });
  }

  /**
   * Renders what `build` returns. A 400 (a field the user can fix) re-renders the form
   * through `retry` with the message and the fields at fault; anything else is a page
   * saying what happened.
   */
  private async page(res: Response, build: () => Promise<string>, retry?: (error: FormError) => Promise<string>): Promise<void> {
    res.set(PAGE_SECURITY_HEADERS).type('html');
    try {
      res.status(200).send(await build());
    } catch (error) {
      if (!(error instanceof AppError)) throw error;
      for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
      const formError = toFormError(error);
      if (error.status === 400 && retry) {
        try {
          res.status(400).send(await retry(formError));
          return;
        } catch {
          // The form itself cannot be shown any more (link expired meanwhile): fall through.
        }
      }
      // Errors meant for these pages carry a heading in plain words ("Link already used");
      // the others show their problem title.
      const heading = 'heading' in error && typeof error.heading === 'string' ? error.heading : error.title;
      res.status(error.status).send(renderMessagePage(heading, error.status === 400 ? formError.message : error.detail));
    }
  }
}

/** One sentence per field at fault (its first problem), or the error's detail. */
function toFormError(error: AppError): FormError {
  const firstPerField = new Map<string, string>();
  for (const e of error.errors ?? []) if (!firstPerField.has(e.field)) firstPerField.set(e.field, e.message);
  const sentences = firstPerField.size ? [...firstPerField.values()] : [error.detail];
  return { message: sentences.map(sentence).join(' '), fields: [...firstPerField.keys()] };
}

function sentence(text: string): string {
  const capitalized = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?]$/.test(capitalized) ? capitalized : `${capitalized}.`;
}

/**
 * The form's checks run in stages (field formats, then the pool's password policy), so a
 * form refused for its email would not mention a too-short password; this adds it, to
 * have every mistake named at once.
 */
function withPasswordProblem(error: FormError, rule: PasswordPolicy, req: Request): FormError {
  if (error.fields.includes('password')) return error;
  const violation = passwordPolicyViolation(rule, field(req, 'password'));
  return violation ? { message: `${error.message} ${sentence(violation)}`, fields: [...error.fields, 'password'] } : error;
}

/** A posted form field as a string ("" when missing). */
function field(req: Request, name: string): string {
  const value = (req.body as Record<string, unknown> | undefined)?.[name];
  return typeof value === 'string' ? value : '';
}

function names(req: Request): { givenName: string; familyName: string } {
  return { givenName: field(req, 'givenName'), familyName: field(req, 'familyName') };
}

/**
 * Empty optional name fields arrive as ""; they mean "not given". A blank password or
 * email stays "", so its message is the policy's ("at least 10 characters"), not a type error.
 */
function withoutBlankNames(body: Record<string, unknown> | undefined): Record<string, unknown> {
  return Object.fromEntries(Object.entries(body ?? {}).filter(([name, value]) => !(OPTIONAL_NAMES.has(name) && value === '')));
}

const OPTIONAL_NAMES = new Set(['givenName', 'familyName', 'name']);
