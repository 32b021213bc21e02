import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import request from 'supertest';
import { createPool, createWorkspace, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { ReceivedMail, SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of invitations, self-service and their emails: each test in "defects" proves one
 * found by reading the code and probing the running app (it fails until fixed); the
 * last block pins subtle behaviour that is right and not covered elsewhere. Each end-user
 * request comes from its own address (TRUST_PROXY + X-Forwarded-For) unless a test means
 * to share one.
 */

const PASSWORD = 'correct horse battery';
const PER_IP = 6;

type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

describe('self-service audit', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: { id: string; name: string };
  /** Registration closed; invitations and resets happen here (minLength 12). */
  let closed: string;
  /** Registration with email verification. */
  let verifying: string;
  /** Registration without email verification. */
  let direct: string;

  const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
  const user = (method: 'get' | 'post', path: string, ip = freshIp()) => t.http[method](path).set('X-Forwarded-For', ip);
  const admin = (method: Method, path: string) => t.root(method, `/v1/workspaces/${ws.id}${path}`);
  const usersOf = (pool: string) => `/pools/${pool}/users`;
  const getUser = async (pool: string, id: string) => (await admin('get', `${usersOf(pool)}/${id}`).expect(200)).body;

  const mailTo = (email: string, subject: RegExp, timeoutMs?: number) =>
    smtp.waitFor((m) => m.to.toLowerCase().includes(email.toLowerCase()) && subject.test(m.subject), timeoutMs);
  const tokenOf = (mail: ReceivedMail, page: string) => {
    const link = mail.links.find((l) => l.includes(`/self-service/${page}?token=`));
    if (!link) throw new Error(`no ${page} link in "${mail.subject}": ${mail.text}`);
    return new URL(link).searchParams.get('token')!;
  };

  const invite = async (pool = closed) => {
    const email = `${unique('inv')}@example.com`;
    const created = (await admin('post', usersOf(pool)).send({ email, credential: { mode: 'invitation' } }).expect(201)).body as { id: string };
    const token = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
    return { id: created.id, email, token };
  };
  const activeUser = async (pool = closed) => {
    const email = `${unique('active')}@example.com`;
    const created = (await admin('post', usersOf(pool)).send({ email, credential: { mode: 'password', password: 'the original password' } }).expect(201)).body as { id: string };
    return { id: created.id, email };
  };
  const resetLink = async (email: string, pool = closed) => {
    await user('post', '/v1/self-service/password-resets').send({ poolId: pool, email }).expect(202);
    return tokenOf(await mailTo(email, /Reset your/), 'reset-password');
  };
  const registerPending = async () => {
    const email = `${unique('pending')}@example.com`;
    await user('post', '/v1/self-service/registrations').send({ poolId: verifying, email, password: PASSWORD }).expect(202);
    const token = tokenOf(await mailTo(email, /Confirm your email/), 'verify-email');
    const [row] = await sql<{ id: string }>(t, `SELECT id FROM users WHERE pool_id = $1 AND email = $2`, [verifying, email]);
    return { id: row.id, email, token };
  };

  /**
   * Holds the user's row lock (as a concurrent admin change of the user would), fires the
   * requests one after another, each once the earlier ones wait on a lock, then lets go:
   * a deterministic way to have them meet in that order.
   */
  async function meetOnUserRow(userId: string, fire: (() => Promise<request.Response>)[]): Promise<request.Response[]> {
    const locker = new Client({ connectionString: t.databaseUrl });
    await locker.connect();
    const waiting = (n: number) =>
      eventually(
        async () => {
          const [row] = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`);
          expect(Number(row.n)).toBeGreaterThanOrEqual(n);
        },
        10_000,
        20,
      );
    const pending: Promise<request.Response>[] = [];
    try {
      await locker.query('BEGIN');
      await locker.query('SELECT 1 FROM users WHERE id = $1 FOR UPDATE', [userId]);
      for (const [index, send] of fire.entries()) {
        pending.push(send());
        await waiting(index + 1);
      }
    } finally {
      await locker.query('COMMIT').catch(() => undefined);
      await locker.end();
    }
    return Promise.all(pending);
  }
  /** Statuses by name, with the body of any 5xx so a failure shows it. */
  const outcomes = (answers: Record<string, request.Response>) =>
    Object.fromEntries(Object.entries(answers).map(([name, res]) => [name, res.status >= 500 ? `${res.status} ${res.text}` : res.status]));
  /** A supertest request that is sent now (supertest sends lazily, on then). */
  const now = (req: request.Test) => () => new Promise<request.Response>((resolve, reject) => req.then(resolve, reject));

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp(
      {
        SMTP_URL: smtp.url,
        TRUST_PROXY: '1',
        RATE_LIMIT_SELF_SERVICE_PER_IP: String(PER_IP),
        RATE_LIMIT_SELF_SERVICE_PER_EMAIL: '50',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      },
      { listen: true },
    );
    ws = await createWorkspace(t, { name: unique('Acme') });
    closed = (await createPool(t, ws.id, { name: 'Staff', passwordPolicy: { minLength: 12 } })).id;
    verifying = (await createPool(t, ws.id, { name: 'Customers', passwordPolicy: { minLength: 10 }, selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
    direct = (await createPool(t, ws.id, { name: 'Partners', passwordPolicy: { minLength: 10 }, selfRegistration: { enabled: true, requireEmailVerification: false } })).id;
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('defects', () => {
    // Links are bound to the address they were mailed to (Keycloak's action tokens carry the email; Cognito codes the attribute value):
    // after an admin changes the email, the old address's link must not show it nor mark the new address verified (API.md: accept → "email verified").
    it('an invitation mailed before the admin changed the email stops working (it would verify an address nobody proved)', async () => {
      const invited = await invite();
      const changed = `${unique('changed')}@example.com`;
      await admin('patch', `${usersOf(closed)}/${invited.id}`).send({ email: changed }).expect(200);

      const details = await user('get', '/v1/self-service/invitations').query({ token: invited.token });
      expect(details.status === 404 || details.status === 410 ? null : `${details.status} ${details.text}`).toBeNull();
      const accepted = await user('post', '/v1/self-service/invitations/accept').send({ token: invited.token, password: 'long enough password' });
      expect([404, 410]).toContain(accepted.status);
      expect(await getUser(closed, invited.id)).toMatchObject({ email: changed, status: 'invited', emailVerified: false });
    });

    // Same binding for the verification link (Keycloak's VerifyEmailActionToken is refused once the user's email differs).
    it('a verification link mailed before the admin changed the email does not verify the new address', async () => {
      const pending = await registerPending();
      const changed = `${unique('changed')}@example.com`;
      await admin('patch', `${usersOf(verifying)}/${pending.id}`).send({ email: changed }).expect(200);

      const res = await user('post', '/v1/self-service/verifications').send({ token: pending.token });
      expect([404, 410]).toContain(res.status);
      expect(await getUser(verifying, pending.id)).toMatchObject({ email: changed, emailVerified: false });
    });

    // As Cognito sends a code to a changed email: otherwise the user stays pending, with no link that works.
    it('a user still verifying gets a new verification link at the address the admin set, which verifies it', async () => {
      const pending = await registerPending();
      const changed = `${unique('moved')}@example.com`;
      await admin('patch', `${usersOf(verifying)}/${pending.id}`).send({ email: changed }).expect(200);

      const token = tokenOf(await mailTo(changed, /Confirm your email/), 'verify-email');
      await user('post', '/v1/self-service/verifications').send({ token }).expect(200);
      expect(await getUser(verifying, pending.id)).toMatchObject({ email: changed, emailVerified: true, status: 'active' });
    });

    // A reset link proves the mailbox it went to, not the one the admin set afterwards: emailVerified must not turn true for it.
    it('a reset link mailed before the admin changed the email does not mark the new address verified', async () => {
      const account = await activeUser();
      const token = await resetLink(account.email);
      const changed = `${unique('changed')}@example.com`;
      await admin('patch', `${usersOf(closed)}/${account.id}`).send({ email: changed }).expect(200);

      await user('post', '/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' });
      expect(await getUser(closed, account.id)).toMatchObject({ email: changed, emailVerified: false });
    });

    // API.md: accept → "200 user (active, email verified)"; an admin who disables an invited user expects the link to stop working.
    it('an invitation of a user the admin disabled stops working', async () => {
      const invited = await invite();
      await admin('patch', `${usersOf(closed)}/${invited.id}`).send({ status: 'disabled' }).expect(200);

      const details = await user('get', '/v1/self-service/invitations').query({ token: invited.token });
      expect([404, 410]).toContain(details.status);
      const accepted = await user('post', '/v1/self-service/invitations/accept').send({ token: invited.token, password: 'long enough password' });
      expect(accepted.status).not.toBe(200);
      const page = await user('post', '/self-service/accept-invitation').type('form').send({ token: invited.token, password: 'long enough password' });
      expect(page.text).not.toContain('Your account is ready');
      expect((await getUser(closed, invited.id)).status).toBe('disabled');
    });

    // Hosted pages must say what happened to a dead link: after an admin PUT password no newer invitation exists to look for.
    it('after an admin sets the password, the old invitation link does not send the user looking for a "newer invitation"', async () => {
      const invited = await invite();
      await admin('put', `${usersOf(closed)}/${invited.id}/password`).send({ password: 'set by the admin' }).expect(204);

      const res = await user('get', '/v1/self-service/invitations').query({ token: invited.token }).expect(410);
      expect(res.body.detail).not.toMatch(/newer invitation/i);
      const page = await user('get', `/self-service/accept-invitation?token=${encodeURIComponent(invited.token)}`).expect(410);
      expect(page.text).not.toMatch(/newer invitation|Invitation replaced/i);
      // For contrast, a real re-send is still described as one.
      const other = await invite();
      await admin('post', `${usersOf(closed)}/${other.id}/invitations`).expect(202);
      expect((await user('get', '/v1/self-service/invitations').query({ token: other.token }).expect(410)).body.detail).toMatch(/newer invitation/i);
    });

    // API.md: 5xx only for failures; concurrent admin and end-user actions on one user must each get a 2xx/4xx.
    // (The link flows lock the token row, then the user; admin PUT password / re-send / DELETE lock the user, then the token rows.)
    it('accepting an invitation while an admin sets the password: no 500 (deadlock)', async () => {
      const invited = await invite();
      const [put, accept] = await meetOnUserRow(invited.id, [
        now(admin('put', `${usersOf(closed)}/${invited.id}/password`).send({ password: 'set by the admin' })),
        now(user('post', '/v1/self-service/invitations/accept').send({ token: invited.token, password: 'chosen by the user' })),
      ]);
      // Either order is fine (the admin first: the link is spent, 410); a 500 is not.
      expect([{ put: 204, accept: 410 }, { put: 204, accept: 200 }]).toContainEqual(outcomes({ put, accept }));
    });

    it('accepting an invitation while an admin re-sends it: no 500 (deadlock)', async () => {
      const invited = await invite();
      const [resend, accept] = await meetOnUserRow(invited.id, [
        now(admin('post', `${usersOf(closed)}/${invited.id}/invitations`)),
        now(user('post', '/v1/self-service/invitations/accept').send({ token: invited.token, password: 'chosen by the user' })),
      ]);
      // Either order is fine (re-send first: the earlier link is retired, 410; accept first: nobody to re-invite, 409); a 500 is not.
      expect([{ resend: 202, accept: 410 }, { resend: 409, accept: 200 }]).toContainEqual(outcomes({ resend, accept }));
    });

    it('confirming a password reset while an admin deletes the user: no 500 (deadlock)', async () => {
      const account = await activeUser();
      const token = await resetLink(account.email);
      const [deleted, confirm] = await meetOnUserRow(account.id, [
        now(admin('delete', `${usersOf(closed)}/${account.id}`)),
        now(user('post', '/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' })),
      ]);
      // Either order is fine (the delete first: the link names nobody, 404 or 410); a 500 is not.
      expect([{ deleted: 204, confirm: 404 }, { deleted: 204, confirm: 410 }, { deleted: 204, confirm: 204 }]).toContainEqual(outcomes({ deleted, confirm }));
    });

    // "Forms post and show results": the hosted registration page says an email with a link is on its way; in a pool
    // without email verification none is ever sent to a new user (the account is active at once).
    it('the hosted registration page in a pool without verification does not promise an email that never comes', async () => {
      const email = `${unique('direct')}@example.com`;
      const page = await user('post', '/self-service/register').type('form').send({ poolId: direct, email, password: PASSWORD }).expect(200);
      expect((await sql(t, `SELECT status FROM users WHERE pool_id = $1 AND email = $2`, [direct, email]))[0]).toEqual({ status: 'active' });
      if (/sent a message|check your email|follow the link/i.test(page.text)) {
        const mail = await mailTo(email, /./, 5000).catch(() => null);
        expect(mail ? null : `the page says "${page.text.match(/<h1>([^<]*)/)?.[1]}" / "sent a message", but no email reached ${email}`).toBeNull();
      }
    });

    // A pending user whose 24 h link expired has no way in: the only email a new registration brings says "sign in with your
    // password" (refused while pending) and carries no link. Cognito (ResendConfirmationCode), Auth0 and Keycloak all re-send.
    it('registering again with a pending email whose verification link expired brings a working link', async () => {
      const pending = await registerPending();
      await sql(t, `UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [pending.id]);
      await user('post', '/v1/self-service/registrations').send({ poolId: verifying, email: pending.email, password: PASSWORD }).expect(202);

      const linkIn = (m: ReceivedMail) => m.links.find((l) => /\/self-service\/(verify-email|reset-password)\?token=/.test(l) && !l.includes(pending.token));
      const fresh = await smtp.waitFor((m) => m.to.toLowerCase() === pending.email.toLowerCase() && !!linkIn(m), 5000).catch(() => null);
      const latest = smtp.to(pending.email).at(-1)!;
      expect(fresh ? null : `no new link; the last email, "${latest.subject}", says: ${latest.text}`).toBeNull();
      const link = linkIn(fresh!)!;
      expect(link.startsWith(t.baseUrl)).toBe(true);
      const token = new URL(link!).searchParams.get('token')!;
      if (link!.includes('verify-email')) await user('post', '/v1/self-service/verifications').send({ token }).expect(200);
      else await user('post', '/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' }).expect(204);
      expect((await getUser(verifying, pending.id)).status).toBe('active');
    });

    // The "already have an account" email used to tell the reader to use "forgot password", with no link and no hosted
    // page to ask for a reset; it now carries a reset link itself (Keycloak / Auth0 / Cognito all offer the way back in).
    it('the "already have an account" email carries a working link to choose a new password; the account is untouched until then', async () => {
      const account = await activeUser(verifying);
      await user('post', '/v1/self-service/registrations').send({ poolId: verifying, email: account.email, password: 'the registering party typed this' }).expect(202);
      const mail = await mailTo(account.email, /already have/);
      const link = mail.links.find((l) => l.startsWith(`${t.baseUrl}/self-service/reset-password?token=`));
      expect(link ?? `no reset link in: ${mail.text}`).toMatch(/^http/);
      const page = await user('get', new URL(link!).pathname + new URL(link!).search).expect(200);
      expect(page.text).toMatch(/<form method="post"/);
      const token = new URL(link!).searchParams.get('token')!;
      await user('post', '/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' }).expect(204);
      expect((await getUser(verifying, account.id)).status).toBe('active');
    });

    // README: RATE_LIMIT_SELF_SERVICE_PER_IP counts self-service requests; a refused form post re-rendered by the hosted
    // page counts twice (the action, then the look-up for the re-render), so a user gets 429 after half the allowance.
    it.each(['accept-invitation', 'reset-password'])('a refused form post to /self-service/%s counts once against the per-IP limit', async (page) => {
      let token: string;
      if (page === 'accept-invitation') token = (await invite()).token;
      else token = await resetLink((await activeUser()).email);
      const ip = freshIp();
      await user('get', `/self-service/${page}?token=${encodeURIComponent(token)}`, ip).expect(200);
      const answers: string[] = [];
      for (let i = 1; i < PER_IP; i++) {
        const res = await user('post', `/self-service/${page}`, ip).type('form').send({ token, password: 'short' });
        answers.push(`${res.status}${/<form method="post"/.test(res.text) ? ' form' : ''}`);
      }
      expect(answers).toEqual(Array(PER_IP - 1).fill('400 form'));
      await user('get', `/self-service/${page}?token=${encodeURIComponent(token)}`, ip).expect(429);
    });
  });

  describe('correct behaviour worth pinning', () => {
    it('a reset link issued before the admin disabled the user never enables it', async () => {
      const account = await activeUser();
      const token = await resetLink(account.email);
      await admin('patch', `${usersOf(closed)}/${account.id}`).send({ status: 'disabled' }).expect(200);
      const res = await user('post', '/v1/self-service/password-resets/confirm').send({ token, password: 'a brand new passphrase' });
      expect(res.status).toBeLessThan(500);
      expect((await getUser(closed, account.id)).status).toBe('disabled');
    });

    it('re-sending to an active user is a 409 problem naming status, and sends nothing', async () => {
      const account = await activeUser();
      const res = await admin('post', `${usersOf(closed)}/${account.id}/invitations`).expect(409);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.errors?.[0]?.field).toBe('status');
      await new Promise((r) => setTimeout(r, 500));
      expect(smtp.to(account.email)).toHaveLength(0);
    });

    it('the link of a deleted invited user answers 404 to the API and the page, not 500', async () => {
      const invited = await invite();
      await admin('delete', `${usersOf(closed)}/${invited.id}`).expect(204);
      await user('get', '/v1/self-service/invitations').query({ token: invited.token }).expect(404);
      const page = await user('get', `/self-service/accept-invitation?token=${encodeURIComponent(invited.token)}`).expect(404);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
    });

    it('invitation details give the expiry the admin API shows, and the email states it', async () => {
      const invited = await invite();
      const details = await user('get', '/v1/self-service/invitations').query({ token: invited.token }).expect(200);
      const shown = await getUser(closed, invited.id);
      expect(details.body.expiresAt).toBe(shown.invitation.expiresAt);
      const mail = await mailTo(invited.email, /invited/);
      expect(mail.text).toContain(new Date(details.body.expiresAt).toUTCString());
      expect(mail.text).toContain(ws.name);
      expect(mail.html).toContain('Staff');
    });
  });
});
