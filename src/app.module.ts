import { DynamicModule, Module } from '@nestjs/common';
import { AuthModule } from './auth/auth.module';
import { SessionRevocationModule } from './auth/oidc/oidc-session-revoker';
import { GroupsModule } from './groups/groups.module';
import { HealthModule } from './health/health.module';
import { ImportsModule } from './imports/imports.module';
import { MailModule } from './mail/mail.module';
import { AppConfig } from './platform/config/config';
import { ConfigModule } from './platform/config/config.module';
import { DatabaseModule } from './platform/database/database.module';
import { LoggingModule } from './platform/logging/logging.module';
import { QueueModule } from './platform/queue/queue.module';
import { RateLimitModule } from './platform/rate-limit/rate-limit.module';
import { RedisModule } from './platform/redis/redis.module';
import { PoolsModule } from './pools/pools.module';
import { UsersModule } from './users/users.module';
import { WorkspacesModule } from './workspaces/workspaces.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ConfigModule.forRoot(config),
        LoggingModule,
        DatabaseModule,
        RedisModule,
        RateLimitModule,
        QueueModule,
        MailModule.forRole(config.role),
        HealthModule,
        WorkspacesModule,
        PoolsModule,
        UsersModule,
        GroupsModule,
        SessionRevocationModule,
        AuthModule,
        ImportsModule.forRole(config.role),
      ],
    };
  }
}
