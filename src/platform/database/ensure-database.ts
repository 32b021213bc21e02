import { Client } from 'pg';
import { redactUrl } from '../config/config';

/** Thrown when PostgreSQL cannot be reached; main prints it as one line and exits. */
export class DatabaseUnavailableError extends Error {}

function describe(error: unknown, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const where = `${url.hostname}:${url.port || 5432}`;
  const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  return `Cannot reach PostgreSQL at ${where} (${reason}). Start PostgreSQL or set DATABASE_URL (now ${redactUrl(databaseUrl)}).`;
}

/**
 * Creates the database named in DATABASE_URL when it does not exist yet, so a fresh
 * machine needs no manual step. Gives up after a few seconds with a message that says
 * what to start.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, '')) || 'postgres';
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new Client({ connectionString: admin.toString(), connectionTimeoutMillis: 3000 });
  try {
    await client.connect();
  } catch (error) {
    throw new DatabaseUnavailableError(describe(error, databaseUrl));
  }
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        // 42P04: another replica created it between our check and our CREATE.
        if (error.code !== '42P04') throw error;
      });
    }
  } finally {
    await client.end();
  }
}
