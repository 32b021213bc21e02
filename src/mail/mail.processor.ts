import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger } from '@nestjs/common';
import { Job } from 'bullmq';
import { QUEUES } from '../platform/queue/queues';
import { MAIL_ATTEMPTS, MAIL_JOB, MailJob } from './mail.queue';
import { MailService } from './mail.service';

/** SMTP is I/O-bound: many messages in flight over the pooled connections. */
export const MAIL_CONCURRENCY = 50;

@Processor(QUEUES.mail, { concurrency: MAIL_CONCURRENCY })
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(private readonly mail: MailService) {
    super();
  }

  /**
   * Without a listener BullMQ prints worker errors with console.error, stack and all, outside the JSON log; they
   * come when Redis loses a job under a worker (a flush, a failover) and the outbox sweeper recovers the email.
   */
  @OnWorkerEvent('error')
  onError(error: Error): void {
    this.logger.warn({ err: error.message }, 'Mail queue error; the outbox sweeper re-queues what it affects');
  }

  async process(job: Job<MailJob>): Promise<void> {
    switch (job.name) {
      case MAIL_JOB:
        return this.mail.deliver(job.data.outboxId, job.attemptsMade + 1 >= (job.opts.attempts ?? MAIL_ATTEMPTS));
      default:
        throw new Error(`unknown mail job "${job.name}"`);
    }
  }
}
