import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../platform/ids/id-param';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { CreatePoolDto } from './dto/create-pool.dto';
import { PoolPageResponse, PoolResponse } from './dto/pool.response';
import { UpdatePoolDto } from './dto/update-pool.dto';
import { PoolsService } from './pools.service';
import { CreatedWithLocation } from '../platform/http/created-location';

/**
 * Bodies are validated by the service (validatePlain with the DTO documented here): the
 * password length range depends on the policy a request is merged with, and must be in the
 * same 400 as the DTO's own errors, which the global pipe would answer alone.
 */
@ApiTags('Identity pools')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/pools')
export class PoolsController {
  constructor(private readonly pools: PoolsService) {}

  @Post()
  @ApiOperation({ summary: 'Create an identity pool', description: 'Omitted policies take their defaults.' })
  @ApiBody({ type: CreatePoolDto })
  @ApiProblems(400, 404, 409, 413, 415)
  @CreatedWithLocation(PoolResponse, '/v1/workspaces/{ws}/pools/{pool}')
  create(@Param('ws') ws: string, @Body() body: unknown): Promise<PoolResponse> {
    return this.pools.create(ws, body);
  }

  @Get()
  @ApiOperation({ summary: 'List identity pools', description: 'The pools of the workspace, with their policies. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @Query() query: PageQuery): Promise<PoolPageResponse> {
    return this.pools.list(ws, query);
  }

  @Get(':pool')
  @ApiOperation({ summary: 'Get an identity pool', description: 'The pool with its policies; an id of another workspace is a 404.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string): Promise<PoolResponse> {
    return this.pools.get(ws, pool);
  }

  @Patch(':pool')
  @ApiOperation({ summary: 'Change an identity pool', description: 'Fields left out stay as they are; nested policies are merged with the current ones; `description: null` clears the description.' })
  @ApiBody({ type: UpdatePoolDto })
  @ApiProblems(400, 404, 409, 413, 415)
  update(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @Body() body: unknown): Promise<PoolResponse> {
    return this.pools.update(ws, pool, body);
  }

  @Delete(':pool')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an identity pool with its users, credentials, memberships and invitations', description: 'Its users can no longer sign in, their open links stop working, and its authentication provider goes with it. This cannot be undone.' })
  @ApiProblems(404)
  delete(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string): Promise<void> {
    return this.pools.delete(ws, pool);
  }
}
