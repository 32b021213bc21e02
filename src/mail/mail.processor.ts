import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Job } from 'bullmq';
import { QUEUES } from '../platform/queue/queues';
import { MAIL_ATTEMPTS, MAIL_JOB, MailJob } from './mail.queue';
import { MailService } from './mail.service';

/** SMTP is I/O-bound: many messages in flight over the pooled connections. */
export const MAIL_CONCURRENCY = 50;

@Processor(QUEUES.mail, { concurrency: MAIL_CONCURRENCY })
export class MailProcessor extends WorkerHost {
  constructor(private readonly mail: MailService) {
    super();
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
