import { Injectable } from '@nestjs/common';
import { mapPage, Page, PageQuery } from '../../platform/pagination/page';
import { UsersService } from '../../users/users.service';
import { OidcPayloadsRepository } from '../oidc/oidc-payloads.repository';
import { ApplicationNotFoundError } from './applications.errors';
import { ApplicationsRepository } from './applications.repository';
import { AuthorizedApplicationResponse } from './dto/authorized-application.response';

type UserScope = Parameters<UsersService['assertExists']>[0];

/**
 * The applications a user has signed in to and still holds a grant with (Auth0's
 * "authorized applications", Keycloak's consents), and taking one back.
 */
@Injectable()
export class AuthorizedApplicationsService {
  constructor(
    private readonly applications: ApplicationsRepository,
    private readonly grants: OidcPayloadsRepository,
    private readonly users: UsersService,
  ) {}

  async list(scope: UserScope, userId: string, query: PageQuery): Promise<Page<AuthorizedApplicationResponse>> {
    await this.users.assertExists(scope, userId);
    const grants = new Map((await this.grants.grantsByClient(scope.workspaceId, userId)).map((grant) => [grant.clientId, grant]));
    const page = await this.applications.listByClientIds(scope.workspaceId, [...grants.keys()], query);
    return mapPage(page, (application) => {
      const { since, scopes } = grants.get(application.clientId)!;
      return { id: application.id, name: application.name, clientId: application.clientId, scopes, authorizedAt: new Date(since * 1000).toISOString() };
    });
  }

  /**
   * Ends the user's grants with the application and every token issued under them; its
   * access tokens stop working at userinfo. The user's session at the login page stays (as
   * with Auth0's revoke): signing the user out everywhere ends that too.
   */
  async revoke(scope: UserScope, userId: string, applicationId: string): Promise<void> {
    await this.users.assertExists(scope, userId);
    const application = await this.applications.find(scope.workspaceId, applicationId);
    if (!application) throw new ApplicationNotFoundError();
    await this.grants.revokeGrantsOf(scope.workspaceId, userId, application.clientId);
  }
}
