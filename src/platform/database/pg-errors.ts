import { QueryFailedError, QueryRunnerAlreadyReleasedError, QueryRunnerProviderAlreadyReleasedError } from 'typeorm';

interface PgDriverError {
  code?: string;
  constraint?: string;
}

function driverError(error: unknown): PgDriverError | null {
  if (error instanceof QueryFailedError) return error.driverError as PgDriverError;
  return null;
}

/** The name of the unique constraint the error violated, or null for any other error. */
export function uniqueViolation(error: unknown): string | null {
  const pg = driverError(error);
  return pg?.code === '23505' ? (pg.constraint ?? '') : null;
}

/** The name of the foreign key the error violated, or null for any other error. */
export function foreignKeyViolation(error: unknown): string | null {
  const pg = driverError(error);
  return pg?.code === '23503' ? (pg.constraint ?? '') : null;
}

/** PostgreSQL chose this transaction as the victim of a deadlock (40P01); retrying it is the remedy. */
export function isDeadlock(error: unknown): boolean {
  return driverError(error)?.code === '40P01';
}

/** What a client is told to wait (Retry-After) after PostgreSQL refused or dropped its request: a restart takes a few seconds. */
export const RETRY_AFTER_LOST_CONNECTION_SECONDS = 5;

/** Server codes of a connection cut or refused: class 08, shutdown or restart (57P01–57P03), too many connections. */
const LOST_CONNECTION_CODES = /^(08...|57P0[123]|53300)$/;
/** Socket errors of the driver (its own, or Node's) when PostgreSQL is gone or unreachable. */
const LOST_CONNECTION_ERRORS = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);
const LOST_CONNECTION_MESSAGES = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed and is not queryable)/;

/**
 * The statement failed because PostgreSQL could not be reached or dropped the connection (a restart, a failover,
 * a proxy), not because of the statement: the same request is likely to succeed a moment later.
 */
export function isConnectionLost(error: unknown): boolean {
  // TypeORM gives up a transaction's connection when it reports an error between two statements (or before COMMIT).
  if (error instanceof QueryRunnerProviderAlreadyReleasedError || error instanceof QueryRunnerAlreadyReleasedError) return true;
  const cause: unknown = error instanceof QueryFailedError ? error.driverError : error;
  if (!(cause instanceof Error)) return false;
  const code = (cause as { code?: unknown }).code;
  if (typeof code === 'string' && (LOST_CONNECTION_CODES.test(code) || LOST_CONNECTION_ERRORS.has(code))) return true;
  return LOST_CONNECTION_MESSAGES.test(cause.message);
}
