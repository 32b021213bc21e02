import { Global, Inject, Logger, Module, OnApplicationShutdown } from '@nestjs/common';
import Redis from 'ioredis';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { connectionErrorReason, OutageLatch } from './outage-latch';

export const REDIS = Symbol('REDIS');

/**
 * Without an 'error' listener ioredis prints every failed reconnect, with a stack, to
 * stderr. One warning when Redis goes away and one line when it is back say the same
 * (and /health/ready reports the outage meanwhile).
 */
function watchOutages(redis: Redis): Redis {
  const logger = new Logger('Redis');
  const outage = new OutageLatch({
    lost: (error) => logger.warn(`Redis is unreachable (${connectionErrorReason(error)}); reconnecting`),
    back: () => logger.log('Redis is reachable again'),
  });
  redis.on('error', (error: NodeJS.ErrnoException) => outage.lost(error));
  redis.on('ready', () => {
    // From the first connection on, a command while Redis is away fails at once instead of
    // waiting in ioredis's queue for a reconnect: a sign-in or a readiness probe answers
    // now (limits uncounted, 503) rather than seconds later. Off only after the first
    // connection, so what runs during start-up is not refused.
    redis.options.enableOfflineQueue = false;
    outage.back();
  });
  return redis;
}

/** One shared connection for counters and health; queues open their own. */
@Global()
@Module({
  providers: [
    {
      provide: REDIS,
      inject: [APP_CONFIG],
      // One retry per command: callers (health, rate limits) want a fast answer, not a hang, while Redis is away.
      useFactory: (config: AppConfig) => watchOutages(new Redis(config.redisUrl, { maxRetriesPerRequest: 1, connectTimeout: 3000, lazyConnect: false })),
    },
  ],
  exports: [REDIS],
})
export class RedisModule implements OnApplicationShutdown {
  constructor(@Inject(REDIS) private readonly redis: Redis) {}

  async onApplicationShutdown(): Promise<void> {
    await this.redis.quit().catch(() => this.redis.disconnect());
  }
}
