import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES } from '../platform/queue/queues';

/** The job: which outbox row to send. Nothing else, and never a secret. */
export interface MailJob {
  outboxId: string;
}

export const MAIL_JOB = 'send';

/** Five retries after the first attempt, 2 s, 4 s, 8 s, 16 s, 32 s apart. */
export const MAIL_ATTEMPTS = 6;
const BACKOFF = { type: 'exponential', delay: 2000 } as const;

@Injectable()
export class MailProducer {
  private readonly logger = new Logger(MailProducer.name);

  constructor(@InjectQueue(QUEUES.mail) private readonly queue: Queue<MailJob>) {}

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
          opts: { jobId: `mail-${outboxId}`, attempts: MAIL_ATTEMPTS, backoff: BACKOFF },
        })),
      );
    } catch (error) {
      this.logger.warn({ count: outboxIds.length, err: (error as Error).message }, 'Could not queue emails now; the sweeper will');
    }
  }
}
