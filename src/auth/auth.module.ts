import { Module } from '@nestjs/common';
import { PassportModule } from '@nestjs/passport';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupsModule } from '../groups/groups.module';
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
import { LocalStrategy } from './interaction/local.strategy';
import { OidcHttp } from './oidc/oidc.http';
import { OidcKeys } from './oidc/oidc-keys.entity';
import { OidcKeysRepository } from './oidc/oidc-keys.repository';
import { OidcKeysService } from './oidc/oidc-keys.service';
import { OidcPayload } from './oidc/oidc-payload.entity';
import { OidcPayloadsRepository } from './oidc/oidc-payloads.repository';
import { ProviderRegistry } from './oidc/provider.registry';
import { UserinfoEndpoint } from './oidc/userinfo.endpoint';
import { SignInService } from './sign-in/sign-in.service';

/** Identity providers, applications, the per-workspace OIDC issuer and its login page. */
@Module({
  imports: [
    TypeOrmModule.forFeature([IdentityProvider, Application, OidcPayload, OidcKeys]),
    PassportModule,
    WorkspacesModule,
    PoolsModule,
    UsersModule,
    GroupsModule,
  ],
  controllers: [IdentityProvidersController, ApplicationsController, InteractionController],
  providers: [
    IdentityProvidersRepository,
    IdentityProvidersService,
    ApplicationsRepository,
    ApplicationsService,
    OidcKeysRepository,
    OidcKeysService,
    OidcPayloadsRepository,
    ProviderRegistry,
    UserinfoEndpoint,
    OidcHttp,
    SignInService,
    LocalStrategy,
  ],
  exports: [OidcHttp],
})
export class AuthModule {}
