import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { redisNamespace } from '../redis/namespace';
import { QueueErrorLog } from './queue-error-log';
import { WorkersShutdown } from './workers-shutdown';

/**
 * BullMQ over REDIS_URL. Redis holds only queue state: every job names a PostgreSQL row
 * that is the truth, so a flushed Redis delays work (the sweepers re-enqueue) but loses none.
 */
@Global()
@Module({
  imports: [
    DiscoveryModule,
    BullModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => {
        const url = new URL(config.redisUrl);
        return {
          connection: {
            host: url.hostname,
            port: Number(url.port || 6379),
            username: url.username || undefined,
            password: url.password ? decodeURIComponent(url.password) : undefined,
            db: url.pathname.length > 1 ? Number(url.pathname.slice(1)) : undefined,
            tls: url.protocol === 'rediss:' ? {} : undefined,
            // Workers block on Redis; BullMQ requires unlimited retries per command.
            maxRetriesPerRequest: null,
          },
          prefix: redisNamespace(config.databaseUrl),
          defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: false },
        };
      },
    }),
  ],
  providers: [WorkersShutdown, QueueErrorLog],
})
export class QueueModule {}
