import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { CreateWorkspaceDto } from './dto/create-workspace.dto';
import { UpdateWorkspaceDto } from './dto/update-workspace.dto';
import { WorkspacePageResponse, WorkspaceResponse } from './dto/workspace.response';
import { CurrentPrincipal, Principal, RootOnly } from './principal';
import { WorkspacesService } from './workspaces.service';

@ApiTags('Workspaces')
@ApiBearerAuth()
@Controller('v1/workspaces')
export class WorkspacesController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @RootOnly()
  @ApiOperation({ summary: 'Create a workspace (root key only)' })
  @ApiProblems(400, 403, 413, 415)
  create(@Body() dto: CreateWorkspaceDto): Promise<WorkspaceResponse> {
    return this.workspaces.create(dto);
  }

  @Get()
  @ApiOperation({ summary: 'List workspaces', description: 'A workspace key sees only its own workspace.' })
  @ApiProblems(400)
  list(@CurrentPrincipal() principal: Principal, @Query() query: PageQuery): Promise<WorkspacePageResponse> {
    return this.workspaces.list(principal, query);
  }

  @Get(':ws')
  @ApiOperation({ summary: 'Get a workspace' })
  @ApiProblems(404)
  get(@Param('ws') ws: string): Promise<WorkspaceResponse> {
    return this.workspaces.get(ws);
  }

  @Patch(':ws')
  @ApiOperation({ summary: 'Rename or describe a workspace' })
  @ApiProblems(400, 404, 413, 415)
  update(@Param('ws') ws: string, @Body() dto: UpdateWorkspaceDto): Promise<WorkspaceResponse> {
    return this.workspaces.update(ws, dto);
  }

  @Delete(':ws')
  @RootOnly()
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete a workspace and everything in it (root key only)' })
  @ApiProblems(403, 404)
  delete(@Param('ws') ws: string): Promise<void> {
    return this.workspaces.delete(ws);
  }
}
