import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../platform/ids/id-param';
import { ApiProblems } from '../../platform/openapi/api-problems';
import { PageQuery } from '../../platform/pagination/page';
import { CreateIdentityProviderDto } from './dto/create-identity-provider.dto';
import { IdentityProviderPageResponse, IdentityProviderResponse } from './dto/identity-provider.response';
import { UpdateIdentityProviderDto } from './dto/update-identity-provider.dto';
import { IdentityProvidersService } from './identity-providers.service';
import { CreatedWithLocation } from '../../platform/http/created-location';

@ApiTags('Authentication providers')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/identity-providers')
export class IdentityProvidersController {
  constructor(private readonly providers: IdentityProvidersService) {}

  @Post()
  @ApiOperation({
    summary: 'Connect a pool to the workspace as an authentication provider',
    description: 'Until a pool is connected and enabled, its users cannot sign in to any application.',
  })
  @ApiProblems(400, 404, { status: 409, detail: 'This pool is already connected; change its connection with PATCH instead.' }, 413, 415)
  @ApiBody({ type: CreateIdentityProviderDto })
  @CreatedWithLocation(IdentityProviderResponse, '/v1/workspaces/{ws}/identity-providers/{id}')
  create(@Param('ws') ws: string, @Body() body: unknown): Promise<IdentityProviderResponse> {
    return this.providers.create(ws, body);
  }

  @Get()
  @ApiOperation({ summary: 'List authentication providers', description: 'The pools connected to the workspace, with their sign-in methods, state and priority. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @Query() query: PageQuery): Promise<IdentityProviderPageResponse> {
    return this.providers.list(ws, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an authentication provider', description: 'An id of another workspace is a 404.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('id', 'Identity provider') id: string): Promise<IdentityProviderResponse> {
    return this.providers.get(ws, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change sign-in methods, enable or disable, or reprioritise', description: 'Disabling blocks new sign-ins at once.' })
  @ApiProblems(400, 404, 413, 415)
  update(@Param('ws') ws: string, @IdParam('id', 'Identity provider') id: string, @Body() dto: UpdateIdentityProviderDto): Promise<IdentityProviderResponse> {
    return this.providers.update(ws, id, dto);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Disconnect a pool; its users can no longer sign in', description: 'The pool and its users stay; connect it again with POST to restore sign-in.' })
  @ApiProblems(404)
  delete(@Param('ws') ws: string, @IdParam('id', 'Identity provider') id: string): Promise<void> {
    return this.providers.delete(ws, id);
  }
}
