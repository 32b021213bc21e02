import { QueryFailedError } from 'typeorm';

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
