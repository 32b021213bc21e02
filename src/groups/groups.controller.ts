import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../platform/ids/id-param';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { UserPageResponse } from '../users/dto/user.response';
import { AddMembersDto } from './dto/add-members.dto';
import { CreateGroupDto } from './dto/create-group.dto';
import { AddMembersResponse, GroupPageResponse, GroupResponse } from './dto/group.response';
import { UpdateGroupDto } from './dto/update-group.dto';
import { GroupsService } from './groups.service';
import { CreatedWithLocation } from '../platform/http/created-location';

@ApiTags('Groups')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/groups')
export class GroupsController {
  constructor(private readonly groups: GroupsService) {}

  @Post()
  @ApiOperation({ summary: 'Create a group', description: 'Groups belong to the workspace and may hold users of any of its pools; their names appear in the `groups` claim of tokens (scope `groups`).' })
  @ApiProblems(400, 404, 409, 413, 415)
  @CreatedWithLocation(GroupResponse, '/v1/workspaces/{ws}/groups/{group}')
  create(@Param('ws') ws: string, @Body() dto: CreateGroupDto): Promise<GroupResponse> {
    return this.groups.create(ws, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List groups', description: 'The groups of the workspace. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @Query() query: PageQuery): Promise<GroupPageResponse> {
    return this.groups.list(ws, query);
  }

  @Get(':group')
  @ApiOperation({ summary: 'Get a group', description: 'An id of another workspace is a 404.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('group', 'Group') group: string): Promise<GroupResponse> {
    return this.groups.get(ws, group);
  }

  @Patch(':group')
  @ApiOperation({ summary: 'Rename or describe a group', description: 'Fields left out stay as they are; `description: null` clears the description; a name already used by another group of the workspace is a 409.' })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param('ws') ws: string, @IdParam('group', 'Group') group: string, @Body() dto: UpdateGroupDto): Promise<GroupResponse> {
    return this.groups.update(ws, group, dto);
  }

  @Delete(':group')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a group and its memberships (not the users)', description: 'Its members stay in their pools.' })
  @ApiProblems(404)
  delete(@Param('ws') ws: string, @IdParam('group', 'Group') group: string): Promise<void> {
    return this.groups.delete(ws, group);
  }

  @Post(':group/members')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Add users to a group',
    description: 'Users may come from any pool of the workspace. All or nothing: a malformed or unknown id is a 400 naming it (one answer names them all), and nobody is added. Adding a member again is not an error.',
  })
  @ApiOkResponse({ type: AddMembersResponse })
  @ApiProblems(400, 404, 413, 415)
  @ApiBody({ type: AddMembersDto })
  addMembers(@Param('ws') ws: string, @IdParam('group', 'Group') group: string, @Body() body: unknown): Promise<AddMembersResponse> {
    return this.groups.addMembers(ws, group, body);
  }

  @Get(':group/members')
  @ApiOperation({ summary: 'List the members of a group', description: 'Users of any pool of the workspace, as in the users list. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  listMembers(@Param('ws') ws: string, @IdParam('group', 'Group') group: string, @Query() query: PageQuery): Promise<UserPageResponse> {
    return this.groups.listMembers(ws, group, query);
  }

  @Delete(':group/members/:user')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove a user from a group', description: 'Only the membership goes; a user who is not a member (or unknown) is a 404.' })
  @ApiProblems(404)
  removeMember(@Param('ws') ws: string, @IdParam('group', 'Group') group: string, @IdParam('user', 'User') user: string): Promise<void> {
    return this.groups.removeMember(ws, group, user);
  }
}
