import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { Batcher } from '../platform/database/batcher';
import { MailOutbox } from './mail-outbox.entity';

export type ClaimedMail = Pick<MailOutbox, 'id' | 'kind' | 'recipient' | 'payload' | 'attempts'>;

@Injectable()
export class MailOutboxRepository {
  constructor(@InjectRepository(MailOutbox) private readonly outbox: Repository<MailOutbox>) {}

  /** One statement for any number of emails (unnest keeps the parameter count constant); raw SQL, as the query builder would cost more than the INSERT. */
  async insert(tx: EntityManager, rows: Pick<MailOutbox, 'kind' | 'recipient' | 'payload'>[]): Promise<string[]> {
    if (!rows.length) return [];
    const inserted: { id: string }[] = await tx.query(
      `INSERT INTO mail_outbox (kind, recipient, payload, status, attempts)
       SELECT kind, recipient, payload::jsonb, 'pending', 0 FROM unnest($1::text[], $2::text[], $3::text[]) AS v(kind, recipient, payload)
       RETURNING id`,
      [rows.map((r) => r.kind), rows.map((r) => r.recipient), rows.map((r) => JSON.stringify(r.payload))],
    );
    return inserted.map((r) => r.id);
  }

  /**
   * Takes the message for one send attempt, or null when it is sent, given up, or held by
   * a live worker (for `claimSeconds`, after which a killed worker's message is free). The conditional UPDATE is what makes a duplicate job harmless.
   * Concurrent claims go to PostgreSQL together (Batcher), each row still claimed by its own condition, and to one caller.
   */
  claim(id: string, claimSeconds: number): Promise<ClaimedMail | null> {
    return this.claims.load({ id, claimSeconds });
  }

  private readonly claims = new Batcher<{ id: string; claimSeconds: number }, ClaimedMail>(async (items) => {
    // UPDATE … RETURNING answers [rows, affected] through the pg driver.
    const [rows]: [ClaimedMail[], number] = await this.outbox.query(
      `UPDATE mail_outbox o SET status = 'sending', attempts = o.attempts + 1, locked_until = now() + make_interval(secs => c.secs)
         FROM unnest($1::uuid[], $2::int[]) AS c(id, secs)
        WHERE o.id = c.id AND (o.status = 'pending' OR (o.status = 'sending' AND o.locked_until < now()))
        RETURNING o.id, o.kind, o.recipient, o.payload, o.attempts`,
      [items.map((item) => item.id), items.map((item) => item.claimSeconds)],
    );
    return new Map(rows.map((row) => [row.id, row]));
  }, (item) => item.id);

  /** Marks messages done in one statement, inside the caller's transaction (with what their sending changes elsewhere). */
  async finish(tx: EntityManager, items: { id: string; status: 'sent' | 'skipped' }[]): Promise<void> {
    await tx.query(
      `UPDATE mail_outbox o SET status = f.status, locked_until = NULL, last_error = NULL,
              sent_at = CASE WHEN f.status = 'sent' THEN now() ELSE o.sent_at END
         FROM unnest($1::uuid[], $2::varchar[]) AS f(id, status)
        WHERE o.id = f.id`,
      [items.map((item) => item.id), items.map((item) => item.status)],
    );
  }

  /** Back to pending for the next attempt, or failed for good; the error is kept for admins. */
  async release(tx: EntityManager, id: string, error: string, final: boolean): Promise<void> {
    await tx.getRepository(MailOutbox).update({ id }, { status: final ? 'failed' : 'pending', lockedUntil: null, lastError: error.slice(0, 1000) });
  }

  /**
   * Deletes up to `limit` finished messages created before `before`: their recipients are
   * personal data, kept no longer than delivery needs. Unsent ones are never touched.
   */
  async purgeFinished(before: Date, limit: number): Promise<number> {
    const [, deleted]: [unknown, number] = await this.outbox.query(
      `DELETE FROM mail_outbox WHERE id IN (
         SELECT id FROM mail_outbox WHERE status IN ('sent', 'skipped', 'failed') AND created_at < $1 LIMIT $2)`,
      [before, limit],
    );
    return deleted;
  }

  /** Messages no worker is holding: never queued (Redis was down), or left by a killed worker. */
  unsent(olderThanSeconds: number, limit: number): Promise<Pick<MailOutbox, 'id' | 'attempts'>[]> {
    return this.outbox.query(
      `SELECT id, attempts FROM mail_outbox
        WHERE status IN ('pending', 'sending') AND created_at < now() - make_interval(secs => $1)
          AND (locked_until IS NULL OR locked_until < now())
        ORDER BY created_at LIMIT $2`,
      [olderThanSeconds, limit],
    );
  }
}
