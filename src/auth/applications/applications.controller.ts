import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiBody, ApiOperation, ApiTags } from '@nestjs/swagger';
import { IdParam } from '../../platform/ids/id-param';
import { FIELDS_REFUSED, TakesNoBody } from '../../platform/http/takes-no-body';
import { ApiProblems } from '../../platform/openapi/api-problems';
import { PageQuery } from '../../platform/pagination/page';
import { ApplicationsService } from './applications.service';
import { ApplicationPageResponse, ApplicationResponse, CreatedApplicationResponse } from './dto/application.response';
import { CreateApplicationDto } from './dto/create-application.dto';
import { UpdateApplicationDto } from './dto/update-application.dto';
import { CreatedWithLocation } from '../../platform/http/created-location';

@ApiTags('Applications')
@ApiBearerAuth()
@Controller('v1/workspaces/:ws/applications')
export class ApplicationsController {
  constructor(private readonly applications: ApplicationsService) {}

  @Post()
  @ApiOperation({ summary: 'Register an application (OAuth client)', description: 'The client secret is in this response only; it is stored hashed.' })
  @ApiProblems(400, 404, 413, 415)
  @ApiBody({ type: CreateApplicationDto })
  @CreatedWithLocation(CreatedApplicationResponse, '/v1/workspaces/{ws}/applications/{id}')
  create(@Param('ws') ws: string, @Body() body: unknown): Promise<CreatedApplicationResponse> {
    return this.applications.create(ws, body);
  }

  @Get()
  @ApiOperation({ summary: 'List applications', description: 'The applications (OAuth clients) of the workspace; never their secrets. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @Query() query: PageQuery): Promise<ApplicationPageResponse> {
    return this.applications.list(ws, query);
  }

  @Get(':id')
  @ApiOperation({ summary: 'Get an application', description: 'The client settings and the `issuer` to configure in the application; never its secret.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('id', 'Application') id: string): Promise<ApplicationResponse> {
    return this.applications.get(ws, id);
  }

  @Patch(':id')
  @ApiOperation({ summary: 'Change an application', description: 'Fields left out stay as they are. `tokenEndpointAuthMethod` is fixed at creation (create a new application to change it).' })
  @ApiProblems(400, 404, 413, 415)
  @ApiBody({ type: UpdateApplicationDto })
  update(@Param('ws') ws: string, @IdParam('id', 'Application') id: string, @Body() body: unknown): Promise<ApplicationResponse> {
    return this.applications.update(ws, id, body);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Rotate the client secret',
    description: 'A new client secret, in this response only. The old one stops working at once; tokens already issued stay valid.',
  })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404, { status: 409, detail: 'This application is public (tokenEndpointAuthMethod none): it has no client secret to rotate.' })
  rotateSecret(@Param('ws') ws: string, @IdParam('id', 'Application') id: string): Promise<CreatedApplicationResponse> {
    return this.applications.rotateSecret(ws, id);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Delete an application; its tokens stop working', description: 'Users can no longer sign in to it. This cannot be undone.' })
  @ApiProblems(404)
  delete(@Param('ws') ws: string, @IdParam('id', 'Application') id: string): Promise<void> {
    return this.applications.delete(ws, id);
  }
}
