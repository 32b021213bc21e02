import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Put, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiBody, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../platform/ids/id-param';
import { FIELDS_REFUSED, TakesNoBody } from '../platform/http/takes-no-body';
import { ApiProblems } from '../platform/openapi/api-problems';
import { CreateUserDto } from './dto/create-user.dto';
import { ListUsersQuery } from './dto/list-users.query.dto';
import { SetPasswordDto } from './dto/set-password.dto';
import { UpdateUserDto } from './dto/update-user.dto';
import { UserPageResponse, UserResponse } from './dto/user.response';
import { UsersService } from './users.service';
import { CreatedWithLocation } from '../platform/http/created-location';

@ApiTags('Users')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/pools/:pool/users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Post()
  @ApiOperation({
    summary: 'Add a user to a pool',
    description:
      'At least one of `email` and `mobile`. With `credential.mode: "invitation"` (which needs `email`) the user is `invited` and receives an email with a link to set a password. With `"password"` the user is `active` at once. An email, mobile or `externalId` another user of the pool has is a 409 naming each.',
  })
  @ApiProblems(400, 404, 409, 413, 415)
  @ApiBody({ type: CreateUserDto })
  @CreatedWithLocation(UserResponse, '/v1/workspaces/{ws}/pools/{pool}/users/{user}')
  create(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @Body() body: unknown): Promise<UserResponse> {
    return this.users.create({ workspaceId: ws, poolId: pool }, body);
  }

  @Get()
  @ApiOperation({ summary: 'List and search the users of a pool', description: 'Filter with `search` (case-insensitive prefix of email, mobile, given, family or display name), `status` and `groupId`; filters combine. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @Query() query: ListUsersQuery): Promise<UserPageResponse> {
    return this.users.list({ workspaceId: ws, poolId: pool }, query);
  }

  @Get(':user')
  @ApiOperation({ summary: 'Get a user', description: 'The user with its status, latest invitation and sign-in bookkeeping; never a password or hash.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<UserResponse> {
    return this.users.get({ workspaceId: ws, poolId: pool }, user);
  }

  @Patch(':user')
  @ApiOperation({ summary: 'Change a user’s profile or status', description: 'Fields left out stay as they are; `null` clears an optional one (`externalId` is set at creation only). `attributes` is merged into the stored ones (RFC 7396: a member set to `null` is removed, `attributes: null` removes them all). Changing the email to another address (a change of letter case alone is the same address) clears `emailVerified` and withdraws open invitation links; an invited user is sent a new invitation at the new address, and a user still verifying its email a new verification link. A request that changes nothing leaves `updatedAt` as it was.' })
  @ApiProblems(400, 404, { status: 409, detail: 'The email or mobile belongs to another user of the pool, or `active` was asked for a user who has no password yet (set one with PUT .../password).' }, 413, 415)
  @ApiBody({ type: UpdateUserDto })
  update(
    @Param('ws') ws: string,
    @IdParam('pool', 'Pool') pool: string,
    @IdParam('user', 'User') user: string,
    @Body() body: unknown,
  ): Promise<UserResponse> {
    return this.users.update({ workspaceId: ws, poolId: pool }, user, body);
  }

  @Delete(':user')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a user with its credentials, memberships and invitations', description: 'The user can no longer sign in and its open links stop working. This cannot be undone.' })
  @ApiProblems(404)
  delete(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.users.delete({ workspaceId: ws, poolId: pool }, user);
  }

  @Put(':user/password')
  @HttpCode(204)
  @ApiOperation({ summary: 'Set a user’s password', description: 'The user becomes active, a disabled one too (the admin chose to give it a password); open invitation links stop working; a lock is lifted; its sessions and refresh tokens end.' })
  @ApiProblems(400, 404, 413, 415)
  @ApiBody({ type: SetPasswordDto })
  setPassword(
    @Param('ws') ws: string,
    @IdParam('pool', 'Pool') pool: string,
    @IdParam('user', 'User') user: string,
    @Body() body: unknown,
  ): Promise<void> {
    return this.users.setPassword({ workspaceId: ws, poolId: pool }, user, body);
  }

  @Post(':user/sign-out')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Sign a user out everywhere',
    description:
      'Ends the user’s sessions at the login page and revokes its grants and refresh tokens in every application of the workspace; its access tokens stop working at userinfo (resource servers that verify them with the JWKS accept them until they expire, as with any JWT). The user keeps its status and password and may sign in again.',
  })
  @ApiNoContentResponse({ description: 'Signed out' })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404)
  signOut(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.users.signOut({ workspaceId: ws, poolId: pool }, user);
  }

  @Post(':user/invitations')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Send the invitation again',
    description: 'Earlier invitation links stop working. A disabled user who never chose a password (disabling withdrew the invitation) becomes `invited` again.',
  })
  @ApiAcceptedResponse({ description: 'A new invitation is queued' })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404, { status: 409, detail: 'Only a user with an email who is invited, or disabled without a password, can be invited again; set a password with PUT .../password instead.' })
  reinvite(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.users.reinvite({ workspaceId: ws, poolId: pool }, user);
  }
}
