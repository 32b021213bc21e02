import { ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { createPool, createWorkspace, sql, unique } from '../factories';
import { databaseUrl, runPrefix } from '../support/databases';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { PrivateBuild, privateBuild, PrivateRedis, startPrivateRedis } from '../support/service-processes';
import { freePort, ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * The delivery guarantee of the README, against real failures: an SMTP server that
 * refuses, Redis stopped and flushed, a worker process killed with SIGKILL. Every email
 * must arrive, and arrive once, except the one re-send the README allows for a message
 * in flight when its worker died.
 */

const ROOT = resolve(__dirname, '../..');

/** What arrived, per recipient. */
function perRecipient(sink: SmtpSink, recipients: string[]): Map<string, number> {
  const counts = new Map(recipients.map((r) => [r.toLowerCase(), 0]));
  for (const mail of sink.messages) {
    const to = mail.to.toLowerCase();
    if (counts.has(to)) counts.set(to, counts.get(to)! + 1);
  }
  return counts;
}

/** Runs `work` over `items`, `width` at a time. */
async function inParallel<T, R>(items: T[], width: number, work: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await work(items[index], index);
      }
    }),
  );
  return results;
}

/** The first `times` updates of `table` rows matching `condition` fail, as when PostgreSQL drops the connection then. */
async function failUpdates(t: TestApp, table: string, condition: string, times: number): Promise<{ matched(): Promise<number>; remove(): Promise<void> }> {
  // A sequence counts across rolled-back transactions, which a column could not.
  await sql(t, `CREATE SEQUENCE ${table}_failures`);
  await sql(
    t,
    `CREATE FUNCTION fail_${table}_update() RETURNS trigger LANGUAGE plpgsql AS $$
     BEGIN
       IF ${condition} AND nextval('${table}_failures') <= ${times} THEN
         RAISE EXCEPTION 'terminating connection due to administrator command';
       END IF;
       RETURN NEW;
     END $$`,
  );
  await sql(t, `CREATE TRIGGER fail_${table}_update BEFORE UPDATE ON ${table} FOR EACH ROW EXECUTE FUNCTION fail_${table}_update()`);
  return {
    // is_called: a sequence never used also shows last_value 1.
    matched: async () => (await sql<{ n: number }>(t, `SELECT CASE WHEN is_called THEN last_value ELSE 0 END::int AS n FROM ${table}_failures`))[0].n,
    remove: () => sql(t, `DROP TRIGGER fail_${table}_update ON ${table}; DROP FUNCTION fail_${table}_update(); DROP SEQUENCE ${table}_failures`).then(() => undefined),
  };
}

/** Every outbox row of these recipients sent, and every invitation: the two are recorded in one transaction, so none is left "queued". */
async function expectEverySent(db: TestApp, emails: string[]): Promise<void> {
  const count = (table: string, column: string) =>
    sql<{ status: string; n: string }>(db, `SELECT status, count(*) AS n FROM ${table} WHERE ${column} = ANY($1) GROUP BY status`, [emails]);
  expect(await count('mail_outbox', 'recipient')).toEqual([{ status: 'sent', n: String(emails.length) }]);
  expect(await count('invitations', 'email')).toEqual([{ status: 'sent', n: String(emails.length) }]);
}

