import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { CreateWorkspaceDto } from './dto/create-workspace.dto';
import { UpdateWorkspaceDto } from './dto/update-workspace.dto';
import { WorkspacePageResponse, WorkspaceResponse } from './dto/workspace.response';
import { CurrentPrincipal, Principal, RootOnly } from './principal';
import { WorkspacesService } from './workspaces.service';
import { CreatedWithLocation } from '../platform/http/created-location';

@ApiTags('Workspaces')
@ApiBearerAuth()
@Controller('v1/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @RootOnly()
  @ApiOperation({ summary: 'Create a workspace (root key only)', description: 'A workspace holds pools, groups, authentication providers, applications and its own OpenID Connect issuer (`{PUBLIC_URL}/oidc/{id}`). Then create a workspace API key to manage it without the root key.' })
  @ApiProblems(400, 403, 413, 415)
  @CreatedWithLocation(WorkspaceResponse, '/v1/workspaces/{ws}')
  create(@Body() dto: CreateWorkspaceDto): Promise<WorkspaceResponse> {
    return this.workspaces.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List workspaces', description: 'The root key sees every workspace; a workspace key sees only its own. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery): Promise<WorkspacePageResponse> {
    return this.workspaces.list(principal, query);
  }

  @Get(':ws')
  @ApiOperation({ summary: 'Get a workspace', description: 'A workspace key may read only its own workspace: any other id is a 404.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string): Promise<WorkspaceResponse> {
    return this.workspaces.get(ws);
  }

  @Patch(':ws')
  @ApiOperation({ summary: 'Rename or describe a workspace', description: 'Fields left out stay as they are; `description: null` clears it.' })
  @ApiProblems(400, 404, 413, 415)
  update(@Param('ws') ws: string, @Body() dto: UpdateWorkspaceDto): Promise<WorkspaceResponse> {
    return this.workspaces.update(ws, dto);
  }

  @Delete(':ws')
  @RootOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a workspace and everything in it (root key only)', description: 'Deletes its pools, users, groups, API keys, authentication providers and applications. This cannot be undone.' })
  @ApiProblems(403, 404)
  delete(@Param('ws') ws: string): Promise<void> {
    return this.workspaces.delete(ws);
  }
}
