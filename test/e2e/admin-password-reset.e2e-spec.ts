import * as oidc from 'openid-client';
import { connectPool, createApplication, createPool, createUser, createWorkspace, createWorkspaceKey, errorFields, oauthError, sql } from '../factories';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

const PASSWORD = 'correct horse battery';
const NEW_PASSWORD = 'a brand new password';

/** An admin emails a user a reset link: POST .../users/{user}/password-resets. */
describe('an admin sending a user a password reset link', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;
  let relyingParty: oidc.Configuration;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp({ SMTP_URL: smtp.url }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    const app = await createApplication(t, ws, { grantTypes: ['password', 'refresh_token'] });
    relyingParty = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
  });
  afterAll(async () => {
    await t.close();
    await smtp.stop();
  });

  const sendReset = (userId: string) => t.root('post', `/v1/workspaces/${ws}/pools/${pool}/users/${userId}/password-resets`);
  const signIn = (username: string, password: string) => oidc.genericGrantRequest(relyingParty, 'password', { username, password, scope: 'openid offline_access' });
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
    await signIn(user.email, PASSWORD);

    await confirm(token).expect(204);
    expect((await oauthError(oidc.refreshTokenGrant(relyingParty, before.refresh_token!))).error).toBe('invalid_grant');
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

  it('is in the OpenAPI document among the user operations', async () => {
    const { body } = await t.http.get('/docs-json').expect(200);
    const operation = body.paths['/v1/workspaces/{ws}/pools/{pool}/users/{user}/password-resets']?.post;
    expect(operation?.tags).toEqual(['Users']);
    expect(Object.keys(operation.responses)).toEqual(expect.arrayContaining(['202', '401', '404', '409']));
  });
});
