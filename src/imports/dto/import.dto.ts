import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { ArrayNotEmpty, IsArray, IsBoolean, IsIn, IsObject, IsOptional, ValidateNested } from 'class-validator';
import { CursorField, PageLimitQuery } from '../../platform/pagination/page';
import { ImportRecord } from '../../users/dto/import-record.dto';
import { readLineCursor } from '../line-cursor';
import { ImportStatus } from '../import-job.entity';

/** The options of a JSON upload (its `options`); typed JSON, so `sendInvitations` must be a boolean. */
export class JsonImportOptionsDto {
  /** What to do with a record that matches an existing user (by externalId, then email); `skip` when left out. @example "skip" */
  @ApiPropertyOptional({ default: 'skip' })
  @IsOptional()
  @IsIn(['skip', 'update', 'fail'])
  onConflict?: 'skip' | 'update' | 'fail';

  /** Email an invitation to every imported user without a password or hash (false when left out). @example false */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  sendInvitations?: boolean;
}

/** The same options as query parameters of an NDJSON upload, where every value is text. */
export class ImportOptionsDto extends JsonImportOptionsDto {
  /** Email an invitation to every imported user without a password or hash (false when left out). @example false */
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  override sendInvitations?: boolean;
}

export class JsonImportDto {
  /**
   * Up to 10,000 records; send NDJSON for more.
   * @example [{"externalId": "crm-1", "email": "ada@example.com", "givenName": "Ada", "groups": ["admins"], "passwordHash": "$2b$10$MoXmc5lHMK.9dyvxfTnE2OaDvzxF0JEIJWX5Ve1OiJAPGinDah1k2"}]
   */
  @ApiProperty({ type: [ImportRecord], minItems: 1 })
  @IsArray()
  // A rule, not a check after validation, so that one 400 names it beside the body's other problems.
  @ArrayNotEmpty({ message: 'users must hold at least one record' })
  users: unknown[];

  @IsOptional()
  @IsObject()
  @ValidateNested()
  @Type(() => JsonImportOptionsDto)
  options?: JsonImportOptionsDto;
}

/** A named class, not an inline type: the document keeps no example of an inline object's fields. */
export class ImportJobOptionsResponse {
  /** @example "skip" */
  onConflict: 'skip' | 'update' | 'fail';
  /** @example false */
  sendInvitations: boolean;
}

export class ImportJobResponse {
  /** @example "1d2c3b4a-5f6e-4d7c-8b9a-0f1e2d3c4b5a" */
  id: string;
  /** @example "3b7e1f2a-9c4d-4e5f-8a6b-7c8d9e0f1a2b" */
  poolId: string;
  /** @example "running" */
  status: ImportStatus;
  /** Records in the upload. @example 1000000 */
  total: number;
  /** Records done so far; `created + updated + skipped + failed`. @example 250000 */
  processed: number;
  /** @example 249000 */
  created: number;
  /** @example 0 */
  updated: number;
  /** @example 600 */
  skipped: number;
  /** Records that could not be imported; see the errors list. @example 400 */
  failed: number;
  /** The options the upload was sent with, defaults filled in. */
  options: ImportJobOptionsResponse;
  /** A cancel was asked for: a running import stops at the end of its current chunk, then shows `cancelled`. @example false */
  cancelRequested: boolean;
  // The plugin drops a doc-comment `@example null`: a running job has neither error nor end yet.
  @ApiProperty({ type: 'string', nullable: true, example: null, description: 'Why the job failed, when it did.' })
  error: string | null;
  /** @example "2026-11-27T09:00:00.000Z" */
  createdAt: string;
  /** @example "2026-11-27T09:00:00.200Z" */
  startedAt: string | null;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, example: null })
  finishedAt: string | null;
}

export class ImportJobPageResponse {
  items: ImportJobResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}

export class ImportErrorResponse {
  /** Line of the NDJSON upload (record number of a JSON upload). @example 42 */
  line: number;
  /** The record's externalId, email or mobile — never a secret. @example "ada@example" */
  identifier: string | null;
  /** @example "invalid_record" */
  code: string;
  /** @example "email must be an email address" */
  message: string;
}

export class ImportErrorPageResponse {
  items: ImportErrorResponse[];
  /** @example "WyIyMDI2LTExLTI3VDA5OjAwOjAwLjAwMFoiLCI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiXQ" */
  nextCursor: string | null;
}

/** The errors of an import are paged in line order, with a cursor of their own. */
export class ImportErrorsQuery extends PageLimitQuery {
  @CursorField(readLineCursor)
  cursor?: string;
}
