import { connectPool, createApplication, createPool, createUser, createWorkspace, unique } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Which account an identifier signs in: the same one however a mobile number is written,
 * and never an account that cannot sign in when another pool holds one that can. Otherwise
 * anyone could register a known address in an open pool ranked first and lock its owner out.
 */
describe('sign-in identifiers', () => {
  const PASSWORD = 'correct horse battery staple';
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '3', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' }, { listen: true });
  });
  afterAll(() => t.close());

  async function workspaceWithPools(...pools: Record<string, unknown>[]) {
    const ws = await createWorkspace(t);
    const created = [];
    for (const body of pools) {
      const pool = await createPool(t, ws.id, body);
      // Equal priorities: the pool connected first comes first.
      await connectPool(t, ws.id, pool.id);
      created.push(pool);
    }
    const app = await createApplication(t, ws.id);
    const grant = (username: string, password = PASSWORD) =>
      fetch(`${t.baseUrl}/oidc/${ws.id}/token`, {
        method: 'POST',
        headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'password', username, password, scope: 'openid' }),
      });
    const subject = async (username: string) => {
      const res = await grant(username);
      const body = (await res.json()) as { id_token: string; error: string };
      return res.status === 200 ? JSON.parse(Buffer.from(body.id_token.split('.')[1], 'base64url').toString()).sub : `${res.status} ${body.error}`;
    };
    return { ws, pools: created, grant, subject };
  }

  it('an unverified registration in an open pool ranked first does not hide the owner’s account in another pool', async () => {
    const { pools, subject } = await workspaceWithPools({ selfRegistration: { enabled: true, requireEmailVerification: true } }, {});
    const [open, staff] = pools;
    const email = `${unique('owner')}@example.com`;
    const owner = await createUser(t, staff.workspaceId, staff.id, { email, credential: { mode: 'password', password: PASSWORD } });
    expect(await subject(email)).toBe(owner.id);

    await t.http.post('/v1/self-service/registrations').send({ poolId: open.id, email, password: 'another horse battery staple' }).expect(202);
    expect(await subject(email)).toBe(owner.id);
  });

  it('neither does an invited or a disabled account ranked first; with none that can sign in, the answer stays the refusal', async () => {
    const { pools, subject } = await workspaceWithPools({}, {});
    const [first, second] = pools;
    const email = `${unique('both')}@example.com`;
    await createUser(t, first.workspaceId, first.id, { email, credential: { mode: 'invitation' } });
    const owner = await createUser(t, second.workspaceId, second.id, { email, credential: { mode: 'password', password: PASSWORD } });
    expect(await subject(email)).toBe(owner.id);

    await t.root('patch', `/v1/workspaces/${second.workspaceId}/pools/${second.id}/users/${owner.id}`).send({ status: 'disabled' }).expect(200);
    expect(await subject(email)).toBe('400 invalid_grant');
  });

  it('signs in by a mobile number written with spaces, dashes, dots or parentheses, as search finds it', async () => {
    const { pools, subject } = await workspaceWithPools({});
    const user = await createUser(t, pools[0].workspaceId, pools[0].id, { mobile: '+14155550142', credential: { mode: 'password', password: PASSWORD } });
    for (const written of ['+14155550142', '+1 415 555 0142', '+1 (415) 555-0142', ' +1.415.555.0142 ', ' 14155550142']) {
      expect([written, await subject(written)]).toEqual([written, user.id]);
    }
    // Without its "+", a number is not E.164: a national or ambiguous number names no one.
    expect(await subject('4155550142')).toBe('400 invalid_grant');
  });

  it('counts failures against the account however its number is written: the limit cannot be walked round by reformatting', async () => {
    const { grant } = await workspaceWithPools({ lockout: { maxFailedAttempts: 100, durationSeconds: 60 } });
    const mobile = '+14155550199';
    const statuses = [];
    for (const written of ['+14155550199', '+1 415 555 0199', '+1 (415) 555-0199', '+1-415-555-0199']) statuses.push((await grant(written, 'wrong password')).status);
    expect(statuses).toEqual([400, 400, 400, 429]);
    expect((await grant(mobile, 'wrong password')).status).toBe(429);
  });
});
