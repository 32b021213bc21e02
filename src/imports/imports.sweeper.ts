import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { ImportJobsRepository } from './import-jobs.repository';
import { ImportsProducer } from './imports.queue';

/**
 * Runs with the workers: at start and every IMPORT_SWEEP_INTERVAL_MS it queues imports
 * that PostgreSQL says should be running (queued, or running without a live owner), so
 * a flushed or restarted Redis, or a killed worker, only delays a migration.
 */
@Injectable()
export class ImportsSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(ImportsSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly repository: ImportJobsRepository,
    private readonly producer: ImportsProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep();
    this.timer = setInterval(() => void this.sweep(), this.config.imports.sweepIntervalMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
  }

  private async sweep(): Promise<void> {
    try {
      const imports = await this.repository.resumable();
      await this.producer.resume(imports);
      if (imports.length) this.logger.debug({ count: imports.length }, 'Queued resumable imports');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Import sweep failed; will retry');
    }
  }
}
