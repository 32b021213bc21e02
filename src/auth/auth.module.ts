import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupsModule } from '../groups/groups.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { PoolsModule } from '../pools/pools.module';
import { UsersModule } from '../users/users.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Application } from './applications/application.entity';
import { ApplicationsController } from './applications/applications.controller';
import { ApplicationsRepository } from './applications/applications.repository';
import { ApplicationsService } from './applications/applications.service';
import { IdentityProvider } from './identity-providers/identity-provider.entity';
import { IdentityProvidersController } from './identity-providers/identity-providers.controller';
import { IdentityProvidersRepository } from './identity-providers/identity-providers.repository';
import { IdentityProvidersService } from './identity-providers/identity-providers.service';
import { InteractionController } from './interaction/interaction.controller';
import { AccountsRepository } from './oidc/accounts.repository';
import { LocalStrategy } from './interaction/local.strategy';
import { OidcHttp } from './oidc/oidc.http';
import { OidcKeys } from './oidc/oidc-keys.entity';
import { OidcKeysRepository } from './oidc/oidc-keys.repository';
import { OidcKeysService } from './oidc/oidc-keys.service';
import { OidcPayload } from './oidc/oidc-payload.entity';
import { OidcPayloadsRepository } from './oidc/oidc-payloads.repository';
import { ProviderRegistry } from './oidc/provider.registry';
import { UserinfoEndpoint } from './oidc/userinfo.endpoint';
import { SelfServicePagesController } from './self-service/self-service-pages.controller';
import { SelfServiceController } from './self-service/self-service.controller';
import { UserLinksController } from './self-service/user-links.controller';
import { AuthorizedApplicationsController } from './applications/authorized-applications.controller';
import { AuthorizedApplicationsService } from './applications/authorized-applications.service';
import { SelfServiceMailComposers } from './self-service/self-service.mail';
import { SelfServiceService } from './self-service/self-service.service';
import { UserToken } from './self-service/user-token.entity';
import { UserTokensRepository } from './self-service/user-tokens.repository';
import { SignInService } from './sign-in/sign-in.service';

/** Identity providers, applications, the per-workspace OIDC issuer and its login page, and self-service. */
@Module({
  imports: [
    TypeOrmModule.forFeature([IdentityProvider, Application, OidcPayload, OidcKeys, UserToken]),
    PassportModule,
    WorkspacesModule,
    PoolsModule,
    UsersModule,
    GroupsModule,
    InvitationsModule,
  ],
  controllers: [IdentityProvidersController, ApplicationsController, InteractionController, SelfServiceController, SelfServicePagesController, UserLinksController, AuthorizedApplicationsController],
  providers: [
    IdentityProvidersRepository,
    IdentityProvidersService,
    ApplicationsRepository,
    ApplicationsService,
    AuthorizedApplicationsService,
    OidcKeysRepository,
    OidcKeysService,
    OidcPayloadsRepository,
    AccountsRepository,
    ProviderRegistry,
    UserinfoEndpoint,
    OidcHttp,
    SignInService,
    LocalStrategy,
    UserTokensRepository,
    SelfServiceMailComposers,
    SelfServiceService,
  ],
  exports: [OidcHttp],
})
export class AuthModule {}
