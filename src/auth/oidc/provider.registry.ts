import { Inject, Injectable } from '@nestjs/common';
import type { Provider } from 'oidc-provider';
import { GroupsService } from '../../groups/groups.service';
import { AppConfig } from '../../platform/config/config';
import { APP_CONFIG } from '../../platform/config/config.module';
import { UsersService } from '../../users/users.service';
import { WorkspacesService } from '../../workspaces/workspaces.service';
import { ApplicationsService } from '../applications/applications.service';
import { IdentityProvidersService } from '../identity-providers/identity-providers.service';
import { SignInService } from '../sign-in/sign-in.service';
import { OidcKeysService } from './oidc-keys.service';
import { OidcPayloadsRepository } from './oidc-payloads.repository';
import { buildProvider } from './provider.factory';

/**
 * One Provider per workspace, built on first use and cached. Nothing it caches can go
 * stale: clients, accounts and connections are read per request through the adapter
 * and findAccount, and keys never change once made. A deleted workspace's issuer is
 * dropped on its next request.
 */
@Injectable()
export class ProviderRegistry {
  private readonly providers = new Map<string, Promise<Provider>>();

  constructor(
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly workspaces: WorkspacesService,
    private readonly keys: OidcKeysService,
    private readonly store: OidcPayloadsRepository,
    private readonly applications: ApplicationsService,
    private readonly users: UsersService,
    private readonly groups: GroupsService,
    private readonly identityProviders: IdentityProvidersService,
    private readonly signIn: SignInService,
  ) {}

  issuerOf(workspaceId: string): string {
    return `${this.config.publicUrl}${this.basePathOf(workspaceId)}`;
  }

  basePathOf(workspaceId: string): string {
    return `/oidc/${workspaceId}`;
  }

  /** The workspace's Provider, or null when there is no such workspace. */
  async get(workspaceId: string): Promise<Provider | null> {
    if (!(await this.workspaces.exists(workspaceId))) {
      this.providers.delete(workspaceId);
      return null;
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
      basePath: this.basePathOf(workspaceId),
      keys: await this.keys.forWorkspace(workspaceId),
      store: this.store,
      clients: (clientId) => this.applications.clientMetadata(workspaceId, clientId),
      accounts: { users: this.users, groups: this.groups, identityProviders: this.identityProviders },
      signIn: this.signIn,
      behindProxy: this.config.trustProxy !== null,
    });
  }
}
