import { InjectQueue } from '@nestjs/bullmq';
import { Inject, Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { QUEUES } from '../platform/queue/queues';

/** The job: which outbox row to send. Nothing else, and never a secret. */
export interface MailJob {
  outboxId: string;
}

export const MAIL_JOB = 'send';

/** Five retries after the first attempt, with doubling delays (2 s, 4 s, … 32 s by default). */
export const MAIL_ATTEMPTS = 6;

@Injectable()
export class MailProducer {
  private readonly logger = new Logger(MailProducer.name);

  constructor(
    @InjectQueue(QUEUES.mail) private readonly queue: Queue<MailJob>,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  /**
   * The job id is the outbox id (BullMQ refuses ':' in ids), so queueing a row twice (after commit, then by the
   * sweeper) makes one job. Failures are only logged: the row stays pending in
   * PostgreSQL and the sweeper queues it once Redis is back.
   */
  async enqueue(outboxIds: string[]): Promise<void> {
    if (!outboxIds.length) return;
    try {
      await this.queue.addBulk(
        outboxIds.map((outboxId) => ({
          name: MAIL_JOB,
          data: { outboxId },
          opts: { jobId: `mail-${outboxId}`, attempts: MAIL_ATTEMPTS, backoff: { type: 'exponential', delay: this.config.mail.retryDelayMs } },
        })),
      );
    } catch (error) {
      this.logger.warn({ count: outboxIds.length, err: (error as Error).message }, 'Could not queue emails now; the sweeper will');
    }
  }
}
