import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { QUEUES } from '../platform/queue/queues';

/** The job: which import to run. Its state lives in PostgreSQL. */
export interface ImportQueueJob {
  importId: string;
}

export const IMPORT_JOB = 'run';
export const IMPORT_ATTEMPTS = 3;

@Injectable()
export class ImportsProducer {
  private readonly logger = new Logger(ImportsProducer.name);

  constructor(@InjectQueue(QUEUES.imports) private readonly queue: Queue<ImportQueueJob>) {}

  /**
   * One queue job per import id (`import-<id>`), removed once done so the sweeper can
   * queue it again if it ever needs resuming. Failures are logged: the sweeper retries.
   */
  async enqueue(importIds: string[]): Promise<void> {
    if (!importIds.length) return;
    try {
      await this.queue.addBulk(
        importIds.map((importId) => ({
          name: IMPORT_JOB,
          data: { importId },
          opts: { jobId: `import-${importId}`, attempts: IMPORT_ATTEMPTS, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true },
        })),
      );
    } catch (error) {
      this.logger.warn({ count: importIds.length, err: (error as Error).message }, 'Could not queue imports now; the sweeper will');
    }
  }
}
