import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../platform/ids/id-param';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { GroupPageResponse } from './dto/group.response';
import { GroupsService } from './groups.service';

@ApiTags('Users')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/pools/:pool/users/:user/groups')
export class UserGroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Get()
  @ApiOperation({ summary: 'List the groups a user belongs to', description: 'The groups whose names the `groups` claim carries for this user. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(
    @Param('ws') ws: string,
    @IdParam('pool', 'Pool') pool: string,
    @IdParam('user', 'User') user: string,
    @Query() query: PageQuery,
  ): Promise<GroupPageResponse> {
    return this.groups.listForUser({ workspaceId: ws, poolId: pool }, user, query);
  }
}
