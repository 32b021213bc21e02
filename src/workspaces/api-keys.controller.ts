import { Body, Controller, Delete, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { CreatedWithLocation } from '../platform/http/created-location';
import { IdParam } from '../platform/ids/id-param';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { CreateApiKeyDto } from './dto/create-api-key.dto';
import { ApiKeyPageResponse, ApiKeyResponse, CreatedApiKeyResponse } from './dto/workspace.response';
import { WorkspacesService } from './workspaces.service';

@ApiTags('Workspaces')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/api-keys')
export class ApiKeysController {
  constructor(private readonly workspaces: WorkspacesService) {}

  @Post()
  @ApiOperation({ summary: 'Create a workspace API key', description: 'The key is in this response only; it is stored as a SHA-256 hash.' })
  @CreatedWithLocation(CreatedApiKeyResponse, '/v1/workspaces/{ws}/api-keys/{id}')
  @ApiProblems(400, 404, 413, 415)
  create(@Param('ws') ws: string, @Body() dto: CreateApiKeyDto): Promise<CreatedApiKeyResponse> {
    return this.workspaces.createKey(ws, dto);
  }

  @Get()
  @ApiOperation({ summary: 'List the workspace API keys (never the keys themselves)', description: 'Each key shows its `prefix` (first characters) and `lastUsedAt`, so you can tell keys apart and find unused ones. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @Query() query: PageQuery): Promise<ApiKeyPageResponse> {
    return this.workspaces.listKeys(ws, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an API key (never the key itself)', description: 'Its name, `prefix` and `lastUsedAt`. A revoked key is a 404.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('id', 'API key') id: string): Promise<ApiKeyResponse> {
    return this.workspaces.getKey(ws, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Revoke an API key; it stops working at once', description: 'The next request with the key is a 401. An unknown or already revoked key is a 404.' })
  @ApiProblems(404)
  revoke(@Param('ws') ws: string, @IdParam('id', 'API key') id: string): Promise<void> {
    return this.workspaces.revokeKey(ws, id);
  }
}
