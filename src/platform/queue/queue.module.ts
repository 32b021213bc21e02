import { BullModule } from '@nestjs/bullmq';
import { Global, Module } from '@nestjs/common';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/**
 * BullMQ over REDIS_URL. Redis holds only queue state: every job names a PostgreSQL row
 * that is the truth, so a flushed Redis delays work (the sweepers re-enqueue) but loses none.
 */
/**
 * Jobs name rows of one database, so queues are namespaced by it: deployments (or test
 * runs) sharing a Redis never take each other's jobs. The braces make it a Redis Cluster
 * hash tag, so each queue's keys share a slot as BullMQ requires.
 */
export function queuePrefix(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `ip:{${database}}`;
}

@Global()
@Module({
  imports: [
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
          prefix: queuePrefix(config.databaseUrl),
          defaultJobOptions: { removeOnComplete: { count: 1000 }, removeOnFail: false },
        };
      },
    }),
  ],
})
export class QueueModule {}
