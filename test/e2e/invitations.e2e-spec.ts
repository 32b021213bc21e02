import { createPool, createUser, createWorkspace, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

describe('invitations by email', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp({ SMTP_URL: smtp.url, IMPORT_CHUNK_SIZE: '4', MAIL_SWEEP_INTERVAL_MS: '200' }, { listen: true });
    ws = (await createWorkspace(t, { name: 'Acme Corp' })).id;
    pool = (await createPool(t, ws, { name: 'Customers', passwordPolicy: { minLength: 10 } })).id;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const tokenOf = (link: string) => new URL(link).searchParams.get('token')!;

  it('emails an invitation whose link sets the password and activates the user', async () => {
    const email = `${unique('inv')}@example.com`;
    const user = await createUser(t, ws, pool, { email, credential: { mode: 'invitation' } });
    expect(user.status).toBe('invited');

    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.messageId).toMatch(new RegExp(`^<[0-9a-f-]{36}@${mail.from.split('@')[1].replace(/\./g, '\\.')}>$`));
    expect(smtp.messages.filter((m) => m.messageId === mail.messageId)).toHaveLength(1);
    expect(mail.subject).toContain('Acme Corp');
    expect(mail.text).toContain('Customers');
    const link = mail.links.find((l) => l.includes('/self-service/accept-invitation?token='))!;
    expect(link.startsWith(t.baseUrl)).toBe(true);
    expect(mail.html).toContain(link.replace(/&/g, '&amp;'));

    await eventually(async () => {
      const sent = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200);
      expect(sent.body.invitation.status).toBe('sent');
      expect(sent.body.invitation.sentAt).not.toBeNull();
    });

    const token = tokenOf(link);
    const details = await t.http.get('/v1/self-service/invitations').query({ token }).expect(200);
    expect(details.body).toMatchObject({ email, poolName: 'Customers' });

    await t.http.post('/v1/self-service/invitations/accept').send({ token, password: 'short' }).expect(400);
    const accepted = await t.http.post('/v1/self-service/invitations/accept').send({ token, password: 'long enough password', givenName: 'Ada' }).expect(200);
    expect(accepted.body).toMatchObject({ id: user.id, status: 'active', emailVerified: true, givenName: 'Ada' });
    expect(accepted.body.invitation.status).toBe('accepted');

    await t.http.post('/v1/self-service/invitations/accept').send({ token, password: 'long enough password' }).expect(410);
    await t.http.get('/v1/self-service/invitations').query({ token }).expect(410);
    await t.http.get('/v1/self-service/invitations').query({ token: 'not-a-real-token' }).expect(404);
  });

  /**
   * The same email sent twice: what a worker killed between the SMTP server's OK and its
   * record of it leaves (the outbox row found unsent, held by nobody, and sent again).
   */
  async function sendAgain(recipient: string, first: string): Promise<string> {
    await sql(t, `UPDATE mail_outbox SET status = 'sending', locked_until = now() - interval '1 second', created_at = now() - interval '1 minute' WHERE recipient = $1`, [recipient]);
    const again = await smtp.waitFor((m) => m.to.includes(recipient) && !m.links.includes(first), 15_000);
    return again.links.find((l) => l.includes('token='))!;
  }

  it('an email sent again after an interrupted send carries a new link, and the copy already delivered still works', async () => {
    const email = `${unique('twice')}@example.com`;
    const user = await createUser(t, ws, pool, { email, credential: { mode: 'invitation' } });
    const first = (await smtp.waitFor((m) => m.to.includes(email))).links.find((l) => l.includes('token='))!;
    await eventually(async () => expect((await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200)).body.invitation.status).toBe('sent'));
    const second = await sendAgain(email, first);
    expect(tokenOf(second)).not.toBe(tokenOf(first));

    for (const link of [first, second]) await t.http.get('/v1/self-service/invitations').query({ token: tokenOf(link) }).expect(200);
    await t.http.post('/v1/self-service/invitations/accept').send({ token: tokenOf(first), password: 'long enough password' }).expect(200);
    // One invitation: once either link is used, both are spent.
    await t.http.get('/v1/self-service/invitations').query({ token: tokenOf(second) }).expect(410);
  });

  it('a password reset email sent again: the copy already delivered still works, and either link spends both', async () => {
    const email = `${unique('reset-twice')}@example.com`;
    await createUser(t, ws, pool, { email, credential: { mode: 'password', password: 'an old long password' } });
    await t.http.post('/v1/self-service/password-resets').send({ poolId: pool, email }).expect(202);
    const first = (await smtp.waitFor((m) => m.to.includes(email) && /Reset/.test(m.subject))).links.find((l) => l.includes('token='))!;
    await eventually(async () => expect(await sql(t, `SELECT status FROM mail_outbox WHERE recipient = $1`, [email])).toEqual([{ status: 'sent' }]));
    const second = await sendAgain(email, first);
    expect(tokenOf(second)).not.toBe(tokenOf(first));

    await t.http.post('/v1/self-service/password-resets/confirm').send({ token: tokenOf(first), password: 'a brand new password' }).expect(204);
    await t.http.post('/v1/self-service/password-resets/confirm').send({ token: tokenOf(second), password: 'another new password' }).expect(410);
  });

  it('re-sending invalidates the earlier link', async () => {
    const email = `${unique('inv')}@example.com`;
    const user = await createUser(t, ws, pool, { email, credential: { mode: 'invitation' } });
    const first = tokenOf((await smtp.waitFor((m) => m.to.includes(email))).links[0]);
    await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/invitations`).expect(202);
    await smtp.waitFor(() => smtp.to(email).length === 2);
    const second = tokenOf(smtp.to(email)[1].links[0]);
    expect(second).not.toBe(first);
    await t.http.get('/v1/self-service/invitations').query({ token: first }).expect(410);
    await t.http.get('/v1/self-service/invitations').query({ token: second }).expect(200);
  });

  it('a migration with sendInvitations emails each user it creates as invited once, across chunks; without it, nobody', async () => {
    const existing = `${unique('mig')}@example.com`;
    await createUser(t, ws, pool, { email: existing, credential: { mode: 'invitation' } });
    await smtp.waitFor((m) => m.to.includes(existing));
    const invited = Array.from({ length: 9 }, () => `${unique('mig')}@example.com`);
    const withPassword = `${unique('mig')}@example.com`;
    const users = [...invited.map((email) => ({ email })), { email: withPassword, password: 'long enough password' }, { email: existing }];
    const imports = `/v1/workspaces/${ws}/pools/${pool}/imports`;

    const job = (await t.root('post', imports).send({ users, options: { sendInvitations: true } }).expect(202)).body;
    const done = await eventually(async () => {
      const res = await t.root('get', `${imports}/${job.id}`).expect(200);
      expect(res.body.status).toBe('completed');
      return res.body;
    });
    expect(done).toMatchObject({ created: 10, skipped: 1, failed: 0 });
    await smtp.waitFor(() => invited.every((email) => smtp.to(email).length > 0));
    for (const email of invited) {
      const [mail] = smtp.to(email);
      const token = tokenOf(mail.links.find((l) => l.includes('/self-service/accept-invitation?token='))!);
      const details = await t.http.get('/v1/self-service/invitations').query({ token }).expect(200);
      expect(details.body).toMatchObject({ email, poolName: 'Customers' });
    }

    const quiet = `${unique('mig')}@example.com`;
    const silent = (await t.root('post', imports).send({ users: [{ email: quiet }] }).expect(202)).body;
    await eventually(async () => expect((await t.root('get', `${imports}/${silent.id}`).expect(200)).body.status).toBe('completed'));
    const listed = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: quiet }).expect(200);
    expect(listed.body.items[0]).toMatchObject({ status: 'invited', invitation: null });
    // Time for a stray email to arrive: the first import shows the path delivers within this.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.to(quiet)).toHaveLength(0);
    expect(smtp.to(withPassword)).toHaveLength(0);
    expect(smtp.to(existing)).toHaveLength(1);
    for (const email of invited) expect(smtp.to(email)).toHaveLength(1);
  });
  it('a migration invites the users it creates as they end the chunk: not one a later record gave a password, and at its last address', async () => {
    const [first, later, moved, movedTo] = Array.from({ length: 4 }, () => `${unique('mig')}@example.com`);
    const users = [
      { externalId: unique('x'), email: first },
      { email: first, password: 'long enough password' },
      { externalId: 'moves', email: moved },
      { externalId: 'moves', email: movedTo },
      { email: later },
    ];
    const imports = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = (await t.root('post', imports).send({ users, options: { sendInvitations: true, onConflict: 'update' } }).expect(202)).body;
    await eventually(async () => expect((await t.root('get', `${imports}/${job.id}`).expect(200)).body).toMatchObject({ status: 'completed', created: 3, updated: 2 }));
    await smtp.waitFor(() => smtp.to(later).length > 0 && smtp.to(movedTo).length > 0);
    const listed = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: first }).expect(200);
    expect(listed.body.items[0]).toMatchObject({ status: 'active', invitation: null });
    // Time for a stray email to arrive: the two above show the path delivers within this.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    expect(smtp.to(first)).toHaveLength(0);
    expect(smtp.to(moved)).toHaveLength(0);
    expect(smtp.to(movedTo)).toHaveLength(1);
  });
});
