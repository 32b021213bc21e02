import { Client, DatabaseError } from 'pg';
import { redactUrl } from '../config/config';

/** Thrown when PostgreSQL cannot be reached or refuses us; main prints it as one line and exits. */
export class DatabaseUnavailableError extends Error {}

/** SQLSTATE 3D000: the database named in the connection does not exist. */
const NO_SUCH_DATABASE = '3D000';

function describe(error: unknown, databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const where = `${url.hostname}:${url.port || 5432}`;
  const now = `(now ${redactUrl(databaseUrl)})`;
  if (error instanceof DatabaseError) {
    // PostgreSQL runs and said no (unknown role, wrong password, no CREATE DATABASE right):
    // its own words say which, and starting it again would not help.
    return `PostgreSQL at ${where} refused: ${error.message}. Check the user, password and database in DATABASE_URL ${now}.`;
  }
  const reason = error instanceof Error ? ((error as NodeJS.ErrnoException).code ?? error.message) : String(error);
  return `Cannot reach PostgreSQL at ${where} (${reason}). Start PostgreSQL or set DATABASE_URL ${now}.`;
}

async function withClient(connectionString: string, work: (client: Client) => Promise<void>): Promise<void> {
  const client = new Client({ connectionString, connectionTimeoutMillis: 3000 });
  await client.connect();
  try {
    await work(client);
  } finally {
    await client.end();
  }
}

/**
 * Creates the database named in DATABASE_URL when it does not exist yet, so a fresh
 * machine needs no manual step. The database itself is tried first: a hosted PostgreSQL
 * may not let the service's user into the maintenance database, and needs no creating.
 * Gives up after a few seconds with a message that says what to start or fix.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  try {
    await withClient(databaseUrl, async () => undefined);
    return;
  } catch (error) {
    if (!(error instanceof DatabaseError) || error.code !== NO_SUCH_DATABASE) throw new DatabaseUnavailableError(describe(error, databaseUrl));
  }
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  const maintenance = new URL(databaseUrl);
  maintenance.pathname = '/postgres';
  await withClient(maintenance.toString(), async (client) => {
    await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
      // 42P04: another replica created it between our check and our CREATE.
      if (error.code !== '42P04') throw error;
    });
  }).catch((error: unknown) => {
    throw new DatabaseUnavailableError(describe(error, databaseUrl));
  });
}
