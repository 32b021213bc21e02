import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { MailService } from './mail.service';

/** Younger rows are normally on their way through the after-commit path. */
const GRACE_SECONDS = 10;
/** Finished messages are kept for days: an hourly purge keeps the table to about MAIL_RETENTION_DAYS of mail. */
const PURGE_INTERVAL_MS = 3_600_000;

/**
 * Runs with the workers: at start and every MAIL_SWEEP_INTERVAL_MS it queues outbox rows that are not
 * sent and held by nobody, so Redis being down or flushed, or a worker killed, only
 * delays email. At start and hourly it deletes finished rows past MAIL_RETENTION_DAYS.
 */
@Injectable()
export class MailSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailSweeper.name);
  private timer?: NodeJS.Timeout;
  private purgeTimer?: NodeJS.Timeout;

  constructor(
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep(0);
    this.timer = setInterval(() => void this.sweep(GRACE_SECONDS), this.config.mail.sweepIntervalMs).unref();
    void this.purge();
    this.purgeTimer = setInterval(() => void this.purge(), PURGE_INTERVAL_MS).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    clearInterval(this.purgeTimer);
  }

  private async purge(): Promise<void> {
    try {
      const count = await this.mail.purgeFinished();
      if (count) this.logger.log({ count, retentionDays: this.config.mail.retentionDays }, 'Deleted finished emails past their retention');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Outbox purge failed; will retry');
    }
  }

  private async sweep(graceSeconds: number): Promise<void> {
    try {
      const count = await this.mail.requeueUnsent(graceSeconds);
      if (count) this.logger.log({ count }, 'Queued unsent emails from the outbox');
    } catch (error) {
      this.logger.warn({ err: (error as Error).message }, 'Outbox sweep failed; will retry');
    }
  }
}
