import { createServer } from 'node:net';
import { AppConfig } from './config/config';
import { ensureDatabase } from './database/ensure-database';
import { checkRedis } from './redis/check-redis';

/** The HTTP port is taken by another process. */
export class PortInUseError extends Error {
  constructor(port: number) {
    super(`Port ${port} is already in use. Stop the process that holds it, or set PORT to a free port.`);
  }
}

/**
 * What the start needs, checked before the application's modules are loaded: PostgreSQL
 * (its database created when missing), Redis and the HTTP port. Loading the modules takes
 * seconds on a busy machine, and a service that cannot start must say what to start or set
 * at once, as its only line: a taken port found by Nest's own listen came after a page of
 * start-up lines and Nest's raw error.
 */
export async function checkDependencies(config: Pick<AppConfig, 'databaseUrl' | 'redisUrl' | 'port'>): Promise<void> {
  await Promise.all([ensureDatabase(config.databaseUrl), checkRedis(config.redisUrl), checkPortFree(config.port)]);
}

/** Listens on the port as Nest will (every address), and lets it go at once. */
function checkPortFree(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new PortInUseError(port) : error));
    probe.listen(port, () => probe.close(() => resolve()));
  });
}
