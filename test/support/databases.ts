import { Client } from 'pg';

/** The server the tests use; each run and each test file get their own database on it. */
export const TEST_SERVER_URL = process.env.TEST_DATABASE_SERVER_URL ?? 'postgres://postgres@127.0.0.1:5432';

export function databaseUrl(name: string): string {
  return `${TEST_SERVER_URL}/${name}`;
}

export async function withAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: databaseUrl('postgres') });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** This run's prefix, shared by globalSetup and the workers through the environment. */
export function runPrefix(): string {
  const prefix = process.env.IDENTITY_POOLS_TEST_RUN;
  if (!prefix) throw new Error('IDENTITY_POOLS_TEST_RUN is not set: run the tests through jest (npm test)');
  return prefix;
}

export function templateName(prefix = runPrefix()): string {
  return `${prefix}_template`;
}

export async function dropDatabases(prefix: string): Promise<void> {
  await withAdmin(async (client) => {
    const { rows } = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE datname LIKE $1', [`${prefix}%`]);
    for (const { datname } of rows) await client.query(`DROP DATABASE IF EXISTS "${datname}" WITH (FORCE)`);
  });
}
