import { Inject, Injectable, Logger } from '@nestjs/common';
import Redis from 'ioredis';
import { createHash } from 'node:crypto';
import { isIPv6 } from 'node:net';
import { AppError } from '../problem/app-error';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';
import { redisNamespace } from '../redis/namespace';
import { REDIS } from '../redis/redis.module';
import { pgLower } from '../text/pg-lower';
import { waitInWords } from '../text/wait-in-words';

export interface Limit {
  /** Counter name, e.g. `signin:ip:203.0.113.7`. */
  key: string;
  max: number;
  windowSeconds: number;
}

export class RateLimitedError extends AppError {
  constructor(readonly retryAfterSeconds: number) {
    super(429, 'Too many requests', `Too many attempts. Retry in ${waitInWords(retryAfterSeconds)}.`, undefined, {
      'Retry-After': String(retryAfterSeconds),
    });
  }
}

/** Decrements each counter that still exists. */
const RELEASE = `for _, key in ipairs(KEYS) do if redis.call('EXISTS', key) == 1 then redis.call('DECR', key) end end`;

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

  /**
   * Counts the request and refuses it once a limit is passed. Counting comes first, in
   * one atomic step, so requests arriving together cannot all slip under a limit they
   * pass together.
   */
  async consume(limits: Limit[]): Promise<void> {
    try {
      const transaction = this.redis.multi();
      for (const limit of limits) {
        const key = this.prefix + limit.key;
        transaction.incr(key).expire(key, limit.windowSeconds, 'NX').ttl(key);
      }
      const results = (await transaction.exec()) ?? [];
      const passed = limits.find((limit, index) => Number(results[index * 3]?.[1] ?? 0) > limit.max);
      if (passed) {
        const ttl = Number(results[limits.indexOf(passed) * 3 + 2]?.[1] ?? -1);
        // A refused request was never served: it does not count.
        await this.release(limits);
        throw new RateLimitedError(ttl > 0 ? ttl : passed.windowSeconds);
      }
    } catch (error) {
      if (error instanceof RateLimitedError) throw error;
      this.logger.warn({ err: (error as Error).message }, 'Rate limits not checked: Redis unavailable');
    }
  }

  /**
   * Gives back what consume() counted, for limits on failures: an attempt counts while it
   * is decided and is released when it succeeds. A window that ended meanwhile is left
   * alone (no key is made again without its expiry).
   */
  async release(limits: Limit[]): Promise<void> {
    try {
      await this.redis.eval(RELEASE, limits.length, ...limits.map((limit) => this.prefix + limit.key));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Rate limit not released: Redis unavailable');
    }
  }

  /** What these counters hold now (keys as in `Limit.key`; 0 when absent or Redis is away). */
  async counts(keys: string[]): Promise<number[]> {
    try {
      return (await this.redis.mget(...keys.map((key) => this.prefix + key))).map((value) => Number(value ?? 0));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Rate limits not read: Redis unavailable');
      return keys.map(() => 0);
    }
  }

  /** Starts these limits' windows afresh, with nothing counted (keys as in `Limit.key`). */
  async clear(keys: string[]): Promise<void> {
    if (!keys.length) return;
    try {
      await this.redis.del(...keys.map((key) => this.prefix + key));
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Rate limit not cleared: Redis unavailable');
    }
  }
}

/**
 * A person's identifier (email, mobile) as a limit key: trimmed and case-folded as the
 * database compares it, so every spelling of one account shares a count, and hashed so
 * Redis never holds the address.
 */
export function identifierKey(identifier: string): string {
  return createHash('sha256').update(pgLower(identifier.trim())).digest('base64url');
}

/**
 * The key counting failed sign-ins of one identifier of a workspace: the sign-in counts
 * there, and whoever lifts a lock (a reset, an accepted invitation, an admin) clears it.
 */
export function signInIdentifierKey(workspaceId: string, identifier: string): string {
  return `signin:identifier:${workspaceId}:${identifierKey(identifier)}`;
}

/**
 * The sign-in failure keys of a user's identifiers (those it has), for `clear`.
 */
export function signInFailureKeys(workspaceId: string, identifiers: (string | null)[]): string[] {
  return identifiers.filter((identifier): identifier is string => Boolean(identifier)).map((identifier) => signInIdentifierKey(workspaceId, identifier));
}

/**
 * A client address as a limit key. An IPv6 subscriber gets a whole /64 and picks any of
 * its addresses at will, so the network is what is counted; an IPv4 address (also as a
 * dual-stack socket shows it, ::ffff:a.b.c.d) counts on its own.
 */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1];
  if (!isIPv6(ip)) return ip;
  return `${ipv6Groups(ip).slice(0, 4).join(':')}::/64`;
}

/** The eight 16-bit groups of an IPv6 address, "::" expanded (a zone or an IPv4 tail only touch the last groups). */
function ipv6Groups(ip: string): string[] {
  const [head, tail] = ip.split('%')[0].split('::');
  const groups = (part?: string) => (part ? part.split(':').flatMap((group) => (group.includes('.') ? ['0', '0'] : [group])) : []);
  const [before, after] = [groups(head), groups(tail)];
  const filled = tail === undefined ? before : [...before, ...Array(8 - before.length - after.length).fill('0'), ...after];
  return filled.map((group) => parseInt(group, 16).toString(16));
}
