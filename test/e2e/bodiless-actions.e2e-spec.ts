import { createApplication, createPool, createUser, createWorkspace, errorFields, sql } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Actions that read no body (re-send, rotate, cancel, sign-out, admin links) refuse fields sent
 * to them, naming each, and do nothing then: whoever sent `{"email": …}` to a reset expected it
 * to count. No body, or `{}`, is the action.
 */
describe('actions that take no body', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    t = await startTestApp();
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(() => t.close());

  const outbox = async (recipient: string) => Number((await sql<{ n: string }>(t, 'SELECT count(*) AS n FROM mail_outbox WHERE recipient = $1', [recipient]))[0].n);

  it('refuse fields with a 400 naming each, and send nothing; {} and no body are the action', async () => {
    const user = await createUser(t, ws, pool);
    const invited = await createUser(t, ws, pool, { credential: { mode: 'invitation' } });
    const app = await createApplication(t, ws, { grantTypes: ['client_credentials'] });
    const job = (await t.root('post', `/v1/workspaces/${ws}/pools/${pool}/imports`).send({ users: [{ email: 'imported@example.com' }] }).expect(202)).body.id;
    const users = `/v1/workspaces/${ws}/pools/${pool}/users`;
    const actions = [
      `${users}/${user.id}/password-resets`,
      `${users}/${user.id}/email-verifications`,
      `${users}/${user.id}/sign-out`,
      `${users}/${invited.id}/invitations`,
      `/v1/workspaces/${ws}/applications/${app.id}/rotate-secret`,
      `/v1/workspaces/${ws}/pools/${pool}/imports/${job}/cancel`,
    ];
    const before = { user: await outbox(user.email), invited: await outbox(invited.email) };
    const state = () =>
      sql(t, `SELECT (SELECT client_secret_hash FROM applications WHERE id = $1) AS secret, (SELECT status FROM import_jobs WHERE id = $2) <> 'cancelled' AS running, (SELECT sessions_valid_after FROM users WHERE id = $3) AS ended`, [app.id, job, user.id]);
    const untouched = await state();
    for (const path of actions) {
      const res = await t.root('post', path).send({ email: 'attacker@example.com', reason: 'x' }).expect(400);
      expect([path, res.headers['content-type']]).toEqual([path, expect.stringMatching(/^application\/problem\+json/)]);
      expect([path, errorFields(res).sort()]).toEqual([path, ['email', 'reason']]);
    }
    expect(await outbox(user.email)).toBe(before.user);
    expect(await outbox(invited.email)).toBe(before.invited);
    expect(await outbox('attacker@example.com')).toBe(0);
    expect(await state()).toEqual(untouched);
    expect(untouched).toEqual([{ secret: expect.any(String), running: true, ended: null }]);
    expect(errorFields(await t.root('post', `${users}/${user.id}/sign-out`).send([]).expect(400))).toEqual(['body']);

    await t.root('post', `${users}/${user.id}/password-resets`).send({}).expect(202);
    await t.root('post', `${users}/${user.id}/sign-out`).expect(204);
    await t.root('post', `${users}/${invited.id}/invitations`).send({}).expect(202);
    expect(await outbox(user.email)).toBe(before.user + 1);
  });
});
