import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { AppError } from '../problem/app-error';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { redisNamespace } from '../redis/namespace';
import { REDIS } from '../redis/redis.module';

export interface Limit {
  /** Counter name, e.g. `signin:ip:203.0.113.7`. */
  key: string;
  max: number;
  windowSeconds: number;
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'Too many requests', `Too many attempts. Retry in ${retryAfterSeconds} seconds.`, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}


/**
 * Fixed-window counters in Redis, shared by every api replica. When Redis is away the
 * limiter lets requests through (and says so in the log): lockout in PostgreSQL still
 * protects accounts, and sign-in stays available.
 */
@Injectable()
export class RateLimiter {
  private readonly logger = new Logger(RateLimiter.name);

  private readonly prefix: string;

  constructor(
    @Inject(REDIS) private readonly redis: Redis,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.prefix = `${redisNamespace(config.databaseUrl)}:ratelimit:`;
  }

  /** Throws RateLimitedError when any of the counters has reached its limit; counts nothing. */
  async assertBelow(limits: Limit[]): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const limit of limits) pipeline.get(this.prefix + limit.key).ttl(this.prefix + limit.key);
      const results = (await pipeline.exec()) ?? [];
      limits.forEach((limit, index) => {
        const count = Number(results[index * 2]?.[1] ?? 0);
        const ttl = Number(results[index * 2 + 1]?.[1] ?? -1);
        if (count >= limit.max) throw new RateLimitedError(ttl > 0 ? ttl : limit.windowSeconds);
      });
    } catch (error) {
      if (error instanceof RateLimitedError) throw error;
      this.logger.warn({ err: (error as Error).message }, 'Rate limits not checked: Redis unavailable');
    }
  }

  /** Adds one to each counter, starting its window on the first hit. */
  async hit(limits: Limit[]): Promise<void> {
    try {
      const pipeline = this.redis.pipeline();
      for (const limit of limits) pipeline.incr(this.prefix + limit.key).expire(this.prefix + limit.key, limit.windowSeconds, 'NX');
      await pipeline.exec();
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Rate limit not counted: Redis unavailable');
    }
  }

  /** Counts the request and refuses it once the limit is passed (for limits on every request). */
  async consume(limits: Limit[]): Promise<void> {
    await this.assertBelow(limits);
    await this.hit(limits);
  }
}
