import * as oidc from 'openid-client';
import { connectPool, createPool, createUser, createWorkspace, createWorkspaceKey, errorFields, oauthError, relyingParty, sql } from '../factories';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';

/** An admin emails a user a link: POST .../users/{user}/password-resets and .../email-verifications. */
describe('an admin sending a user a password reset link', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;
  let client: oidc.Configuration;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp({ SMTP_URL: smtp.url }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    client = (await relyingParty(t, ws, { grantTypes: ['password', 'refresh_token'] })).config;
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const sendReset = (userId: string) => t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users/${userId}/password-resets`);
  const signIn = (username: string, password: string) => oidc.genericGrantRequest(client, 'password', { username, password, scope: 'openid offline_access' });
  const resetMails = async (email: string) => Number((await sql<{ n: string }>(t, `SELECT count(*) AS n FROM mail_outbox WHERE recipient = $1 AND kind = 'password_reset'`, [email]))[0].n);

  /** The token of the reset link (the hosted page under PUBLIC_URL) the user received. */
  async function resetToken(email: string): Promise<string> {
    const isReset = (link: string) => link.startsWith(`${t.baseUrl}/self-service/reset-password?token=`);
    const mail = await smtp.waitFor((m) => m.to.includes(email) && m.links.some(isReset));
    return new URL(mail.links.find(isReset)!).searchParams.get('token')!;
  }

  const confirm = (token: string, password = NEW_PASSWORD) => t.http.post('/v1/self-service/password-resets/confirm').send({ token, password });

  it('mails the link; the old password works until the user chooses a new one, which then ends its sessions', async () => {
    const user = await createUser(t, ws, pool);
    const before = await signIn(user.email, PASSWORD);

    const res = await sendReset(user.id).expect(202);
    expect(res.text).toBe('');
    const token = await resetToken(user.email);
    // The user did not ask: the email says who did, and that the current password still works.
    const mail = smtp.messages.find((m) => m.to.includes(user.email))!;
    expect(mail.text).toContain('An administrator of');
    expect(mail.text).toContain('your current password still works');
    expect(mail.text).not.toContain('Someone asked');
    await signIn(user.email, PASSWORD);

    await confirm(token).expect(204);
    expect((await oauthError(oidc.refreshTokenGrant(client, before.refresh_token!))).error).toBe('invalid_grant');
    expect((await oauthError(signIn(user.email, PASSWORD))).error).toBe('invalid_grant');
    await signIn(user.email, NEW_PASSWORD);
    await confirm(token, 'yet another password').expect(410);
  });

  it('lets an invited user who lost the invitation in: active, with a verified email', async () => {
    const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
    await smtp.waitFor((m) => m.to.includes(invited.email));
    await sendReset(invited.id).expect(202);
    await confirm(await resetToken(invited.email)).expect(204);
    const { body } = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${invited.id}`).expect(200);
    expect(body).toMatchObject({ status: 'active', emailVerified: true });
    await signIn(invited.email, NEW_PASSWORD);
  });

  it('says why it cannot, and sends nothing: a disabled user (409 on status), a user without email (409 on email)', async () => {
    const disabled = await createUser(t, ws, pool);
    await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${disabled.id}`).send({ status: 'disabled' }).expect(200);
    const refused = await sendReset(disabled.id).expect(409);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(errorFields(refused)).toEqual(['status']);
    expect(await resetMails(disabled.email)).toBe(0);

    const mobileOnly = await createUser(t, ws, pool, { email: undefined, mobile: '+14155550177' });
    expect(errorFields(await sendReset(mobileOnly.id).expect(409))).toEqual(['email']);
    expect(Number((await sql<{ n: string }>(t, `SELECT count(*) AS n FROM user_tokens WHERE user_id = ANY($1)`, [[disabled.id, mobileOnly.id]]))[0].n)).toBe(0);
  });

  it('counts its emails with the self-service requests for the address: no key can flood an inbox', async () => {
    const user = await createUser(t, ws, pool);
    await t.http.post('/v1/self-service/password-resets').send({ poolId: pool, email: user.email }).expect(202);
    for (let sent = 2; sent <= 5; sent++) await sendReset(user.id).expect(202);
    const refused = await sendReset(user.id).expect(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/email-verifications`).expect(429);
  });

  it('answers 404 for an unknown user, one of another pool, or of another workspace', async () => {
    const otherPool = (await createPool(t, ws)).id;
    const elsewhere = await createUser(t, ws, otherPool);
    await sendReset('00000000-0000-4000-8000-000000000000').expect(404);
    await sendReset(elsewhere.id).expect(404);
    const otherWs = (await createWorkspace(t)).id;
    const key = await createWorkspaceKey(t, otherWs);
    const mine = await createUser(t, ws, pool);
    await t.as(key, 'post', `/v1/workspaces/${ws}/pools/${pool}/users/${mine.id}/password-resets`).expect(404);
    expect(await resetMails(elsewhere.email)).toBe(0);
    expect(await resetMails(mine.email)).toBe(0);
  });

  it('is in the OpenAPI document among the user operations, with its email-verification twin', async () => {
    const { body } = await t.http.get('/docs-json').expect(200);
    for (const path of ['password-resets', 'email-verifications']) {
      const operation = body.paths[`/v1/workspaces/{ws}/pools/{pool}/users/{user}/${path}`]?.post;
      expect([path, operation?.tags]).toEqual([path, ['Users']]);
      expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['202', '401', '404', '409']));
    }
  });

  describe('and a link to verify the address', () => {
    const sendVerification = (userId: string, poolId = pool) => t.root('post', `/v1/workspaces/${ws}/pools/${poolId}/users/${userId}/email-verifications`);
    const getUser = async (userId: string, poolId = pool) => (await t.root('get', `/v1/workspaces/${ws}/pools/${poolId}/users/${userId}`).expect(200)).body;

    async function verificationToken(email: string): Promise<string> {
      const isVerify = (link: string) => link.startsWith(`${t.baseUrl}/self-service/verify-email?token=`);
      const mail = await smtp.waitFor((m) => m.to.includes(email) && m.links.some(isVerify));
      return new URL(mail.links.find(isVerify)!).searchParams.get('token')!;
    }

    it('proves the address of an active user created unverified; the same link then says it was used', async () => {
      const user = await createUser(t, ws, pool);
      expect((await getUser(user.id)).emailVerified).toBe(false);
      const res = await sendVerification(user.id).expect(202);
      expect(res.text).toBe('');
      const token = await verificationToken(user.email);
      const mail = smtp.messages.find((m) => m.to.includes(user.email))!;
      expect(mail.text).toContain('An administrator of');
      expect(mail.text).not.toContain('Thanks for signing up');
      await t.http.post('/v1/self-service/verifications').send({ token }).expect(200);
      expect(await getUser(user.id)).toMatchObject({ status: 'active', emailVerified: true });
      await t.http.post('/v1/self-service/verifications').send({ token }).expect(410);
      expect(errorFields(await sendVerification(user.id).expect(409))).toEqual(['email']);
    });

    it('lets a registration whose link ran out be verified: pending_verification becomes active', async () => {
      const open = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
      const email = `late-${Date.now()}@example.com`;
      await t.http.post('/v1/self-service/registrations').set('X-Forwarded-For', '10.9.8.7').send({ poolId: open, email, password: PASSWORD }).expect(202);
      await verificationToken(email);
      const { body } = await t.root('get', `/v1/workspaces/${ws}/pools/${open}/users?search=${encodeURIComponent(email)}`).expect(200);
      const userId = body.items[0].id as string;
      await sql(t, `UPDATE user_tokens SET expires_at = now() - interval '1 second' WHERE user_id = $1`, [userId]);

      await sendVerification(userId, open).expect(202);
      await eventually(async () => expect(smtp.messages.filter((m) => m.to.includes(email))).toHaveLength(2));
      const fresh = smtp.messages.filter((m) => m.to.includes(email))[1];
      const token = new URL(fresh.links.find((l) => l.includes('/self-service/verify-email?token='))!).searchParams.get('token')!;
      await t.http.post('/v1/self-service/verifications').send({ token }).expect(200);
      expect(await getUser(userId, open)).toMatchObject({ status: 'active', emailVerified: true });
    });

    it('says why it cannot, and sends nothing: invited or disabled (409 on status), no address (409 on email)', async () => {
      const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
      expect(errorFields(await sendVerification(invited.id).expect(409))).toEqual(['status']);
      const disabled = await createUser(t, ws, pool);
      await t.root('patch', `/v1/workspaces/${ws}/pools/${pool}/users/${disabled.id}`).send({ status: 'disabled' }).expect(200);
      expect(errorFields(await sendVerification(disabled.id).expect(409))).toEqual(['status']);
      const mobileOnly = await createUser(t, ws, pool, { email: undefined, mobile: '+14155550178' });
      expect(errorFields(await sendVerification(mobileOnly.id).expect(409))).toEqual(['email']);
      const tokens = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM user_tokens WHERE user_id = ANY($1) AND purpose = 'email_verification'`, [[invited.id, disabled.id, mobileOnly.id]]);
      expect(Number(tokens[0].n)).toBe(0);
      await sendVerification('00000000-0000-4000-8000-000000000000').expect(404);
    });
  });
});
