import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { GroupsModule } from '../groups/groups.module';
import { InvitationsModule } from '../invitations/invitations.module';
import { Role } from '../platform/config/config';
import { QUEUES } from '../platform/queue/queues';
import { PoolsModule } from '../pools/pools.module';
import { UsersModule } from '../users/users.module';
import { ImportJob } from './import-job.entity';
import { ImportJobsRepository } from './import-jobs.repository';
import { ImportRunner } from './import-runner';
import { ImportsController } from './imports.controller';
import { ImportsProcessor } from './imports.processor';
import { ImportsProducer } from './imports.queue';
import { ImportsService } from './imports.service';
import { ImportsSweeper } from './imports.sweeper';

/** Bulk migrations: the api role stages uploads; workers (`worker`, `all`) run them. */
@Module({})
export class ImportsModule {
  static forRole(role: Role): DynamicModule {
    const works = role !== 'api';
    return {
      module: ImportsModule,
      imports: [TypeOrmModule.forFeature([ImportJob]), BullModule.registerQueue({ name: QUEUES.imports }), PoolsModule, UsersModule, GroupsModule, InvitationsModule],
      controllers: [ImportsController],
      providers: [ImportJobsRepository, ImportsProducer, ImportsService, ...(works ? [ImportRunner, ImportsProcessor, ImportsSweeper] : [])],
    };
  }
}
