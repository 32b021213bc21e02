import type { Adapter, AdapterPayload } from 'oidc-provider';
import { OidcPayloadsRepository } from './oidc-payloads.repository';

type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/**
 * The oidc-provider adapter of one workspace (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js):
 * every model in PostgreSQL, so sessions, codes and refresh tokens survive restarts and
 * are shared by replicas. `Client` is read-only, straight from the applications table.
 */
export function adapterFor(workspaceId: string, store: OidcPayloadsRepository, clients: ClientLookup) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      await store.upsert(workspaceId, this.model, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (this.model === 'Client') return clients(id);
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
      await store.destroy(workspaceId, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      await store.revokeByGrantId(workspaceId, grantId);
    }
  };
}
