import { applyDecorators } from '@nestjs/common';
import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsOptional, IsString, Max, Min, ValidateBy } from 'class-validator';
import { MaxLength } from '../http/char-length';
import { EmptyAsAbsent } from '../http/optional';
import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';
import { ValidationFailedError } from '../problem/app-error';
import { isUuid } from '../ids/uuid';

export const NOT_ISSUED = 'cursor is not one this API issued; start again without it';

// Decorated by hand: the OpenAPI plugin reads only *.dto.ts and *.response.ts files.
/** The page size; each list adds the `cursor` its order needs (CursorField). */
export class PageLimitQuery {
  @ApiPropertyOptional({ description: 'Page size.', minimum: 1, maximum: 200, default: 50, example: 50 })
  @IsOptional()
  @EmptyAsAbsent()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;
}

/**
 * The `cursor` query field: the previous page's `nextCursor`. `read` tells whether this
 * API issued it (null when not), so one 400 names it with the query's other bad fields.
 */
export function CursorField(read: (cursor: string) => unknown): PropertyDecorator {
  return applyDecorators(
    ApiPropertyOptional({ description: "Opaque cursor: the previous page's `nextCursor`, to get the next page." }),
    IsOptional(),
    EmptyAsAbsent(),
    IsString(),
    MaxLength(200),
    ValidateBy({ name: 'isIssuedCursor', validator: { validate: (value) => typeof value !== 'string' || read(value) !== null, defaultMessage: () => NOT_ISSUED } }),
  );
}

/** Lists in creation order (paginate). */
export class PageQuery extends PageLimitQuery {
  @CursorField((cursor) => readCursor(cursor))
  cursor?: string;
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

interface Position {
  createdAt: Date;
  id: string;
}

const DEFAULT_LIMIT = 50;

export function encodeCursor({ createdAt, id }: Position): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

const ISO_MS = /^(?!0000)\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

export function decodeCursor(cursor: string): Position {
  const position = readCursor(cursor);
  if (!position) throw new ValidationFailedError([{ field: 'cursor', message: NOT_ISSUED }]);
  return position;
}

function readCursor(cursor: string): Position | null {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Exactly what encodeCursor writes: PostgreSQL refuses some dates JavaScript accepts (a 500, not a 400).
    const date = new Date(typeof createdAt === 'string' && ISO_MS.test(createdAt) ? createdAt : NaN);
    if (typeof id !== 'string' || !isUuid(id) || Number.isNaN(date.getTime()) || date.toISOString() !== createdAt) return null;
    return { createdAt: date, id };
  } catch {
    return null;
  }
}

/**
 * Keyset pagination over (created_at, id): no OFFSET, so page 10,000 costs what page 1
 * costs, and rows inserted meanwhile never shift a page. created_at is stored to the
 * millisecond, the precision a JS Date keeps in the cursor.
 */
export async function paginate<E extends ObjectLiteral & Position>(
  qb: SelectQueryBuilder<E>,
  query: PageQuery,
): Promise<Page<E>> {
  const alias = qb.alias;
  const limit = query.limit ?? DEFAULT_LIMIT;
  if (query.cursor) {
    const after = decodeCursor(query.cursor);
    qb.andWhere(`(${alias}.created_at, ${alias}.id) > (:afterCreatedAt, :afterId)`, {
      afterCreatedAt: after.createdAt,
      afterId: after.id,
    });
  }
  const rows = await qb
    .orderBy(`${alias}.created_at`, 'ASC')
    .addOrderBy(`${alias}.id`, 'ASC')
    .limit(limit + 1)
    .getMany();
  const items = rows.slice(0, limit);
  const nextCursor = rows.length > limit ? encodeCursor(items[items.length - 1]) : null;
  return { items, nextCursor };
}

export function mapPage<E, R>(page: Page<E>, map: (item: E) => R): Page<R> {
  return { items: page.items.map(map), nextCursor: page.nextCursor };
}
