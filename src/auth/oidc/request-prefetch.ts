import { oidcProvider } from './load-oidc-provider';

/**
 * Rows read ahead, in the same round trip as a token, for a lookup that follows in the
 * same request (the token's grant, its account). Keyed by oidc-provider's request
 * context, so nothing outlives the request that read it; each is taken at most once.
 */
const prefetched = new WeakMap<object, Map<string, unknown>>();

function requestContext(): object | undefined {
  return oidcProvider().Provider.ctx;
}

/** Keeps `value` for this request's next `takePrefetched(key)`; a no-op outside a request. */
export function prefetch(key: string, value: unknown): void {
  const ctx = requestContext();
  if (!ctx) return;
  let values = prefetched.get(ctx);
  if (!values) prefetched.set(ctx, (values = new Map()));
  values.set(key, value);
}

/** What this request prefetched under `key`, once; undefined when nothing was. */
export function takePrefetched<T>(key: string): { value: T } | undefined {
  const ctx = requestContext();
  const values = ctx && prefetched.get(ctx);
  if (!values?.has(key)) return undefined;
  const value = values.get(key) as T;
  values.delete(key);
  return { value };
}

/** Drops a prefetched value that a write in this request made stale. */
export function forgetPrefetched(key: string): void {
  const ctx = requestContext();
  if (ctx) prefetched.get(ctx)?.delete(key);
}

/** The key of a token's grant (the adapter's Grant lookup). */
export function grantKey(grantId: string): string {
  return `grant:${grantId}`;
}

/** The key of a token's account (findAccount, accounts.ts). */
export function accountKey(accountId: string): string {
  return `account:${accountId}`;
}
