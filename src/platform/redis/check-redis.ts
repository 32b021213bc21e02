import Redis from 'ioredis';
import { redactUrl } from '../config/config';

export class RedisUnavailableError extends Error {}

/** Fails within seconds, with what to start, when Redis does not answer at boot. */
export async function checkRedis(redisUrl: string): Promise<void> {
  const client = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 3000, maxRetriesPerRequest: 0, retryStrategy: () => null });
  // ioredis rejects connect() with a bare "Connection is closed."; the socket's own error (ECONNREFUSED…) comes as an event.
  let socketError: NodeJS.ErrnoException | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => (socketError ??= error));
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    const url = new URL(redisUrl);
    const cause = socketError ?? (error as NodeJS.ErrnoException);
    const reason = cause.code ?? cause.message;
    throw new RedisUnavailableError(
      `Cannot reach Redis at ${url.hostname}:${url.port || 6379} (${reason}). Start Redis or set REDIS_URL (now ${redactUrl(redisUrl)}).`,
    );
  } finally {
    client.disconnect();
  }
}
