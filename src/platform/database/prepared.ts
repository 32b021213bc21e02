import { createHash } from 'node:crypto';
import type { Pool } from 'pg';
import { DataSource, QueryFailedError } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver';

const names = new Map<string, string>();

function statementName(text: string): string {
  let name = names.get(text);
  if (!name) names.set(text, (name = `p_${createHash('sha256').update(text).digest('hex').slice(0, 24)}`));
  return name;
}

/**
 * Runs one statement of a hot path (every sign-in and token request goes through a
 * handful) as a named prepared statement on TypeORM's own pg pool: each connection
 * parses and plans it once instead of at every call, which halves PostgreSQL's CPU per
 * statement or better, and the ORM's query runner is skipped. The text must be a
 * constant (its name is derived from it); outside transactions only. Errors are thrown
 * as TypeORM's QueryFailedError, as from `repository.query`.
 */
export function preparedQuery<T = unknown>(dataSource: DataSource, text: string, values: unknown[], options: { serial?: { rowsAtMost: number } } = {}): Promise<T[]> {
  // A non-zero fetch count keeps PostgreSQL from planning the statement in parallel: for
  // a query of a few milliseconds, starting workers costs more than it saves (5-7 ms per
  // user search at a million users). Set above the rows the statement can return, one
  // fetch still gets them all.
  const rows = options.serial && options.serial.rowsAtMost + 1;
  return poolQuery<T>(dataSource, { name: statementName(text), text, values, ...(rows && { rows }) });
}

/**
 * The same path without a prepared statement, for hot statements whose text varies or
 * whose best plan depends on the values (a search prefix, a group's size): planned at
 * each call, but still without the ORM's query runner.
 */
export function unpreparedQuery<T = unknown>(dataSource: DataSource, text: string, values: unknown[]): Promise<T[]> {
  return poolQuery<T>(dataSource, { text, values });
}

async function poolQuery<T>(dataSource: DataSource, query: { name?: string; text: string; values: unknown[]; rows?: number }): Promise<T[]> {
  const pool = (dataSource.driver as PostgresDriver).master as Pool;
  try {
    return (await pool.query(query)).rows as T[];
  } catch (error) {
    throw new QueryFailedError(query.text, query.values, error as Error);
  }
}
