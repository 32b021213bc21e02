import { Inject, Injectable, OnModuleInit } from '@nestjs/common';
import type { Provider } from 'oidc-provider';
import { GroupsService } from '../../groups/groups.service';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { WorkspacesService } from '../../workspaces/workspaces.service';
import { ApplicationsService } from '../applications/applications.service';
import { SignInService } from '../sign-in/sign-in.service';
import { AccountsRepository } from './accounts.repository';
import { OidcKeysService } from './oidc-keys.service';
import { OidcPayloadsRepository } from './oidc-payloads.repository';
import { buildProvider } from './provider.factory';

/** How long a workspace, once seen to exist, is not asked about again. */
const EXISTENCE_RECHECK_MS = 1000;

/**
 * One Provider per workspace, built on first use and cached. Nothing it caches can go
 * stale: clients, accounts and connections are read per request through the adapter
 * and findAccount, and keys never change once made. A deleted workspace's issuer is
 * dropped at once by the process that deleted it, and by the others on its first request
 * once its existence is re-checked, at most EXISTENCE_RECHECK_MS after the previous
 * check: not per request, which at hundreds of token requests a second would be a query
 * each for nothing. In that second only the public documents (discovery, JWKS) still
 * answer there: deleting a workspace deletes its applications, users and tokens with it,
 * so every client, token or user lookup fails at once.
 */
@Injectable()
export class ProviderRegistry implements OnModuleInit {
  private readonly providers = new Map<string, Promise<Provider>>();
  /** When each workspace was last seen to exist (ms since the epoch). */
  private readonly seen = new Map<string, number>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly workspaces: WorkspacesService,
    private readonly keys: OidcKeysService,
    private readonly store: OidcPayloadsRepository,
    private readonly applications: ApplicationsService,
    private readonly accounts: AccountsRepository,
    private readonly groups: GroupsService,
    private readonly signIn: SignInService,
  ) {}

  onModuleInit(): void {
    this.workspaces.whenDeleted((workspaceId) => {
      this.providers.delete(workspaceId);
      this.seen.delete(workspaceId);
    });
  }

  /** Every URL the issuer hands out starts with this, never with the request's host or scheme. */
  issuerOf(workspaceId: string): string {
    return `${this.config.publicUrl}/oidc/${workspaceId}`;
  }

  /**
   * The workspace's Provider, or null when there is no such workspace. Only the id as
   * issued (lower case) names an issuer: PostgreSQL matches a UUID in any case, and each
   * other spelling would get an issuer string and a Provider of its own, cached.
   */
  async get(workspaceId: string): Promise<Provider | null> {
    if (workspaceId !== workspaceId.toLowerCase()) return null;
    const seenAt = this.seen.get(workspaceId);
    if (seenAt === undefined || Date.now() - seenAt >= EXISTENCE_RECHECK_MS) {
      if (!(await this.workspaces.exists(workspaceId))) {
        this.providers.delete(workspaceId);
        this.seen.delete(workspaceId);
        return null;
      }
      this.seen.set(workspaceId, Date.now());
    }
    let provider = this.providers.get(workspaceId);
    if (!provider) {
      provider = this.build(workspaceId);
      this.providers.set(workspaceId, provider);
      provider.catch(() => this.providers.delete(workspaceId));
    }
    return provider;
  }

  private async build(workspaceId: string): Promise<Provider> {
    return buildProvider({
      workspaceId,
      issuer: this.issuerOf(workspaceId),
      keys: await this.keys.forWorkspace(workspaceId),
      store: this.store,
      clients: (clientId) => this.applications.clientMetadata(workspaceId, clientId),
      accounts: { accounts: this.accounts, groups: this.groups },
      signIn: this.signIn,
      behindProxy: this.config.trustProxy !== null,
      lifetimes: this.config.tokenLifetimes,
    });
  }
}
