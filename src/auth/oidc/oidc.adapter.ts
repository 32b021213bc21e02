import type { Adapter, AdapterPayload } from 'oidc-provider';
import { unstorableText } from '../../platform/text/storable-text';
import { oidcProvider } from './load-oidc-provider';
import { OidcPayloadsRepository } from './oidc-payloads.repository';
import { accountKey, forgetPrefetched, grantKey, prefetch, takePrefetched } from './request-prefetch';

type ClientLookup = (clientId: string) => Promise<AdapterPayload | undefined>;

/** Models oidc-provider looks up by id and then, in the same request, reads the grant and the account of. */
const GRANT_BOUND = new Set(['RefreshToken', 'AuthorizationCode']);

/**
 * The oidc-provider adapter of one workspace (https://github.com/panva/node-oidc-provider/blob/main/example/my_adapter.js):
 * every model in PostgreSQL, so sessions, codes and refresh tokens survive restarts and
 * are shared by replicas. `Client` is read-only, straight from the applications table.
 *
 * A refresh token or authorization code is read with its grant and its account in one
 * round trip; they are handed to the Grant lookup and to findAccount that follow in the
 * same request (the grant dropped if the request saves, destroys or revokes it first).
 *
 * Ids, uids and user codes come straight from requests. One PostgreSQL cannot store
 * (a NUL, say) was never saved, so it is unknown without asking: the query would fail,
 * and oidc-provider would answer 500 instead of what an unknown id gets.
 */
export function adapterFor(workspaceId: string, store: OidcPayloadsRepository, clients: ClientLookup) {
  return class PostgresAdapter implements Adapter {
    constructor(private readonly model: string) {}

    async upsert(id: string, payload: AdapterPayload, expiresIn: number): Promise<void> {
      if (this.model === 'Grant') forgetPrefetched(grantKey(id));
      await store.upsert(workspaceId, this.model, id, payload as Record<string, unknown>, expiresIn);
    }

    async find(id: string): Promise<AdapterPayload | undefined> {
      if (unstorableText(id)) return undefined;
      if (this.model === 'Client') return clients(id);
      if (this.model === 'Grant') {
        const prefetched = takePrefetched<AdapterPayload | undefined>(grantKey(id));
        if (prefetched) return prefetched.value;
      }
      if (GRANT_BOUND.has(this.model) && oidcProvider().Provider.ctx) {
        const found = await store.findWithGrantAndAccount(workspaceId, this.model, id);
        if (found?.grant !== undefined) prefetch(grantKey(found.payload.grantId as string), found.grant ?? undefined);
        if (found?.account !== undefined) prefetch(accountKey(found.payload.accountId as string), found.account);
        return found?.payload as AdapterPayload | undefined;
      }
      return store.find(workspaceId, this.model, { id }) as Promise<AdapterPayload | undefined>;
    }

    async findByUid(uid: string): Promise<AdapterPayload | undefined> {
      if (unstorableText(uid)) return undefined;
      return store.find(workspaceId, this.model, { uid }) as Promise<AdapterPayload | undefined>;
    }

    async findByUserCode(userCode: string): Promise<AdapterPayload | undefined> {
      if (unstorableText(userCode)) return undefined;
      return store.find(workspaceId, this.model, { userCode }) as Promise<AdapterPayload | undefined>;
    }

    /**
     * oidc-provider checks that a refresh token or code is unspent, then spends it: two
     * requests with the same one could both pass the check. The spending is conditional,
     * so only one gets through; for the other it counts as reuse, as oidc-provider treats
     * a spent token: the grant and everything issued under it are revoked.
     */
    async consume(id: string): Promise<void> {
      if ((await store.consume(workspaceId, this.model, id)) || !GRANT_BOUND.has(this.model)) return;
      const spent = await store.find(workspaceId, this.model, { id });
      if (typeof spent?.grantId === 'string') {
        forgetPrefetched(grantKey(spent.grantId));
        await store.revokeGrant(workspaceId, spent.grantId);
      }
      throw new (oidcProvider().errors.InvalidGrant)(`${this.model === 'RefreshToken' ? 'refresh token' : 'authorization code'} already used`);
    }

    async destroy(id: string): Promise<void> {
      if (this.model === 'Grant') forgetPrefetched(grantKey(id));
      await store.destroy(workspaceId, this.model, id);
    }

    async revokeByGrantId(grantId: string): Promise<void> {
      forgetPrefetched(grantKey(grantId));
      await store.revokeByGrantId(workspaceId, grantId);
    }
  };
}
