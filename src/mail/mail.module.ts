import { BullModule } from '@nestjs/bullmq';
import { DynamicModule, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { Role } from '../platform/config/config';
import { QUEUES } from '../platform/queue/queues';
import { MailOutbox } from './mail-outbox.entity';
import { MailOutboxRepository } from './mail-outbox.repository';
import { MailProcessor } from './mail.processor';
import { MailProducer } from './mail.queue';
import { MailSender } from './mail.sender';
import { MailService } from './mail.service';
import { MailSweeper } from './mail.sweeper';

/** The `mail` queue: every role can write to the outbox; workers (`worker`, `all`) send. */
@Module({})
export class MailModule {
  static forRole(role: Role): DynamicModule {
    const works = role !== 'api';
    return {
      module: MailModule,
      global: true,
      imports: [TypeOrmModule.forFeature([MailOutbox]), BullModule.registerQueue({ name: QUEUES.mail })],
      providers: [MailOutboxRepository, MailProducer, MailSender, MailService, ...(works ? [MailProcessor, MailSweeper] : [])],
      exports: [MailService],
    };
  }
}
