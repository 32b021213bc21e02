// First: sizes libuv's thread pool before anything uses it (see platform/threadpool).
import './platform/threadpool/size-threadpool';
import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { ConfigError, loadConfig } from './platform/config/config';
import { checkDependencies, PortInUseError } from './platform/dependencies';
import { DatabaseUnavailableError } from './platform/database/ensure-database';
import { RedisUnavailableError } from './platform/redis/check-redis';

/** Problems the operator must fix; printed as one line, without a stack. */
const OPERATOR_ERRORS = [ConfigError, DatabaseUnavailableError, RedisUnavailableError, PortInUseError];

/** How long a graceful shutdown may take before the process exits anyway. */
const SHUTDOWN_DEADLINE_MS = 10_000;

/**
 * Graceful shutdown (see app.ts) closes connections politely; with Redis down, BullMQ
 * waits for it forever. A stop request must stop the process, so after the deadline it
 * exits with status 1.
 */
function exitAfterShutdownDeadline(logger: Logger): void {
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.log(`${signal} received: finishing requests and jobs in flight, then exiting`);
      setTimeout(() => {
        logger.warn(`Shutdown did not finish within ${SHUTDOWN_DEADLINE_MS / 1000} s (is Redis or PostgreSQL down?); exiting anyway`);
        process.exit(1);
      }, SHUTDOWN_DEADLINE_MS).unref();
    });
  }
}

async function main(): Promise<void> {
  const config = loadConfig();
  await checkDependencies(config);
  // Loaded after the config and the dependencies are checked, so what stops the start is reported in a blink, not after every module has loaded.
  const { createApp } = await import('./app');
  const app = await createApp(config);
  const logger = new Logger('Main');
  exitAfterShutdownDeadline(logger);
  // A worker listens too, answering only its health checks, so an orchestrator can probe it.
  // The port was free at the check; another process may have taken it since.
  await app.listen(config.port).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new PortInUseError(config.port) : error;
  });
  if (config.role === 'worker') logger.log(`Identity Pools worker started; health checks on port ${config.port} (/health/live, /health/ready)`);
  else logger.log(`Identity Pools (${config.role}) listening on port ${config.port}; public URL ${config.publicUrl}; API docs at ${config.publicUrl}/docs`);
  if (config.rootApiKeyGenerated) {
    // Printed once, on purpose and outside the log stream: outside production there is no other way to learn it.
    process.stdout.write(`\nROOT_API_KEY was not set; this start generated one (valid until the process stops):\n\n    ${config.rootApiKey}\n\n`);
  }
}

main().catch((error: unknown) => {
  if (OPERATOR_ERRORS.some((type) => error instanceof type)) {
    process.stderr.write(`identity-pools: ${(error as Error).message}\n`);
  } else {
    process.stderr.write(`identity-pools: failed to start: ${error instanceof Error ? error.stack : String(error)}\n`);
  }
  process.exit(1);
});
