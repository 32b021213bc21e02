import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiAcceptedResponse, ApiBearerAuth, ApiExtraModels, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request, Response } from 'express';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { validatePlain } from '../platform/http/validate-plain';
import { IdParam } from '../platform/ids/id-param';
import { FIELDS_REFUSED, TakesNoBody } from '../platform/http/takes-no-body';
import { ApiProblems } from '../platform/openapi/api-problems';
import { PageQuery } from '../platform/pagination/page';
import { ImportErrorPageResponse, ImportErrorsQuery, ImportJobPageResponse, ImportJobResponse, ImportOptionsDto, JsonImportDto } from './dto/import.dto';
import { ImportsService } from './imports.service';
import { publicBasePath } from '../platform/http/created-location';

export const NDJSON = 'application/x-ndjson';

@ApiTags('Bulk migration')
@ApiBearerAuth()
// Named only by reference in the request body below, so the document would otherwise lack it.
@ApiExtraModels(JsonImportDto)
@Controller('v1/workspaces/:ws/pools/:pool/imports')
export class ImportsController {
  private readonly basePath: string;

  constructor(
    private readonly imports: ImportsService,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.basePath = publicBasePath(config);
  }

  @Post()
  @HttpCode(202)
  @ApiOperation({
    summary: 'Migrate users in bulk',
    description: `Send \`application/json\` \`{users: [...], options}\` (up to 10,000 records) or \`${NDJSON}\` (one record a line, streamed, up to \`IMPORT_MAX_UPLOAD_BYTES\`, 2 GB by default; options as query parameters, which a JSON upload must leave out). The upload is stored before the 202; a worker imports it. Follow the job at \`Location\`.`,
    requestBody: {
      required: true,
      content: {
        'application/json': {
          schema: { $ref: '#/components/schemas/JsonImportDto' },
          example: { users: [{ externalId: 'crm-1', email: 'ada@example.com', groups: ['admins'], passwordHash: '$2b$10$MoXmc5lHMK.9dyvxfTnE2OaDvzxF0JEIJWX5Ve1OiJAPGinDah1k2' }], options: { onConflict: 'update' } },
        },
        [NDJSON]: {
          schema: { type: 'string', description: 'One record (as in JsonImportDto.users) a line' },
          example: '{"email":"ada@example.com","password":"correct horse battery"}\n{"email":"bob@example.com","groups":["beta"]}\n',
        },
      },
    },
  })
  @ApiAcceptedResponse({
    type: ImportJobResponse,
    description: 'The job, queued; `Location` points at it',
    headers: { Location: { description: 'The job: GET it to follow its progress', schema: { type: 'string', example: '/v1/workspaces/{ws}/pools/{pool}/imports/{job}' } } },
  })
  @ApiProblems(
    400,
    404,
    { status: 413, detail: 'A JSON upload takes at most 10,000 records (and 10 MB): send more as NDJSON (`Content-Type: application/x-ndjson`), or split an NDJSON upload over IMPORT_MAX_UPLOAD_BYTES into several imports.' },
    { status: 415, detail: `Send the upload as application/json or ${NDJSON}, encoded as UTF-8 (re-export a UTF-16 file as UTF-8).` },
  )
  async create(
    @Param('ws') ws: string,
    @IdParam('pool', 'Pool') pool: string,
    @Query() options: ImportOptionsDto,
    @Req() req: Request,
    @Res({ passthrough: true }) res: Response,
  ): Promise<ImportJobResponse> {
    const scope = { workspaceId: ws, poolId: pool };
    const job = req.is(NDJSON)
      ? await this.imports.createFromNdjson(scope, options, req)
      : await this.imports.createFromJson(scope, await validatePlain(JsonImportDto, req.body, { forbidUnknown: true, recordsChecked: 'users' }), options);
    res.setHeader('Location', `${this.basePath}/v1/workspaces/${ws}/pools/${pool}/imports/${job.id}`);
    return job;
  }

  @Get()
  @ApiOperation({ summary: 'List the imports of a pool', description: 'Every import of the pool with its status and counts. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  list(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @Query() query: PageQuery): Promise<ImportJobPageResponse> {
    return this.imports.list({ workspaceId: ws, poolId: pool }, query);
  }

  @Get(':job')
  @ApiOperation({ summary: 'Follow an import', description: 'Counts are live while it runs: `processed` of `total`.' })
  @ApiProblems(404)
  get(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('job', 'Import') job: string): Promise<ImportJobResponse> {
    return this.imports.get({ workspaceId: ws, poolId: pool }, job);
  }

  @Get(':job/errors')
  @ApiOperation({ summary: 'The records an import could not take, by line', description: 'One entry per refused record: its line, an identifier (never a secret), a code and what to correct. A bad record never stops the job. Paged: oldest first, `limit` (1..200, default 50) per page; pass `nextCursor` back as `cursor` for the next page.' })
  @ApiProblems(400, 404)
  errors(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('job', 'Import') job: string, @Query() query: ImportErrorsQuery): Promise<ImportErrorPageResponse> {
    return this.imports.errors({ workspaceId: ws, poolId: pool }, job, query);
  }

  @Post(':job/cancel')
  @HttpCode(202)
  @ApiOperation({
    summary: 'Cancel an import',
    description: 'A queued import stops at once; a running one after its current chunk. Records already imported stay. An import that already ended is answered as it is (its status says how it ended).',
  })
  @ApiAcceptedResponse({ type: ImportJobResponse })
  @TakesNoBody()
  @ApiProblems(FIELDS_REFUSED, 404)
  cancel(@Param('ws') ws: string, @IdParam('pool', 'Pool') pool: string, @IdParam('job', 'Import') job: string): Promise<ImportJobResponse> {
    return this.imports.cancel({ workspaceId: ws, poolId: pool }, job);
  }
}
