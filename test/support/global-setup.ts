import { migrate } from '../../src/platform/database/migrate';
import { databaseUrl, dropDatabases, templateName, withAdmin } from './databases';

/**
 * Migrates once into a template database; every e2e file clones it
 * (CREATE DATABASE … TEMPLATE …), so files are isolated and start fast, and two runs
 * on one machine never share a database.
 */
export default async function globalSetup(): Promise<void> {
  const prefix = `ip_test_${Date.now().toString(36)}_${process.pid}`;
  process.env.IDENTITY_POOLS_TEST_RUN = prefix;
  await dropStaleRuns();
  const template = templateName(prefix);
  await withAdmin((client) => client.query(`CREATE DATABASE "${template}"`));
  await migrate(databaseUrl(template));
}

/** Databases of runs that were killed before their teardown, older than an hour. */
async function dropStaleRuns(): Promise<void> {
  const { rows } = await withAdmin((client) =>
    client.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE 'ip_test_%_template'`),
  );
  for (const { datname } of rows) {
    const started = parseInt(datname.split('_')[2], 36);
    if (Date.now() - started > 3_600_000) await dropDatabases(datname.replace(/_template$/, ''));
  }
}
