import { Inject, Injectable, Logger } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { AppConfig } from '../platform/config/config';
import { APP_CONFIG } from '../platform/config/config.module';
import { Batcher } from '../platform/database/batcher';
import { afterCommit, Transactions } from '../platform/database/transactions';
import { ClaimedMail, MailOutboxRepository } from './mail-outbox.repository';
import { MAIL_ATTEMPTS, MailProducer } from './mail.queue';
import { MailSender } from './mail.sender';
import { MailContent, renderMail } from './mail.templates';

/**
 * What a module registers for each kind of email it sends. `compose` runs in the worker
 * right before sending (it may mint the link's token then, so no token is ever stored
 * in clear); it returns null when the email no longer makes sense (invitation revoked).
 * `onSent` and `onFailed` write in the transaction that records the outbox row's outcome,
 * so a crash never leaves the two disagreeing (an invitation `queued` whose email went out).
 */
export interface MailComposer {
  compose(payload: Record<string, string>): Promise<MailContent | null>;
  onSent?(tx: EntityManager, payloads: Record<string, string>[]): Promise<void>;
  onFailed?(tx: EntityManager, payload: Record<string, string>, error: string): Promise<void>;
}

export interface OutgoingMail {
  kind: string;
  recipient: string;
  payload: Record<string, string>;
}

/** Writes after a send attempt are retried for about 10 s (linear backoff) before the claim is left to expire. */
const AFTER_SEND_ATTEMPTS = 10;
const AFTER_SEND_RETRY_MS = 200;

@Injectable()
export class MailService {
  private readonly logger = new Logger(MailService.name);
  private readonly composers = new Map<string, MailComposer>();

  constructor(
    private readonly outbox: MailOutboxRepository,
    private readonly producer: MailProducer,
    private readonly sender: MailSender,
    private readonly transactions: Transactions,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  register(kind: string, composer: MailComposer): void {
    this.composers.set(kind, composer);
  }

  /**
   * Rows committed while an enqueue is on its way to Redis go together in the next one
   * (one addBulk for many requests). The producer never throws: what it cannot queue
   * stays pending in the outbox for the sweeper.
   */
  private readonly committed = new Batcher<string, true>(
    async (ids) => {
      await this.producer.enqueue(ids);
      return new Map();
    },
    (id) => id,
    500,
  );

  /** Outcomes recorded together: one transaction for the outbox rows and what each kind updates when its email is out. */
  private readonly finished = new Batcher<{ row: ClaimedMail; status: 'sent' | 'skipped' }, true>(
    async (items) => {
      await this.transactions.run(async (tx) => {
        await this.outbox.finish(tx, items.map(({ row, status }) => ({ id: row.id, status })));
        const sentByKind = new Map<string, Record<string, string>[]>();
        for (const { row, status } of items) if (status === 'sent') sentByKind.set(row.kind, [...(sentByKind.get(row.kind) ?? []), row.payload]);
        for (const [kind, payloads] of sentByKind) await this.composers.get(kind)?.onSent?.(tx, payloads);
      });
      return new Map();
    },
    ({ row }) => row.id,
  );

  /** Writes the emails into the caller's transaction; they are queued once that commits. */
  async send(tx: EntityManager, mails: OutgoingMail[]): Promise<void> {
    const ids = await this.outbox.insert(tx, mails);
    afterCommit(tx, () => {
      for (const id of ids) void this.committed.load(id).catch(() => undefined);
    });
  }

  /**
   * One delivery attempt of an outbox row; safe to run twice (the claim), throws when the
   * attempt failed so the queue retries with backoff. `final` marks the last attempt.
   */
  async deliver(outboxId: string, final: boolean): Promise<void> {
    const row = await this.outbox.claim(outboxId, this.config.mail.claimSeconds);
    if (!row) return;
    // Attempts count on the row, not the job: a takeover or a re-queue after Redis lost its jobs is a new job
    // with attempts of its own, and the row must still give up after MAIL_ATTEMPTS.
    const last = final || row.attempts >= MAIL_ATTEMPTS;
    const composer = this.composers.get(row.kind);
    let accepted: Awaited<ReturnType<MailSender['send']>>;
    try {
      if (!composer) throw new Error(`no composer for email kind "${row.kind}"`);
      const content = await composer.compose(row.payload);
      if (!content) {
        await this.finished.load({ row, status: 'skipped' });
        return;
      }
      accepted = await this.sender.send(row.recipient, renderMail(content));
    } catch (error) {
      const message = (error as Error).message;
      // Handed back through a lost connection too: a row left claimed would wait for its claim to expire.
      const released = await this.persistently(
        () =>
          this.transactions.run(async (tx) => {
            await this.outbox.release(tx, row.id, message, last);
            if (last) await composer?.onFailed?.(tx, row.payload, message);
          }),
        outboxId,
        'Email attempt failed and not handed back; it is tried again when its claim expires',
      );
      if (!released) throw error;
      if (last) this.logger.error({ outboxId, kind: row.kind, attempts: row.attempts, err: message }, 'Email failed for good');
      else this.logger.warn({ outboxId, kind: row.kind, attempt: row.attempts, err: message }, 'Email attempt failed; will retry');
      throw error;
    }
    // The relay has the email now. A failure from here on must not hand the row back as pending (it would go out
    // twice), so recording it is retried; a database gone for longer leaves it claimed, and only after the claim
    // expires does the sweeper send it again.
    const marked = await this.persistently(() => this.finished.load({ row, status: 'sent' }), outboxId, 'Email sent but not marked sent; it goes out again when its claim expires');
    // Debug, as a bulk invitation sends thousands: the outbox row and the invitation's status are the record.
    if (marked && accepted) this.logger.debug({ outboxId, kind: row.kind, attempt: row.attempts, ...accepted }, 'Email accepted by the SMTP server');
  }

  /** Runs a database write after a send attempt, through a lost connection or a short outage; false (and `failure` logged) when it never succeeded. */
  private async persistently(write: () => Promise<unknown>, outboxId: string, failure: string): Promise<boolean> {
    for (let attempt = 1; ; attempt++) {
      try {
        await write();
        return true;
      } catch (error) {
        if (attempt >= AFTER_SEND_ATTEMPTS) {
          this.logger.error({ outboxId, err: (error as Error).message }, failure);
          return false;
        }
        await new Promise((resolve) => setTimeout(resolve, AFTER_SEND_RETRY_MS * attempt));
      }
    }
  }

  /** Queues what was never queued or was left by a dead worker. */
  async requeueUnsent(olderThanSeconds: number, limit = 5000): Promise<number> {
    const rows = await this.outbox.unsent(olderThanSeconds, limit);
    await this.producer.requeue(rows);
    return rows.length;
  }

  /** Deletes the finished messages older than MAIL_RETENTION_DAYS, a batch at a time; returns how many. */
  async purgeFinished(batch = 5000): Promise<number> {
    const before = new Date(Date.now() - this.config.mail.retentionDays * 86_400_000);
    let total = 0;
    for (;;) {
      const deleted = await this.outbox.purgeFinished(before, batch);
      total += deleted;
      if (deleted < batch) return total;
    }
  }
}
