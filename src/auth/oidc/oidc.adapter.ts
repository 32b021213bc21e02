import type { Adapter, AdapterPayload } from 'oidc-provider';
import { oidcProvider } from './load-oidc-provider';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/** Models oidc-provider looks up by id and then, in the same request, reads the grant of. */
const GRANT_BOUND = new Set(['RefreshToken', 'AuthorizationCode']);

/**
 * Grants read together with a token, waiting for the Grant lookup of the same request.
 * Keyed by the request's context, so nothing outlives the request that read it.
 */
const prefetchedGrants = new WeakMap<object, Map<string, AdapterPayload | undefined>>();

function requestContext(): object | undefined {
  return oidcProvider().Provider.ctx;
}

/**
 * The oidc-provider adapter of one workspace (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js):
 * every model in PostgreSQL, so sessions, codes and refresh tokens survive restarts and
 * are shared by replicas. `Client` is read-only, straight from the applications table.
 *
 * A refresh token or authorization code is read with its grant in one round trip; the
 * grant is handed to the Grant lookup that follows in the same request (and dropped if
 * the request saves, destroys or revokes that grant first).
 */
export function adapterFor(workspaceId: string, store: OidcPayloadsRepository, clients: ClientLookup) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Grant') forgetPrefetched(id);
      await store.upsert(workspaceId, this.model, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients(id);
      if (this.model === 'Grant') {
        const prefetched = takePrefetched(id);
        if (prefetched) return prefetched.payload;
      }
      if (GRANT_BOUND.has(this.model)) {
        const ctx = requestContext();
        if (ctx) {
          const found = await store.findWithGrant(workspaceId, this.model, id);
          if (found && found.grant !== undefined) {
            let grants = prefetchedGrants.get(ctx);
            if (!grants) prefetchedGrants.set(ctx, (grants = new Map()));
            grants.set(found.payload.grantId as string, (found.grant ?? undefined) as AdapterPayload | undefined);
          }
          return found?.payload as AdapterPayload | undefined;
        }
      }
      return store.find(workspaceId, this.model, { id }) as Promise<AdapterPayload | undefined>;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      return store.find(workspaceId, this.model, { uid }) as Promise<AdapterPayload | undefined>;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      return store.find(workspaceId, this.model, { userCode }) as Promise<AdapterPayload | undefined>;
    }

    async consume(id: string): Promise<void> {
      await store.consume(workspaceId, this.model, id);
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Grant') forgetPrefetched(id);
      await store.destroy(workspaceId, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forgetPrefetched(grantId);
      await store.revokeByGrantId(workspaceId, grantId);
    }
  };
}

/** The grant prefetched in this request, once; undefined when there is none. */
function takePrefetched(grantId: string): { payload: AdapterPayload | undefined } | undefined {
  const ctx = requestContext();
  const grants = ctx && prefetchedGrants.get(ctx);
  if (!grants?.has(grantId)) return undefined;
  const payload = grants.get(grantId);
  grants.delete(grantId);
  return { payload };
}

function forgetPrefetched(grantId: string): void {
  const ctx = requestContext();
  if (ctx) prefetchedGrants.get(ctx)?.delete(grantId);
}
