import { ValidationFailedError } from '../platform/problem/app-error';
import { NOT_ISSUED } from '../platform/pagination/page';

/** Line numbers are a PostgreSQL integer, so no cursor we issue points past this. */
const MAX_LINE = 2 ** 31 - 1;

/** An import's errors are paged in line order: the cursor is the last line seen. */
export function encodeLineCursor(line: number): string {
  return Buffer.from(JSON.stringify({ line })).toString('base64url');
}

/** The line a cursor names, or null when this API did not issue it. */
export function readLineCursor(cursor: string): number | null {
  try {
    const { line } = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    return Number.isInteger(line) && line >= 0 && line <= MAX_LINE ? line : null;
  } catch {
    return null;
  }
}

export function decodeLineCursor(cursor: string): number {
  const line = readLineCursor(cursor);
  if (line === null) throw new ValidationFailedError([{ field: 'cursor', message: NOT_ISSUED }]);
  return line;
}
