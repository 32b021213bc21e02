import { sql } from '../factories';
import { MailService } from '../../src/mail/mail.service';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Finished outbox rows hold a recipient's address: they go after MAIL_RETENTION_DAYS,
 * and nothing still to be sent is ever deleted.
 */
describe('mail outbox retention', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ MAIL_RETENTION_DAYS: '7' });
  });
  afterAll(() => t?.close());

  it('deletes sent, skipped and failed emails older than the retention, and nothing else', async () => {
    const rows: [string, string, number][] = [
      ['old-sent', 'sent', 8],
      ['old-sent-2', 'sent', 9],
      ['old-sent-3', 'sent', 10],
      ['old-skipped', 'skipped', 8],
      ['old-failed', 'failed', 30],
      ['recent-sent', 'sent', 6],
      // Held by a live worker (the sweeper leaves it alone): however old, it is still to be sent.
      ['old-sending', 'sending', 30],
    ];
    for (const [recipient, status, days] of rows) {
      await sql(
        t,
        `INSERT INTO mail_outbox (kind, recipient, payload, status, attempts, locked_until, created_at)
         VALUES ('retention-test', $1, '{}', $2, 1, now() + interval '1 hour', now() - make_interval(days => $3))`,
        [`${recipient}@example.com`, status, days],
      );
    }
    // In batches of 2 (the workers' own purge at start may have taken some already).
    const mail = t.app.get(MailService);
    await mail.purgeFinished(2);
    expect(await mail.purgeFinished(2)).toBe(0);
    const left = await sql<{ recipient: string }>(t, `SELECT recipient FROM mail_outbox WHERE kind = 'retention-test' ORDER BY recipient`);
    expect(left.map((r) => r.recipient)).toEqual(['old-sending@example.com', 'recent-sent@example.com']);
  });
});
