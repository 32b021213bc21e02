import type { KoaContextWithOIDC } from 'oidc-provider';
import { isConnectionLost, RETRY_AFTER_LOST_CONNECTION_SECONDS } from '../../platform/database/pg-errors';

/** Requests of the issuer that failed because PostgreSQL went away (oidc-provider's server_error event names them). */
const failedOnDatabase = new WeakSet<KoaContextWithOIDC>();

/** For the provider's `server_error` event. */
export function noteDatabaseOutage(ctx: KoaContextWithOIDC, error: Error): void {
  if (isConnectionLost(error)) failedOnDatabase.add(ctx);
}

export const DATABASE_OUTAGE_DESCRIPTION = `the service cannot reach its database for the moment; retry in ${RETRY_AFTER_LOST_CONNECTION_SECONDS} seconds`;

/**
 * oidc-provider answers any unexpected error with 500 `server_error`. A database restart or failover is not a bug
 * and the same request will work shortly, so, as the management API does, it becomes 503 with Retry-After
 * (`temporarily_unavailable`, RFC 6749 §4.1.2.1).
 */
export async function unavailableDuringDatabaseOutage(ctx: KoaContextWithOIDC, next: () => Promise<void>): Promise<void> {
  await next();
  if (!failedOnDatabase.has(ctx)) return;
  ctx.status = 503;
  ctx.set('Retry-After', String(RETRY_AFTER_LOST_CONNECTION_SECONDS));
  const body = ctx.body as { error?: string } | undefined;
  if (body?.error === 'server_error') ctx.body = { error: 'temporarily_unavailable', error_description: DATABASE_OUTAGE_DESCRIPTION };
}
