import { AppConfig } from './config/config';
import { ensureDatabase } from './database/ensure-database';
import { checkRedis } from './redis/check-redis';

/**
 * PostgreSQL (its database created when missing) and Redis, checked before the
 * application's modules are loaded: loading them takes seconds on a busy machine, and a
 * service that cannot start must say what to start or set at once.
 */
export async function checkDependencies(config: Pick<AppConfig, 'databaseUrl' | 'redisUrl'>): Promise<void> {
  await Promise.all([ensureDatabase(config.databaseUrl), checkRedis(config.redisUrl)]);
}
