import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { PoolsModule } from '../pools/pools.module';
import { WorkspacesModule } from '../workspaces/workspaces.module';
import { Invitation } from './invitation.entity';
import { InvitationMailComposer } from './invitation.mail';
import { InvitationsRepository } from './invitations.repository';
import { InvitationsService } from './invitations.service';

@Module({
  imports: [TypeOrmModule.forFeature([Invitation]), PoolsModule, WorkspacesModule],
  providers: [InvitationsRepository, InvitationsService, InvitationMailComposer],
  exports: [InvitationsService],
})
export class InvitationsModule {}
