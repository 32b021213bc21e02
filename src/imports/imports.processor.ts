import { Processor, WorkerHost } from '@nestjs/bullmq';
import { Logger, OnModuleDestroy } from '@nestjs/common';
import { DelayedError, Job } from 'bullmq';
import { isConnectionLost } from '../platform/database/pg-errors';
import { QUEUES } from '../platform/queue/queues';
import { LeaseLostError } from './import-jobs.repository';
import { ImportJobsRepository } from './import-jobs.repository';
import { ImportRunner } from './import-runner';
import { IMPORT_ATTEMPTS, IMPORT_JOB, ImportQueueJob } from './imports.queue';

/**
 * Imports one process runs at once. What bounds one workspace is its cap of two, enforced
 * in PostgreSQL; the process takes more, so one workspace's imports never hold up another's.
 */
const CONCURRENCY = 8;
/** How long a job waits before asking again when its workspace is at its cap, or PostgreSQL was lost. */
const WAIT_MS = 2000;

@Processor(QUEUES.imports, { concurrency: CONCURRENCY })
export class ImportsProcessor extends WorkerHost implements OnModuleDestroy {
  private readonly logger = new Logger(ImportsProcessor.name);

  constructor(
    private readonly runner: ImportRunner,
    private readonly repository: ImportJobsRepository,
  ) {
    super();
  }

  /** Before the workers are closed (platform/queue), which waits for the runs in flight: they stop at their next chunk. */
  onModuleDestroy(): void {
    this.runner.stop();
  }

  async process(job: Job<ImportQueueJob>, token?: string): Promise<void> {
    switch (job.name) {
      case IMPORT_JOB:
        return this.run(job, token);
      default:
        throw new Error(`unknown imports job "${job.name}"`);
    }
  }

  private async run(job: Job<ImportQueueJob>, token?: string): Promise<void> {
    const { importId } = job.data;
    try {
      const result = await this.runner.run(importId);
      if (result === 'finished') return;
      // The workspace is at its cap, or another worker holds the import: ask again later.
      await job.moveToDelayed(Date.now() + WAIT_MS, token);
      throw new DelayedError();
    } catch (error) {
      if (error instanceof DelayedError) throw error;
      if (error instanceof LeaseLostError) {
        this.logger.warn({ importId }, 'Another worker took this import over; stopping here');
        return;
      }
      if (isConnectionLost(error)) {
        // A PostgreSQL restart or failover is not the import's fault: it costs no attempt, however often it happens,
        // and the import resumes from its last committed chunk.
        this.logger.warn({ importId, err: (error as Error).message }, `Import paused: PostgreSQL connection lost; resuming in ${WAIT_MS / 1000} s`);
        await job.moveToDelayed(Date.now() + WAIT_MS, token);
        throw new DelayedError();
      }
      const final = job.attemptsMade + 1 >= (job.opts.attempts ?? IMPORT_ATTEMPTS);
      this.logger.error({ importId, attempt: job.attemptsMade + 1, err: (error as Error).message }, final ? 'Import failed for good' : 'Import attempt failed; will retry');
      if (final) {
        await this.repository.fail(importId, 'the import stopped on an unexpected error; the records committed so far are kept');
        // A failed import is never resumed, so nothing reads its upload again.
        await this.repository.dropStaging(importId);
      }
      throw error;
    }
  }
}
