import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { EntityManager, Repository } from 'typeorm';
import { MailOutbox } from './mail-outbox.entity';

@Injectable()
export class MailOutboxRepository {
  constructor(@InjectRepository(MailOutbox) private readonly outbox: Repository<MailOutbox>) {}

  async insert(tx: EntityManager, row: Pick<MailOutbox, 'kind' | 'recipient' | 'payload'>): Promise<string> {
    const result = await tx.getRepository(MailOutbox).insert({ ...row, status: 'pending', attempts: 0 });
    return result.identifiers[0].id as string;
  }

  /**
   * Takes the message for one send attempt, or null when it is sent, given up, or held by
   * a live worker (for `claimSeconds`, after which a killed worker's message is free). The conditional UPDATE is what makes a duplicate job harmless.
   */
  async claim(id: string, claimSeconds: number): Promise<Pick<MailOutbox, 'id' | 'kind' | 'recipient' | 'payload' | 'attempts'> | null> {
    // UPDATE … RETURNING answers [rows, affected] through the pg driver.
    const [rows]: [Pick<MailOutbox, 'id' | 'kind' | 'recipient' | 'payload' | 'attempts'>[], number] = await this.outbox.query(
      `UPDATE mail_outbox SET status = 'sending', attempts = attempts + 1, locked_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND (status = 'pending' OR (status = 'sending' AND locked_until < now()))
        RETURNING id, kind, recipient, payload, attempts`,
      [id, claimSeconds],
    );
    return rows[0] ?? null;
  }

  async finish(id: string, status: 'sent' | 'skipped'): Promise<void> {
    await this.outbox.update({ id }, { status, lockedUntil: null, lastError: null, ...(status === 'sent' && { sentAt: () => 'now()' }) });
  }

  /** Back to pending for the next attempt, or failed for good; the error is kept for admins. */
  async release(id: string, error: string, final: boolean): Promise<void> {
    await this.outbox.update({ id }, { status: final ? 'failed' : 'pending', lockedUntil: null, lastError: error.slice(0, 1000) });
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
