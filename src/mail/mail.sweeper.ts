import { Inject, Injectable, Logger, OnApplicationBootstrap, OnModuleDestroy } from '@nestjs/common';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { MailService } from './mail.service';

/** Younger rows are normally on their way through the after-commit path. */
const GRACE_SECONDS = 10;

/**
 * Runs with the workers: at start and every MAIL_SWEEP_INTERVAL_MS it queues outbox rows that are not
 * sent and held by nobody, so Redis being down or flushed, or a worker killed, only
 * delays email.
 */
@Injectable()
export class MailSweeper implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(MailSweeper.name);
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly mail: MailService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    void this.sweep(0);
    this.timer = setInterval(() => void this.sweep(GRACE_SECONDS), this.config.mail.sweepIntervalMs).unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
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
