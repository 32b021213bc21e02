import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { InvitationsModule } from '../invitations/invitations.module';
import { PoolsModule } from '../pools/pools.module';
import { Credential } from './credential.entity';
import { CredentialsService } from './credentials.service';
import { PasswordHasher } from './password-hasher';
import { User } from './user.entity';
import { UsersController } from './users.controller';
import { UsersRepository } from './users.repository';
import { UsersService } from './users.service';
import { UserImporter } from './user-importer';

@Module({
  imports: [TypeOrmModule.forFeature([User, Credential]), PoolsModule, InvitationsModule],
  controllers: [UsersController],
  providers: [UsersRepository, UsersService, CredentialsService, PasswordHasher, UserImporter],
  exports: [UsersService, CredentialsService, UserImporter, PasswordHasher],
})
export class UsersModule {}
