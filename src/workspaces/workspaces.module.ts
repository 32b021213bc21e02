import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKey } from './api-key.entity';
import { ApiKeysController } from './api-keys.controller';
import { ManagementGuard } from './management.guard';
import { Workspace } from './workspace.entity';
import { WorkspacesController } from './workspaces.controller';
import { WorkspacesRepository } from './workspaces.repository';
import { WorkspacesService } from './workspaces.service';

@Module({
  imports: [TypeOrmModule.forFeature([Workspace, ApiKey])],
  controllers: [WorkspacesController, ApiKeysController],
  providers: [WorkspacesRepository, WorkspacesService, { provide: APP_GUARD, useClass: ManagementGuard }],
  exports: [WorkspacesService],
})
export class WorkspacesModule {}
