import { createPool, createUser, createWorkspace, errorFields, sql, unique } from '../factories';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of the management API through the eyes of an admin coming from Cognito, Auth0 or
 * Keycloak who scripts it: what a re-run changes, what a change of address or status does,
 * and how much one refused request tells.
 */
const PASSWORD = 'correct horse battery';

describe('admin semantics audit', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  const users = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/users`;
  const email = (prefix = 'admin') => `${unique(prefix)}@example.com`;
  const getUser = async (id: string) => (await t.root('get', `${users()}/${id}`).expect(200)).body;
  /** Lets the clock move past the millisecond timestamps are kept in. */
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  beforeAll(async () => {
    t = await startTestApp({ ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1' });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(async () => {
    await t?.close();
  });

  describe('a PATCH that changes nothing leaves updatedAt as it was (scripts re-apply the same state)', () => {
    it('user', async () => {
      const user = await getUser((await createUser(t, ws, pool, { givenName: 'Ada', attributes: { plan: 'pro', tags: ['a'] } })).id);
      await tick();
      const res = await t.root('patch', `${users()}/${user.id}`).send({ givenName: 'Ada', email: ` ${user.email}`, attributes: { tags: ['a'], plan: 'pro' }, status: 'active' }).expect(200);
      expect(res.body.updatedAt).toBe(user.updatedAt);
      await tick();
      const changed = await t.root('patch', `${users()}/${user.id}`).send({ givenName: 'Augusta' }).expect(200);
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThan(Date.parse(res.body.updatedAt));
    });

    it('pool', async () => {
      const created = (await t.root('post', `/v1/workspaces/${ws}/pools`).send({ name: unique('pool') }).expect(201)).body;
      await tick();
      const res = await t.root('patch', `/v1/workspaces/${ws}/pools/${created.id}`).send({ name: created.name, passwordPolicy: { minLength: 8 }, lockout: {} }).expect(200);
      expect(res.body.updatedAt).toBe(created.updatedAt);
      await tick();
      const changed = await t.root('patch', `/v1/workspaces/${ws}/pools/${created.id}`).send({ invitationTtlHours: 24 }).expect(200);
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThan(Date.parse(res.body.updatedAt));
    });

    it('group', async () => {
      const group = (await t.root('post', `/v1/workspaces/${ws}/groups`).send({ name: unique('group'), description: 'd' }).expect(201)).body;
      await tick();
      const res = await t.root('patch', `/v1/workspaces/${ws}/groups/${group.id}`).send({ name: group.name, description: 'd' }).expect(200);
      expect(res.body.updatedAt).toBe(group.updatedAt);
    });

    it('workspace', async () => {
      const created = (await t.root('post', '/v1/workspaces').send({ name: unique('ws') }).expect(201)).body;
      await tick();
      const res = await t.root('patch', `/v1/workspaces/${created.id}`).send({ name: created.name }).expect(200);
      expect(res.body.updatedAt).toBe(created.updatedAt);
    });

    it('identity provider', async () => {
      const connected = (await t.root('post', `/v1/workspaces/${ws}/identity-providers`).send({ type: 'identity_pool', poolId: (await createPool(t, ws)).id, signInMethods: ['password'] }).expect(201)).body;
      await tick();
      const path = `/v1/workspaces/${ws}/identity-providers/${connected.id}`;
      const res = await t.root('patch', path).send({ enabled: true, priority: connected.priority, signInMethods: ['password'] }).expect(200);
      expect(res.body.updatedAt).toBe(connected.updatedAt);
      await tick();
      const changed = await t.root('patch', path).send({ priority: connected.priority + 1 }).expect(200);
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThan(Date.parse(res.body.updatedAt));
    });

    it('application', async () => {
      const created = (await t.root('post', `/v1/workspaces/${ws}/applications`).send({ name: unique('app'), redirectUris: ['https://app.example.com/cb'], grantTypes: ['authorization_code'] }).expect(201)).body;
      await tick();
      const path = `/v1/workspaces/${ws}/applications/${created.id}`;
      const res = await t.root('patch', path).send({ name: created.name, redirectUris: created.redirectUris, grantTypes: created.grantTypes }).expect(200);
      expect(res.body.updatedAt).toBe(created.updatedAt);
      await tick();
      const changed = await t.root('patch', path).send({ name: unique('renamed') }).expect(200);
      expect(Date.parse(changed.body.updatedAt)).toBeGreaterThan(Date.parse(res.body.updatedAt));
    });

    it('user unlocked by an admin: sign-in bookkeeping, as the lock itself; the failures counted toward a lock go', async () => {
      const user = await getUser((await createUser(t, ws, pool)).id);
      await sql(t, `UPDATE users SET failed_sign_ins = 2 WHERE id = $1`, [user.id]);
      await tick();
      const res = await t.root('patch', `${users()}/${user.id}`).send({ lockedUntil: null }).expect(200);
      expect(res.body.updatedAt).toBe(user.updatedAt);
      await sql(t, `UPDATE users SET locked_until = now() + interval '1 hour' WHERE id = $1`, [user.id]);
      const unlocked = await t.root('patch', `${users()}/${user.id}`).send({ lockedUntil: null }).expect(200);
      expect(unlocked.body).toMatchObject({ lockedUntil: null, updatedAt: user.updatedAt });
      expect(await sql(t, `SELECT failed_sign_ins FROM users WHERE id = $1`, [user.id])).toEqual([{ failed_sign_ins: 0 }]);
    });
  });

  describe('PATCH of the email of an invited user', () => {
    it('withdraws the link mailed to the old address and invites the new one, as a re-send would', async () => {
      const user = (await t.root('post', users()).send({ email: email('typo'), credential: { mode: 'invitation' } }).expect(201)).body;
      const moved = email('fixed');
      const res = await t.root('patch', `${users()}/${user.id}`).send({ email: moved }).expect(200);
      expect(res.body).toMatchObject({ status: 'invited', emailVerified: false, invitation: { status: expect.stringMatching(/^(queued|sent)$/) } });
      const invitations = await sql<{ email: string; status: string }>(t, 'SELECT email, status FROM invitations WHERE user_id = $1 ORDER BY created_at', [user.id]);
      expect(invitations).toEqual([
        { email: user.email, status: 'revoked' },
        { email: moved, status: expect.stringMatching(/^(queued|sent)$/) },
      ]);
    });

    it('sends nothing when the same PATCH disables the user', async () => {
      const user = (await t.root('post', users()).send({ email: email('gone'), credential: { mode: 'invitation' } }).expect(201)).body;
      await t.root('patch', `${users()}/${user.id}`).send({ email: email('elsewhere'), status: 'disabled' }).expect(200);
      const open = await sql(t, `SELECT 1 FROM invitations WHERE user_id = $1 AND status <> 'revoked'`, [user.id]);
      expect(open).toEqual([]);
    });
  });

  describe('one 400 names every invalid field of a new user, the pool’s rules included', () => {
    it('a password too short for the pool beside a malformed field', async () => {
      const res = await t.root('post', users()).send({ mobile: '555', givenName: '', credential: { mode: 'password', password: 'Xq7-pw' } }).expect(400);
      expect(errorFields(res)).toEqual(['credential.password', 'givenName', 'mobile']);
      expect(JSON.stringify(res.body)).not.toContain('Xq7-pw');
    });

    it('a missing email or password beside a malformed field', async () => {
      const invitation = await t.root('post', users()).send({ externalId: '', credential: { mode: 'invitation', password: PASSWORD } }).expect(400);
      expect(errorFields(invitation)).toEqual(['credential.password', 'email', 'externalId']);
      const password = await t.root('post', users()).send({ email: email(), attributes: [], credential: { mode: 'password' } }).expect(400);
      expect(errorFields(password)).toEqual(['attributes', 'credential.password']);
    });
  });

  describe('mobile numbers', () => {
    // Stored in E.164 only (create, PATCH and import refuse anything else); a number typed as
    // people write it must still find its user, since search cannot refuse it.
    it('a search for "+1 (415) 555-0177" finds the user with mobile +14155550177', async () => {
      const user = await createUser(t, ws, pool, { mobile: '+14155550177' });
      for (const search of ['+1 (415) 555-0177', '+1-415-555', '+1 415.555.01']) {
        const res = await t.root('get', `${users()}?search=${encodeURIComponent(search)}`).expect(200);
        expect({ search, found: res.body.items.map((u: { id: string }) => u.id) }).toEqual({ search, found: [user.id] });
      }
    });
  });

  describe('status', () => {
    it('to enable a disabled user who never set a password, the 409 points to PUT .../password and to a new invitation, which makes it invited again', async () => {
      const user = (await t.root('post', users()).send({ email: email(), credential: { mode: 'invitation' } }).expect(201)).body;
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      const res = await t.root('patch', `${users()}/${user.id}`).send({ status: 'active' }).expect(409);
      expect(res.body.detail).toContain('PUT .../password');
      expect(res.body.detail).toContain('POST .../invitations');
      await t.root('post', `${users()}/${user.id}/invitations`).expect(202);
      expect(await getUser(user.id)).toMatchObject({ status: 'invited', invitation: expect.objectContaining({ status: expect.stringMatching(/^(queued|sent)$/) }) });
      await t.root('put', `${users()}/${user.id}/password`).send({ password: PASSWORD }).expect(204);
      expect(await getUser(user.id)).toMatchObject({ status: 'active' });
    });

    it('a disabled user who has a password is not re-invited: 409', async () => {
      const user = await createUser(t, ws, pool);
      await t.root('patch', `${users()}/${user.id}`).send({ status: 'disabled' }).expect(200);
      const res = await t.root('post', `${users()}/${user.id}/invitations`).expect(409);
      expect(res.body.detail).toContain('disabled');
      expect(await getUser(user.id)).toMatchObject({ status: 'disabled', invitation: null });
    });
  });
});
