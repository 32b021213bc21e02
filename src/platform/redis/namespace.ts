/**
 * Redis keys (queues, counters) are namespaced by the database they belong to, so
 * deployments or test runs that share a Redis never see each other's jobs or limits.
 * The braces make it a Redis Cluster hash tag, so a namespace's keys share one slot as
 * BullMQ requires.
 */
export function redisNamespace(databaseUrl: string): string {
  const database = decodeURIComponent(new URL(databaseUrl).pathname.slice(1)) || 'postgres';
  return `ip:{${database}}`;
}
