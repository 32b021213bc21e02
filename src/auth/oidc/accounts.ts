import type { Account, FindAccount, KoaContextWithOIDC } from 'oidc-provider';
import { GroupsService } from '../../groups/groups.service';
import { AccountRecord, tokenAccount } from '../../users/users.service';
import { AccountsRepository } from './accounts.repository';
import { Claims, profileClaims } from './claims';
import { accountKey, takePrefetched } from './request-prefetch';

export interface AccountSources {
  accounts: AccountsRepository;
  groups: GroupsService;
}

/** The user behind `sub`, while its pool is connected and its tokens still count; else undefined. */
export async function loadAccount(sources: AccountSources, workspaceId: string, sub: string, sinceSeconds?: number): Promise<Account | undefined> {
  // Read with the token this request just looked up, if any (the adapter): one round trip fewer per refresh.
  const prefetched = takePrefetched<AccountRecord | null>(accountKey(sub));
  const record = prefetched ? prefetched.value : await sources.accounts.findInConnectedPool(workspaceId, sub, 'password');
  const profile = tokenAccount(record, sinceSeconds ? new Date(sinceSeconds * 1000) : undefined);
  if (!profile) return undefined;
  return {
    accountId: sub,
    claims: async (_use: string, scope: string): Promise<Claims> => {
      const groups = scope.split(' ').includes('groups') ? await sources.groups.namesForUser(workspaceId, sub) : undefined;
      return profileClaims(profile, groups);
    },
  };
}

/**
 * oidc-provider's findAccount: called for every token, refresh and session use, so a
 * disabled user, a password change or a disconnected pool takes effect at once.
 */
export function accountFinder(sources: AccountSources, workspaceId: string): FindAccount {
  // A token is judged by the sign-in it came from (authTime, never later than its own iat): a code or
  // refresh token minted from a session in the very second its user was signed out (a request racing
  // the revocation, saved after it) is as old as that session, not as new as itself.
  return (ctx: KoaContextWithOIDC, sub: string, token?: { iat?: number; authTime?: number }) =>
    loadAccount(sources, workspaceId, sub, token?.authTime ?? token?.iat ?? ctx.oidc?.session?.loginTs);
}
