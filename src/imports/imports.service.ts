import { Inject, Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { mapPage, Page, PageQuery } from '../platform/pagination/page';
import { decodeLineCursor, encodeLineCursor } from './line-cursor';
import { PoolsService } from '../pools/pools.service';
import { ByteLimit, UploadTooLargeError } from './byte-limit';
import { ImportErrorResponse, ImportErrorsQuery, ImportJobResponse, ImportOptionsDto, JsonImportDto, JsonImportOptionsDto } from './dto/import.dto';
import { ImportJob, ImportOptions } from './import-job.entity';
import { ImportJobsRepository } from './import-jobs.repository';
import { EmptyNdjsonImportError, ImportNotFoundError, NdjsonNotUtf8Error, QueryOptionsWithJsonError, TooManyJsonRecordsError, UploadTooLargeProblem } from './imports.errors';
import { ImportsProducer } from './imports.queue';
import { NdjsonToCopy, NotUtf8UploadError, recordsToCopy } from './ndjson-to-copy';

type Scope = { workspaceId: string; poolId: string };

export const MAX_JSON_RECORDS = 10_000;

/**
 * Bulk migrations: the upload is staged in PostgreSQL (COPY, streamed) before the 202,
 * then a worker imports it. Uploads of any size pass through in constant memory.
 */
@Injectable()
export class ImportsService {
  constructor(
    private readonly repository: ImportJobsRepository,
    private readonly pools: PoolsService,
    private readonly producer: ImportsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /** `queryOptions`: the query parameters, which a JSON upload must leave out (its options are in `dto`). */
  async createFromJson(scope: Scope, dto: JsonImportDto, queryOptions: ImportOptionsDto): Promise<ImportJobResponse> {
    const inQuery = Object.entries(queryOptions).flatMap(([name, value]) => (value === undefined ? [] : [name]));
    if (inQuery.length) throw new QueryOptionsWithJsonError(inQuery.sort());
    await this.pools.rules(scope.workspaceId, scope.poolId);
    if (dto.users.length > MAX_JSON_RECORDS) throw new TooManyJsonRecordsError(MAX_JSON_RECORDS, dto.users.length);
    return this.stage(scope, dto.options, async (copy, jobId) => {
      await pipeline(Readable.from(recordsToCopy(jobId, dto.users)), copy);
      return dto.users.length;
    });
  }

  async createFromNdjson(scope: Scope, options: ImportOptionsDto, req: Request): Promise<ImportJobResponse> {
    await this.pools.rules(scope.workspaceId, scope.poolId);
    const maxBytes = this.config.imports.maxUploadBytes;
    if (Number(req.headers['content-length'] ?? 0) > maxBytes) throw new UploadTooLargeProblem(maxBytes);
    const charset = charsetOf(req.headers['content-type']);
    if (charset && !UTF8_CHARSETS.has(charset)) throw new NdjsonNotUtf8Error(`declared as ${charset}`);
    try {
      return await this.stage(scope, options, async (copy, jobId) => {
        const lines = new NdjsonToCopy(jobId);
        await pipeline(req, new ByteLimit(maxBytes), lines, copy);
        if (!lines.records) throw new EmptyNdjsonImportError();
        return lines.records;
      });
    } catch (error) {
      if (error instanceof UploadTooLargeError) throw new UploadTooLargeProblem(maxBytes);
      if (error instanceof NotUtf8UploadError) throw new NdjsonNotUtf8Error('UTF-16 (it starts with a UTF-16 byte order mark)');
      throw error;
    }
  }

  async get(scope: Scope, id: string): Promise<ImportJobResponse> {
    return toResponse(await this.require(scope, id));
  }

  async list(scope: Scope, query: PageQuery): Promise<Page<ImportJobResponse>> {
    await this.pools.rules(scope.workspaceId, scope.poolId);
    return mapPage(await this.repository.list(scope, query), toResponse);
  }

  /** Errors in line order; the cursor is the last line seen. */
  async errors(scope: Scope, id: string, query: ImportErrorsQuery): Promise<Page<ImportErrorResponse>> {
    await this.require(scope, id);
    const limit = query.limit ?? 50;
    const rows = await this.repository.errors(id, query.cursor ? decodeLineCursor(query.cursor) : 0, limit + 1);
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? encodeLineCursor(items[items.length - 1].line) : null };
  }

  /** Idempotent: an import that already ended (cancelled, completed or failed) is answered as it is. */
  async cancel(scope: Scope, id: string): Promise<ImportJobResponse> {
    const status = await this.repository.requestCancel(scope, id);
    if (status === null) throw new ImportNotFoundError();
    // No worker will read the upload of an import cancelled before it started.
    if (status === 'cancelled') await this.repository.dropStaging(id);
    return this.get(scope, id);
  }

  private async stage(scope: Scope, dto: JsonImportOptionsDto | undefined, write: (copy: Writable, jobId: string) => Promise<number>): Promise<ImportJobResponse> {
    const options: ImportOptions = { onConflict: dto?.onConflict ?? 'skip', sendInvitations: dto?.sendInvitations ?? false };
    const id = await this.repository.createStaged(scope, options, write);
    await this.producer.enqueue([id]);
    return this.get(scope, id);
  }

  private async require(scope: Scope, id: string): Promise<ImportJob> {
    const job = await this.repository.find(scope, id);
    if (!job) throw new ImportNotFoundError();
    return job;
  }
}

/** Charsets whose bytes are UTF-8 (ASCII is a subset). */
const UTF8_CHARSETS = new Set(['utf-8', 'utf8', 'us-ascii', 'ascii']);

/** The `charset` parameter of a Content-Type, lower-cased, or null when there is none. */
function charsetOf(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)"?/i.exec(contentType ?? '');
  return match ? match[1].toLowerCase() : null;
}

function toResponse(job: ImportJob): ImportJobResponse {
  return {
    id: job.id,
    poolId: job.poolId,
    status: job.status,
    total: job.total,
    processed: job.processed,
    created: job.created,
    updated: job.updated,
    skipped: job.skipped,
    failed: job.failed,
    options: job.options,
    cancelRequested: job.cancelRequested,
    error: job.error,
    createdAt: job.createdAt.toISOString(),
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
  };
}
