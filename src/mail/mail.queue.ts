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

function mailJobId(outboxId: string): string {
  return `mail-${outboxId}`;
}

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
    await this.add(outboxIds.map((outboxId) => ({ outboxId, jobId: mailJobId(outboxId) })));
  }

  /**
   * Queues what the sweeper found unsent and held by nobody. A row whose job is waiting or delayed is left to it.
   * A job BullMQ still knows but will not run again keeps its id taken: active on a worker that was killed (BullMQ
   * frees it only after its own lock and stall checks, long after MAIL_CLAIM_SECONDS), or finished as a no-op
   * while a dead worker's claim still held the row. Such a row gets a takeover job, one per claim (the row's
   * attempt count), so repeated sweeps do not multiply it. A job that failed for good is removed (the outbox row
   * is the record), so a row whose claims all failed, and whose attempt count therefore stands still, can be
   * queued again under the same id; 'failed' is left only by jobs from before that.
   */
  async requeue(rows: { id: string; attempts: number }[]): Promise<void> {
    if (!rows.length) return;
    try {
      const states = await Promise.all(rows.map((row) => this.queue.getJobState(mailJobId(row.id))));
      const jobs = rows.flatMap((row, index) => {
        switch (states[index]) {
          case 'unknown':
            return [{ outboxId: row.id, jobId: mailJobId(row.id) }];
          case 'active':
          case 'completed':
          case 'failed':
            return [{ outboxId: row.id, jobId: `${mailJobId(row.id)}-${row.attempts}` }];
          default:
            return [];
        }
      });
      await this.add(jobs);
    } catch (error) {
      this.logger.warn({ count: rows.length, err: (error as Error).message }, 'Could not queue emails now; the sweeper will');
    }
  }

  private async add(jobs: { outboxId: string; jobId: string }[]): Promise<void> {
    if (!jobs.length) return;
    try {
      await this.queue.addBulk(
        jobs.map(({ outboxId, jobId }) => ({
          name: MAIL_JOB,
          data: { outboxId },
          opts: { jobId, attempts: MAIL_ATTEMPTS, backoff: { type: 'exponential', delay: this.config.mail.retryDelayMs }, removeOnFail: true },
        })),
      );
    } catch (error) {
      this.logger.warn({ count: jobs.length, err: (error as Error).message }, 'Could not queue emails now; the sweeper will');
    }
  }
}
