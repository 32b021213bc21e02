import { Controller, Delete, Get, HttpCode, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../platform/ids/id-param';
import { ApiProblems } from '../../platform/openapi/api-problems';
import { PageQuery } from '../../platform/pagination/page';
import { AuthorizedApplicationsService } from './authorized-applications.service';
import { AuthorizedApplicationPageResponse } from './dto/authorized-application.response';

@ApiTags('Users')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/pools/:pool/users/:user/applications')
export class AuthorizedApplicationsController {
  constructor(private readonly authorized: AuthorizedApplicationsService) {}

  @Get()
  @ApiOperation({
    summary: 'List the applications a user has signed in to',
    description: 'Those the user holds a live grant with, with the scopes granted and since when. Paged: oldest application first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.',
  })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string, @Query() query: PageQuery): Promise<AuthorizedApplicationPageResponse> {
    return this.authorized.list({ workspaceId: ws, poolId: pool }, user, query);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({
    summary: 'Revoke a user’s access to one application',
    description:
      'Ends the user’s grants with the application and the refresh tokens issued under them; its access tokens stop working at userinfo. Other applications keep theirs. The user’s session at the login page stays, so signing in to the application again needs no password while it lasts; sign the user out everywhere to end it too.',
  })
  @ApiNoContentResponse({ description: 'Revoked (also when the user held no grant with it)' })
  @ApiProblems(404)
  revoke(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('user', 'User') user: string, @IdParam('id', 'Application') application: string): Promise<void> {
    return this.authorized.revoke({ workspaceId: ws, poolId: pool }, user, application);
  }
}
