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
/** How long an upload waits for Redis to take its job before answering anyway. */
const ENQUEUE_WAIT_MS = 2000;

@Injectable()
export class ImportsProducer {
  private readonly logger = new Logger(ImportsProducer.name);

  constructor(@InjectQueue(QUEUES.imports) private readonly queue: Queue<ImportQueueJob>) {}

  /**
   * One queue job per import id (`import-<id>`), removed once done so the sweeper can
   * queue it again if it ever needs resuming. Failures are logged: the sweeper retries.
   */
  async enqueue(importIds: string[]): Promise<void> {
    await this.add(importIds.map((importId) => ({ importId, jobId: `import-${importId}` })));
  }

  /**
   * Queues imports the sweeper found without a live owner. A job whose owner died gets a
   * job id of its own per lease that ran out (`import-<id>-<lease end>`): the job that ran
   * it may still sit 'active' in Redis under the dead worker's lock (BullMQ notices only
   * after its lock expires and a stalled check, up to a minute), or be 'failed' after a
   * second stall ("stalled more than allowable limit"); either would swallow a re-add
   * under the same id and leave the import running with nobody on it. The claim in
   * PostgreSQL makes the extra job harmless: whichever job comes second finds it held.
   */
  async resume(imports: { id: string; expiredLease: Date | null }[]): Promise<void> {
    await this.add(imports.map(({ id, expiredLease }) => ({ importId: id, jobId: expiredLease ? `import-${id}-${expiredLease.getTime()}` : `import-${id}` })));
  }

  private async add(jobs: { importId: string; jobId: string }[]): Promise<void> {
    if (!jobs.length) return;
    let timer: NodeJS.Timeout | undefined;
    try {
      const adding = this.queue.addBulk(
        jobs.map(({ importId, jobId }) => ({
          name: IMPORT_JOB,
          data: { importId },
          opts: { jobId, attempts: IMPORT_ATTEMPTS, backoff: { type: 'exponential', delay: 5000 }, removeOnComplete: true },
        })),
      );
      // Queue connections retry forever (BullMQ's rule), so with Redis away addBulk waits
      // for its return and an upload would hang: give up waiting, the import is staged.
      adding.catch(() => undefined);
      await Promise.race([
        adding,
        new Promise((_, reject) => (timer = setTimeout(() => reject(new Error(`Redis did not answer within ${ENQUEUE_WAIT_MS} ms`)), ENQUEUE_WAIT_MS))),
      ]);
    } catch (error) {
      this.logger.warn({ count: jobs.length, err: (error as Error).message }, 'Could not queue imports now; the sweeper will');
    } finally {
      clearTimeout(timer);
    }
  }
}
