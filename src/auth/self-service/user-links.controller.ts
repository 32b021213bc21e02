import { Controller, HttpCode, Param, Post } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../platform/ids/id-param';
import { FIELDS_REFUSED, TakesNoBody } from '../../platform/http/takes-no-body';
import { ApiProblems } from '../../platform/openapi/api-problems';
import { SelfServiceService } from './self-service.service';

/** Links to one address count with the self-service requests for it (RATE_LIMIT_SELF_SERVICE_PER_EMAIL), so no key can flood an inbox. */
const INBOX_LIMIT = { status: 429, detail: 'This address had as many self-service emails as the window allows (RATE_LIMIT_SELF_SERVICE_PER_EMAIL); retry after `Retry-After` seconds.' };

/** The management API's way into the self-service flows: an admin mails a user the link the user could have asked for. */
@ApiTags('Users')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/pools/:pool/users/:user')
export class UserLinksController {
  constructor(private readonly selfService: SelfServiceService) {}

  @Post('password-resets')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Email a user a link to choose a new password',
    description:
      'The same link a self-service reset request sends, to the user’s address, valid for an hour; following it sets a new password, ends the user’s sessions and lifts a lock. The current password keeps working until then. An invited user, or one still verifying its email, who chooses a password this way is active with a verified email.',
  })
  @ApiAcceptedResponse({ description: 'The reset email is queued' })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404, { status: 409, detail: 'The user has no email address, or is disabled; set a password with PUT .../password instead, or enable the user first.' }, INBOX_LIMIT)
  sendPasswordReset(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.selfService.sendPasswordResetTo({ workspaceId: ws, poolId: pool }, user);
  }

  @Post('email-verifications')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Email a user a link to verify its address',
    description:
      'The link self-registration sends, valid for 24 hours: following it sets `emailVerified` and makes a user still `pending_verification` active. For an address not yet proven: imported with `emailVerified: false`, changed by an admin, or a registration whose link ran out.',
  })
  @ApiAcceptedResponse({ description: 'The verification email is queued' })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404, { status: 409, detail: 'The user has no email address, its address is verified already, it is invited (its invitation proves the address: send it again), or it is disabled.' }, INBOX_LIMIT)
  sendEmailVerification(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.selfService.sendVerificationTo({ workspaceId: ws, poolId: pool }, user);
  }
}