describe('mail delivery under failures', () => {
  /** Compiled while the in-process tests run (they mostly wait). */
  let built: Promise<PrivateBuild>;
  beforeAll(() => {
    built = privateBuild();
    built.catch(() => undefined);
  });
  afterAll(async () => (await built.catch(() => null))?.remove());

  describe('one process (api + worker) on a private Redis', () => {
    let t: TestApp;
    let smtp: SmtpSink;
    let redis: PrivateRedis;
    let ws: string;
    let pool: string;

    beforeAll(async () => {
      smtp = await new SmtpSink().start();
      redis = await startPrivateRedis();
      t = await startTestApp(
        {
          SMTP_URL: smtp.url,
          REDIS_URL: redis.url,
          MAIL_RETRY_DELAY_MS: '50',
          MAIL_SWEEP_INTERVAL_MS: '500',
          // Nothing dies here: no claim may run out under a busy machine and let a sweep send a message twice.
          MAIL_CLAIM_SECONDS: '30',
        },
        { listen: true },
      );
      ws = (await createWorkspace(t)).id;
      pool = (await createPool(t, ws)).id;
    });
    afterAll(async () => {
      smtp.refuse = false;
      await t?.close();
      await smtp?.stop();
      await redis?.stop();
    });

    const invite = async (email: string) => {
      const res = await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users`).send({ email, credential: { mode: 'invitation' } });
      if (res.status !== 201) throw new Error(`inviting ${email}: ${res.status} ${res.text}`);
      return res.body as { id: string; email: string };
    };
    const outboxOf = async (email: string) =>
      (await sql<{ status: string; attempts: number; last_error: string | null }>(t, `SELECT status, attempts, last_error FROM mail_outbox WHERE recipient = $1`, [email]))[0];
    const invitationOf = async (userId: string) => (await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${userId}`).expect(200)).body.invitation;

    it('retries while the SMTP server refuses, and delivers exactly once when it accepts again', async () => {
      const email = `${unique('refused')}@example.com`;
      smtp.refuse = true;
      const invited = await invite(email);
      await eventually(async () => {
        const row = await outboxOf(email);
        expect(row.attempts).toBeGreaterThanOrEqual(2);
        expect(row.last_error).toMatch(/450|mailbox unavailable/);
      });
      expect(smtp.to(email)).toHaveLength(0);
      expect((await invitationOf(invited.id)).status).toBe('queued');

      smtp.refuse = false;
      await smtp.waitFor((m) => m.to === email, 15_000);
      await eventually(async () => expect(await outboxOf(email)).toMatchObject({ status: 'sent', last_error: null }));
      expect((await invitationOf(invited.id)).status).toBe('sent');
      // Long enough for a stray retry or a sweep to show up.
      await new Promise((r) => setTimeout(r, 1500));
      expect(smtp.to(email)).toHaveLength(1);
    });

    it('the database failing right after the SMTP server accepted: the email is still sent once, and recorded as sent', async () => {
      // The first two writes of "sent" fail, as when PostgreSQL drops the connection after the send.
      const tag = unique('aftersend');
      const failing = await failUpdates(t, 'mail_outbox', `NEW.status = 'sent' AND NEW.recipient LIKE '${tag}%'`, 2);
      try {
        const email = `${tag}@example.com`;
        const invited = await invite(email);
        await smtp.waitFor((m) => m.to === email, 15_000);
        await eventually(async () => expect(await outboxOf(email)).toMatchObject({ status: 'sent', attempts: 1 }));
        expect(await failing.matched()).toBe(3);
        await eventually(async () => expect((await invitationOf(invited.id)).status).toBe('sent'));
        // Long enough for a retry or a sweep to show up.
        await new Promise((r) => setTimeout(r, 1500));
        expect(smtp.to(email)).toHaveLength(1);
      } finally {
        await failing.remove();
      }
    });

    it('the invitation never recorded as sent: neither is its email, so the two never disagree and a later attempt settles both', async () => {
      // Every write the worker tries after the send fails (ten, about 9 s), as in a crash between the two.
      const email = `${unique('agree')}@example.com`;
      const failing = await failUpdates(t, 'invitations', `NEW.status = 'sent' AND NEW.email = '${email}'`, 10);
      let invited: { id: string };
      try {
        invited = await invite(email);
        await smtp.waitFor((m) => m.to === email, 15_000);
        await eventually(async () => expect(await failing.matched()).toBe(10), 20_000, 100);
        await new Promise((r) => setTimeout(r, 500));
        expect((await outboxOf(email)).status).toBe('sending');
        expect((await invitationOf(invited.id)).status).toBe('queued');
      } finally {
        await failing.remove();
      }
      // Once the claim (MAIL_CLAIM_SECONDS) runs out, the sweeper sends it again: the one duplicate the README allows.
      await eventually(async () => expect((await invitationOf(invited.id)).status).toBe('sent'), 45_000, 500);
      expect((await outboxOf(email)).status).toBe('sent');
      expect(smtp.to(email)).toHaveLength(2);
    }, 75_000);

    it('the database failing as a refused attempt is handed back: the next attempt goes out at once, not after the claim expires', async () => {
      // The first write of "pending" for this recipient fails, as when PostgreSQL drops the connection then.
      const email = `${unique('release')}@example.com`;
      const failing = await failUpdates(t, 'mail_outbox', `NEW.status = 'pending' AND OLD.status = 'sending' AND NEW.recipient = '${email}'`, 1);
      smtp.refuse = true;
      try {
        const invited = await invite(email);
        await eventually(async () => expect(await failing.matched()).toBe(1), 10_000, 20);
        smtp.refuse = false;
        // Far sooner than MAIL_CLAIM_SECONDS (30 s), after which a sweep would have freed a row left claimed.
        await smtp.waitFor((m) => m.to === email, 5_000);
        await eventually(async () => expect(await outboxOf(email)).toMatchObject({ status: 'sent', last_error: null }));
        expect((await invitationOf(invited.id)).status).toBe('sent');
        await new Promise((r) => setTimeout(r, 1500));
        expect(smtp.to(email)).toHaveLength(1);
      } finally {
        smtp.refuse = false;
        await failing.remove();
      }
    });

    it('the database refusing every claim of a message, job after job: the sweeper keeps re-queuing it, and it goes out once', async () => {
      // Twelve failed claims: the first job's six attempts, then the six of the job a sweep queues for the row,
      // which the next sweep must be able to queue again. A failed claim is not an attempt at the message.
      const email = `${unique('claims')}@example.com`;
      const failing = await failUpdates(t, 'mail_outbox', `NEW.status = 'sending' AND NEW.recipient = '${email}'`, 12);
      try {
        const invited = await invite(email);
        // The sweeper leaves rows younger than 10 s to the path that queued them.
        await smtp.waitFor((m) => m.to === email, 30_000);
        expect(await failing.matched()).toBe(13);
        await eventually(async () => expect(await outboxOf(email)).toMatchObject({ status: 'sent', attempts: 1 }));
        expect((await invitationOf(invited.id)).status).toBe('sent');
        await new Promise((r) => setTimeout(r, 1500));
        expect(smtp.to(email)).toHaveLength(1);
      } finally {
        await failing.remove();
      }
    }, 60_000);

    it('gives up after 6 attempts: outbox row and invitation "failed", with the last error kept', async () => {
      const email = `${unique('refused')}@example.com`;
      smtp.refuse = true;
      try {
        const invited = await invite(email);
        await eventually(async () => expect((await outboxOf(email)).status).toBe('failed'), 20_000, 200);
        const row = await outboxOf(email);
        expect(row.attempts).toBe(6);
        expect(row.last_error).toMatch(/450|mailbox unavailable/);
        expect((await invitationOf(invited.id)).status).toBe('failed');
        // Given up for good: neither the queue nor a sweep tries again.
        await new Promise((r) => setTimeout(r, 1500));
        expect((await outboxOf(email)).attempts).toBe(6);
      } finally {
        smtp.refuse = false;
      }
      expect(smtp.to(email)).toHaveLength(0);
    });

    it('while Redis is down, invitations are still created at once; every email arrives exactly once after it is back', async () => {
      const N = 20;
      const emails = Array.from({ length: N }, (_, i) => `${unique(`down${i}`)}@example.com`);
      await redis.shutdownNoSave();
      try {
        const timings: number[] = [];
        for (const email of emails) {
          const started = Date.now();
          await invite(email);
          timings.push(Date.now() - started);
        }
        // A request waiting on the dead Redis would never answer; the bound only allows for a busy machine.
        expect(Math.max(...timings)).toBeLessThan(3000);
        expect(smtp.messages.filter((m) => emails.includes(m.to))).toHaveLength(0);
        const pending = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM mail_outbox WHERE recipient = ANY($1) AND status = 'pending'`, [emails]);
        expect(Number(pending[0].n)).toBe(N);
      } finally {
        await redis.start();
      }
      await eventually(async () => expect([...perRecipient(smtp, emails).values()].every((n) => n >= 1)).toBe(true), 30_000, 200);
      await new Promise((r) => setTimeout(r, 1500));
      expect([...perRecipient(smtp, emails).entries()].filter(([, n]) => n !== 1)).toEqual([]);
      const sent = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM mail_outbox WHERE recipient = ANY($1) AND status = 'sent'`, [emails]);
      expect(Number(sent[0].n)).toBe(N);
    }, 60_000);

    it('FLUSHALL in the middle of a batch loses nothing', async () => {
      const N = 150;
      const emails = Array.from({ length: N }, (_, i) => `${unique(`flush${i}`)}@example.com`);
      smtp.delayMs = 20;
      try {
        await inParallel(emails, 10, (email) => invite(email));
        await eventually(async () => expect(smtp.messages.filter((m) => emails.includes(m.to)).length).toBeGreaterThanOrEqual(30), 15_000, 5);
        await redis.command('FLUSHALL');
        const atFlush = smtp.messages.filter((m) => emails.includes(m.to)).length;
        expect(atFlush).toBeLessThan(N);

        await eventually(async () => expect([...perRecipient(smtp, emails).values()].filter((n) => n === 0)).toHaveLength(0), 40_000, 200);
      } finally {
        smtp.delayMs = 0;
      }
      await new Promise((r) => setTimeout(r, 1500));
      expect([...perRecipient(smtp, emails).entries()].filter(([, n]) => n !== 1)).toEqual([]);
      await expectEverySent(t, emails);
    }, 60_000);
  });

  describe('api and worker processes of the built server', () => {
    const N = 300;
    let build: PrivateBuild;
    let smtp: SmtpSink;
    let redis: PrivateRedis;
    const children: ChildProcess[] = [];
    const outputs: string[] = [];
    let env: Record<string, string>;
    let api: { baseUrl: string };

    function spawnServer(role: 'api' | 'worker', extra: Record<string, string> = {}) {
      const child = spawn(process.execPath, [build.main], { cwd: ROOT, env: { PATH: process.env.PATH, ...env, ROLE: role, ...(role === 'worker' ? { PORT: '0' } : {}), ...extra }, stdio: ['ignore', 'pipe', 'pipe'] });
      const index = outputs.push('') - 1;
      const collect = (chunk: Buffer) => (outputs[index] += chunk.toString('utf8'));
      child.stdout!.on('data', collect);
      child.stderr!.on('data', collect);
      children.push(child);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      return { child, exited, output: () => outputs[index] };
    }

    async function waitFor(what: string, check: () => boolean | Promise<boolean>, output: () => string, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!(await check())) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    beforeAll(async () => {
      [build, smtp, redis] = await Promise.all([built, new SmtpSink().start(), startPrivateRedis()]);
      const port = await freePort();
      env = {
        NODE_ENV: 'development',
        LOG_LEVEL: 'info',
        ROOT_API_KEY: ROOT_KEY,
        DATABASE_URL: databaseUrl(`${runPrefix()}_mailkill_${randomBytes(3).toString('hex')}`),
        REDIS_URL: redis.url,
        SMTP_URL: smtp.url,
        PORT: String(port),
        PUBLIC_URL: `http://127.0.0.1:${port}`,
        MAIL_CLAIM_SECONDS: '30',
        MAIL_SWEEP_INTERVAL_MS: '500',
        MAIL_RETRY_DELAY_MS: '100',
      };
      api = { baseUrl: env.PUBLIC_URL };
      const apiProcess = spawnServer('api');
      await waitFor('the api to listen', async () => (await fetch(`${api.baseUrl}/health/live`).catch(() => null))?.ok === true, apiProcess.output);
    }, 90_000);

    afterAll(async () => {
      for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await smtp?.stop();
      await redis?.stop();
    });

    it(`kill -9 of the worker in the middle of ${N} invitations: every recipient gets the email; duplicates only for messages in flight`, async () => {
      const call = async (method: string, path: string, body?: unknown) => {
        const res = await fetch(`${api.baseUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/json' },
          body: body === undefined ? undefined : JSON.stringify(body),
        });
        const text = await res.text();
        if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
        return text ? JSON.parse(text) : null;
      };
      const ws = (await call('POST', '/v1/workspaces', { name: unique('kill') })).id as string;
      const pool = (await call('POST', `/v1/workspaces/${ws}/pools`, { name: 'Everyone' })).id as string;
      const run = randomBytes(3).toString('hex');
      const emails = Array.from({ length: N }, (_, i) => `kill-${run}-${String(i).padStart(3, '0')}@example.com`);

      // All queued before any worker runs, so the batch is in flight when the worker dies.
      await inParallel(emails, 10, (email) => call('POST', `/v1/workspaces/${ws}/pools/${pool}/users`, { email, credential: { mode: 'invitation' } }));
      const db = { databaseUrl: env.DATABASE_URL } as TestApp;

      smtp.delayMs = 10;
      // The claims of the worker to be killed run out after 3 s (locked_until is set by the claimer); its own
      // sweeper stays quiet, so nothing it sends is taken over while it lives.
      const first = spawnServer('worker', { MAIL_CLAIM_SECONDS: '3', MAIL_SWEEP_INTERVAL_MS: '15000' });
      const arrived = () => smtp.messages.filter((m) => m.to.startsWith(`kill-${run}-`)).length;
      await waitFor('a third of the batch', () => arrived() >= N / 3, first.output);
      first.child.kill('SIGKILL');
      await first.exited;
      const atKill = arrived();
      const held = await sql<{ recipient: string }>(db, `SELECT recipient FROM mail_outbox WHERE recipient = ANY($1) AND status = 'sending'`, [emails]);
      const inFlight = new Set(held.map((row) => row.recipient));
      expect(atKill).toBeLessThan(N);

      // As a supervisor would, a little later: by then the dead worker's claims (MAIL_CLAIM_SECONDS=3) ran out, and
      // the new worker's first sweep must take its messages over (BullMQ itself frees their jobs only after 30 s and more).
      await waitFor(
        "the killed worker's claims to run out",
        async () => (await sql(db, `SELECT 1 FROM mail_outbox WHERE recipient = ANY($1) AND status = 'sending' AND locked_until > now()`, [emails])).length === 0,
        () => '',
        10_000,
      );
      const second = spawnServer('worker');
      const restarted = Date.now();
      await waitFor(
        'every recipient to get an email',
        () => [...perRecipient(smtp, emails).values()].every((n) => n >= 1),
        () => `${second.output()}\narrived ${arrived()} of ${N}`,
        15_000,
      );
      const recoveredMs = Date.now() - restarted;
      smtp.delayMs = 0;
      await new Promise((r) => setTimeout(r, 2000));

      const counts = perRecipient(smtp, emails);
      const duplicated = [...counts.entries()].filter(([, n]) => n > 1);
      const duplicates = duplicated.reduce((sum, [, n]) => sum + n - 1, 0);
      process.stderr.write(
        `[mail-delivery] kill -9 test: ${N} invitations; ${atKill} arrived before the kill, ${inFlight.size} held ("sending") by the killed worker; ` +
          `all delivered ${recoveredMs} ms after the new worker started; ${duplicates} duplicate(s) for ${duplicated.length} recipient(s)\n`,
      );
      // The README's one exception: a message the SMTP server had accepted when its worker died.
      for (const [recipient] of duplicated) expect(inFlight.has(recipient) ? recipient : `${recipient} was not in flight`).toBe(recipient);
      expect([...counts.values()].every((n) => n >= 1)).toBe(true);
      await expectEverySent(db, emails);

      // A re-sent message carries a fresh link; the copy that arrived before it still works.
      for (const [recipient] of duplicated.slice(0, 3)) {
        const links = smtp.to(recipient).map((m) => new URL(m.links[0]).searchParams.get('token')!);
        expect(new Set(links).size).toBe(links.length);
        for (const token of links.slice(-2)) expect((await fetch(`${api.baseUrl}/v1/self-service/invitations?token=${token}`)).status).toBe(200);
      }

      // Neither process logged a link token.
      const log = outputs.join('\n');
      expect(log).toMatch(/"level":\d+/);
      for (const mail of smtp.messages) {
        const token = new URL(mail.links[0]).searchParams.get('token')!;
        expect(log.includes(token) ? `a log line contains the token sent to ${mail.to}` : null).toBeNull();
      }
    }, 90_000);
  });
});
