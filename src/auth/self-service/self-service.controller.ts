import { Body, Controller, Get, Header, HttpCode, Ip, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiPublicProblems } from '../../platform/openapi/api-problems';
import { UserResponse } from '../../users/dto/user.response';
import { Public } from '../../workspaces/principal';
import { AcceptInvitationDto, InvitationDetailsResponse, PasswordResetConfirmDto, PasswordResetRequestDto, RegistrationDto, TokenQuery } from './dto/self-service.dto';
import { SelfServiceService } from './self-service.service';

/** For answers holding a person's details, reached with a link token: no cache along the way may keep them. */
const NotStored = () => Header('Cache-Control', 'no-store');

/** End users' own API (no API key), behind the hosted pages and usable by custom UIs. */
@ApiTags('Self-service')
@Public()
@Controller('v1/self-service')
export class SelfServiceController {
  constructor(private readonly selfService: SelfServiceService) {}

  @Get('invitations')
  @NotStored()
  @ApiOperation({ summary: 'Look up an invitation by the token of its link', description: 'What a custom “accept invitation” page shows before the user chooses a password: the email, the pool and the password policy. An unknown token is a 404, a used or expired one a 410 (ask the administrator for a new invitation).' })
  @ApiPublicProblems(400, 404, 410, 429)
  invitation(@Query() query: TokenQuery, @Ip() ip: string): Promise<InvitationDetailsResponse> {
    return this.selfService.invitationDetails(query.token, ip);
  }

  @Post('invitations/accept')
  @HttpCode(200)
  @NotStored()
  @ApiOperation({ summary: 'Accept an invitation by choosing a password', description: 'The user becomes active with a verified email.' })
  @ApiPublicProblems(400, 404, 410, 413, 415, 429)
  @ApiBody({ type: AcceptInvitationDto })
  accept(@Body() body: unknown, @Ip() ip: string): Promise<UserResponse> {
    return this.selfService.acceptInvitation(body, ip);
  }

  @Post('registrations')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Register in a pool that allows it',
    description:
      'Always 202 when the pool allows registration, so nobody learns which emails have accounts: a new user gets a verification email (or is active at once when the pool does not require verification); an existing one gets a "you already have an account" email and is not changed.',
  })
  @ApiAcceptedResponse({ description: 'Registration received; an email follows' })
  @ApiPublicProblems(400, 403, 404, 413, 415, 429)
  @ApiBody({ type: RegistrationDto })
  async register(@Body() body: unknown, @Ip() ip: string): Promise<void> {
    await this.selfService.register(body, ip);
  }

  @Post('verifications')
  @HttpCode(200)
  @NotStored()
  @ApiOperation({ summary: 'Confirm an email address with the token of the verification link', description: 'The user becomes active (a `pending_verification` user can then sign in). An unknown token is a 404, a used or expired one a 410 (register again to get a new link).' })
  @ApiPublicProblems(400, 404, 410, 413, 415, 429)
  verify(@Body() dto: TokenQuery, @Ip() ip: string): Promise<UserResponse> {
    return this.selfService.verifyEmail(dto.token, ip);
  }

  @Post('password-resets')
  @HttpCode(202)
  @ApiOperation({ summary: 'Ask for a password reset email', description: 'Always 202: an email goes out only when the account exists.' })
  @ApiAcceptedResponse({ description: 'Request received' })
  @ApiPublicProblems(400, 413, 415, 429)
  requestReset(@Body() dto: PasswordResetRequestDto, @Ip() ip: string): Promise<void> {
    return this.selfService.requestPasswordReset(dto, ip);
  }

  @Post('password-resets/confirm')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a new password with the token of the reset link', description: 'Every reset link of the user stops working, and its sessions and refresh tokens end.' })
  @ApiNoContentResponse({ description: 'Password changed' })
  @ApiPublicProblems(400, 404, 410, 413, 415, 429)
  @ApiBody({ type: PasswordResetConfirmDto })
  confirmReset(@Body() body: unknown, @Ip() ip: string): Promise<void> {
    return this.selfService.confirmPasswordReset(body, ip);
  }
}
