import type { DataSourceOptions } from 'typeorm';
import { join } from 'node:path';
import { migrations } from './migrations';

/**
 * One description of the database for the app and the TypeORM CLI. Schema changes are
 * migrations only: `synchronize` stays off so no start can silently alter a table.
 */
export function dataSourceOptions(databaseUrl: string): DataSourceOptions {
  return {
    type: 'postgres',
    url: databaseUrl,
    entities: [join(__dirname, '..', '..', '**', '*.entity.{ts,js}')],
    migrations,
    migrationsRun: false,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: false,
    extra: { max: 20, connectionTimeoutMillis: 5000 },
  };
}
