import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { addMembers, connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, errorFields, ids, ImportJob as Job, listAll, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of the management API's semantics for users, groups and imports: each test
 * states what API.md (or what a Keycloak / Auth0 / Cognito user) expects.
 */
const PASSWORD = 'correct horse battery';


describe('semantics audit: users, groups, imports', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;
  let pool: string;

  const users = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/users`;
  const imports = (poolId = pool) => `/v1/workspaces/${ws}/pools/${poolId}/imports`;
  const email = (prefix = 'audit') => `${unique(prefix)}@example.com`;
  const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
  const endUser = (method: 'get' | 'post', path: string) => t.http[method](path).set('X-Forwarded-For', freshIp());
  const tokenFrom = async (address: string, page: string, nth = 0) => {
    await smtp.waitFor(() => smtp.to(address).filter((m) => m.links.some((l) => l.includes(`/self-service/${page}?token=`))).length > nth);
    const mail = smtp.to(address).filter((m) => m.links.some((l) => l.includes(`/self-service/${page}?token=`)))[nth];
    return new URL(mail.links.find((l) => l.includes(`/self-service/${page}?token=`))!).searchParams.get('token')!;
  };
  const getUser = async (id: string, poolId = pool) => (await t.root('get', `${users(poolId)}/${id}`).expect(200)).body;

  /** Waits (through the queue's retries) until the import has ended, whatever the outcome. */
  const ended = (jobId: string, poolId = pool, timeoutMs = 60_000): Promise<Job> =>
    eventually(async () => {
      const res = await t.root('get', `${imports(poolId)}/${jobId}`).expect(200);
      expect(['completed', 'failed', 'cancelled']).toContain(res.body.status);
      return res.body as Job;
    }, timeoutMs, 200);
  const importJson = async (records: unknown[], options?: Record<string, unknown>, poolId = pool): Promise<Job> => {
    const res = await t.root('post', imports(poolId)).send({ users: records, ...(options && { options }) }).expect(202);
    return ended(res.body.id, poolId);
  };

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp(
      { SMTP_URL: smtp.url, TRUST_PROXY: '1', ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', IMPORT_CHUNK_SIZE: '5' },
      { listen: true },
    );
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('users: search', () => {
    // API.md: `search` is a case-insensitive prefix of the names; searching a name exactly as stored must find it.
    it('finds users by their names as stored, also with İ (Turkish) or a final Σ (Greek)', async () => {
      const searchPool = (await createPool(t, ws)).id;
      const turkish = await createUser(t, ws, searchPool, { givenName: 'İpek', familyName: 'Yılmaz' });
      const greek = await createUser(t, ws, searchPool, { givenName: 'Νίκος', familyName: 'ΠΑΠΑΔΟΠΟΥΛΟΣ' });
      const found = async (search: string) => ids((await t.root('get', `${users(searchPool)}?search=${encodeURIComponent(search)}`).expect(200)).body.items);
      // The lower-case spellings work today: the defect is how the search term is case-folded (JS) against lower() (PostgreSQL).
      expect(await found('ipek')).toEqual([turkish.id]);
      expect(await found('παπαδ')).toEqual([greek.id]);
      const results = { İpek: await found('İpek'), ΠΑΠΑΔΟΠΟΥΛΟΣ: await found('ΠΑΠΑΔΟΠΟΥΛΟΣ') };
      expect(results).toEqual({ İpek: [turkish.id], ΠΑΠΑΔΟΠΟΥΛΟΣ: [greek.id] });
    });

    // Correct today (kept: not covered elsewhere): status + groupId + search + cursor together, one per page.
    it('combines status, groupId, search and cursor without skipping or repeating', async () => {
      const p = (await createPool(t, ws)).id;
      const group = await createGroup(t, ws);
      const made: { id: string }[] = [];
      for (let i = 0; i < 7; i++) made.push(await createUser(t, ws, p, { email: `combo${i}-${unique('x')}@example.com`, givenName: i % 2 ? 'Combo' : 'Other' }));
      await t.root('patch', `${users(p)}/${made[3].id}`).send({ status: 'disabled' }).expect(200);
      await addMembers(t, ws, group.id, [made[6].id, made[5].id, made[3].id, made[1].id, made[0].id]);
      const walk = await listAll<{ id: string }>(t, `${users(p)}?status=active&groupId=${group.id}&search=comb`, 1);
      // combo0..6 by email; in the group: 0,1,3,5,6; active: not 3.
      expect(ids(walk.items)).toEqual([made[0].id, made[1].id, made[5].id, made[6].id]);
    });
  });

  describe('imports: invited users who get a credential', () => {
    // API.md: "PUT .../password … (admin sets credentials; user becomes active)" retires the invitation;
    // an import that gives an invited user a password (onConflict update) must retire it the same way.
    it('an import that sets the password of an invited user retires the invitation link', async () => {
      const address = email('inv-import');
      const user = await createUser(t, ws, pool, { email: address, credential: { mode: 'invitation' } });
      const token = await tokenFrom(address, 'accept-invitation');
      await endUser('get', `/v1/self-service/invitations?token=${token}`).expect(200);

      const job = await importJson([{ email: address, password: PASSWORD }], { onConflict: 'update' });
      expect(job).toMatchObject({ status: 'completed', updated: 1, failed: 0 });
      const after = await getUser(user.id);
      expect(after.status).toBe('active');

      const link = await endUser('get', `/v1/self-service/invitations?token=${token}`);
      expect({ linkStatus: link.status, invitation: after.invitation }).toEqual({ linkStatus: 410, invitation: null });
    });

    // As PUT .../password and PATCH {status: 'disabled'} do: a legacy hash or a disable retires the link too.
    it('an import that gives an invited user a passwordHash, or disables one, retires the invitation link', async () => {
      const [hashed, disabled] = [email('inv-hash'), email('inv-off')];
      const invited = [await createUser(t, ws, pool, { email: hashed, credential: { mode: 'invitation' } }), await createUser(t, ws, pool, { email: disabled, credential: { mode: 'invitation' } })];
      const tokens = [await tokenFrom(hashed, 'accept-invitation'), await tokenFrom(disabled, 'accept-invitation')];
      const bcrypt = '$2b$10$N9qo8uLOickgx2ZMRZoMyeIjZAgcfl7p92ldGxad68LJZdL17lhWy';
      const job = await importJson([{ email: hashed, passwordHash: bcrypt }, { email: disabled, status: 'disabled' }], { onConflict: 'update' });
      expect(job).toMatchObject({ status: 'completed', updated: 2, failed: 0 });
      const after = await Promise.all(invited.map((u) => getUser(u.id)));
      const links = await Promise.all(tokens.map((token) => endUser('get', `/v1/self-service/invitations?token=${token}`)));
      expect(after.map((u, i) => ({ status: u.status, invitation: u.invitation, link: links[i].status }))).toEqual([
        { status: 'active', invitation: null, link: 410 },
        { status: 'disabled', invitation: null, link: 410 },
      ]);
    });
  });

  describe('imports: options', () => {
    // Conventions of the service ("a typo never looks like success"): options given as query parameters on a
    // JSON upload must be honoured or refused (400), not silently dropped in favour of the defaults.
    // Refused (API.md: JSON uploads carry `options` in the body): a 400 naming each parameter, nothing staged.
    it('a JSON upload with ?onConflict=update does not silently ignore the parameter', async () => {
      const p = (await createPool(t, ws)).id;
      const address = email('opt');
      await createUser(t, ws, p, { email: address, givenName: 'Before' });
      const res = await t.root('post', `${imports(p)}?onConflict=update&sendInvitations=false`).send({ users: [{ email: address, givenName: 'After' }] }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(errorFields(res)).toEqual(['onConflict', 'sendInvitations']);
      expect(res.body.detail).toMatch(/body/);
      expect((await t.root('get', imports(p)).expect(200)).body.items).toEqual([]);
    });

    // Correct today (kept: not covered elsewhere): bad NDJSON options as query parameters are a 400 naming each.
    it('NDJSON: bad option values and unknown query parameters are a 400 naming each, and nothing is staged', async () => {
      const p = (await createPool(t, ws)).id;
      const res = await t
        .root('post', `${imports(p)}?onConflict=merge&sendInvitations=yes&dryRun=true`)
        .set('content-type', 'application/x-ndjson')
        .send('{"email":"x@example.com"}\n')
        .expect(400);
      expect(errorFields(res)).toEqual(['dryRun', 'onConflict', 'sendInvitations']);
      expect((await t.root('get', imports(p)).expect(200)).body.items).toEqual([]);
    });
  });

  describe('imports: case-insensitive names and emails', () => {
    // API.md: "groups? [names, created if missing]" and "a bad record never stops the job": a group named
    // "İzmir" (or "ΟΜΑΔΑ ΠΩΛΗΣΕΩΝ") is a fine name, and must neither fail the job nor lose the other records.
    it('a record naming a group "İzmir" is imported with its group, and the job completes', async () => {
      const p = (await createPool(t, ws)).id;
      const a = email('izmir');
      const b = email('plain');
      const job = await importJson([{ email: a, groups: ['İzmir'] }, { email: b }], undefined, p);
      expect({ status: job.status, created: job.created, failed: job.failed }).toEqual({ status: 'completed', created: 2, failed: 0 });
      const [user] = (await t.root('get', `${users(p)}?search=${encodeURIComponent(a)}`).expect(200)).body.items;
      const groups = (await t.root('get', `${users(p)}/${user.id}/groups`).expect(200)).body.items.map((g: { name: string }) => g.name);
      expect(groups).toEqual(['İzmir']);
    }, 120_000);

    // API.md: "A record matches an existing user by externalId first, then by email, so a re-run is idempotent"
    // (emails are compared case-insensitively): re-running an import with "İpek@…" must skip, not fail.
    it('re-running an import of "İpek@example.com" skips the user instead of failing the job', async () => {
      const p = (await createPool(t, ws)).id;
      const address = `İpek.${randomBytes(3).toString('hex')}@example.com`;
      const first = await importJson([{ email: address, password: PASSWORD }], undefined, p);
      expect(first).toMatchObject({ status: 'completed', created: 1 });
      const again = await importJson([{ email: address, password: PASSWORD }, { email: email('other') }], undefined, p);
      expect({ status: again.status, created: again.created, skipped: again.skipped, failed: again.failed }).toEqual({
        status: 'completed',
        created: 1,
        skipped: 1,
        failed: 0,
      });
    }, 120_000);
  });

  describe('imports: re-runs', () => {
    // API.md: a record needs an email or a mobile, and "a re-run is idempotent": re-running mobile-only
    // records must skip the users the first run created, not report every one of them as failed.
    it('re-running an import of mobile-only records skips them instead of failing them', async () => {
      const p = (await createPool(t, ws)).id;
      const records = [{ mobile: '+14155550901', givenName: 'Mo' }, { mobile: '+14155550902' }];
      expect(await importJson(records, undefined, p)).toMatchObject({ status: 'completed', created: 2, failed: 0 });
      const again = await importJson(records, undefined, p);
      expect({ created: again.created, skipped: again.skipped, failed: again.failed }).toEqual({ created: 0, skipped: 2, failed: 0 });
    });
  });

  describe('imports: disabling users', () => {
    // API.md: "a disabled user cannot sign in and its refresh tokens stop working" — as with PATCH status
    // disabled, a user disabled by an import (onConflict update) and enabled again must not get the refresh
    // tokens issued before the disable back.
    it('a user disabled by an import and re-enabled does not get its old refresh tokens back', async () => {
      const p = (await createPool(t, ws)).id;
      await connectPool(t, ws, p);
      const app = await createApplication(t, ws);
      const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
        execute: [oidc.allowInsecureRequests],
      });
      const refreshWorks = (refreshToken: string) =>
        oidc.refreshTokenGrant(config, refreshToken).then(
          () => true,
          () => false,
        );

      // Control: the same steps through PATCH end the refresh token for good.
      const patched = await createUser(t, ws, p);
      const patchedTokens = await oidc.genericGrantRequest(config, 'password', { username: patched.email, password: PASSWORD, scope: 'openid offline_access' });
      await t.root('patch', `${users(p)}/${patched.id}`).send({ status: 'disabled' }).expect(200);
      await t.root('patch', `${users(p)}/${patched.id}`).send({ status: 'active' }).expect(200);
      expect(await refreshWorks(patchedTokens.refresh_token!)).toBe(false);

      const imported = await createUser(t, ws, p);
      const tokens = await oidc.genericGrantRequest(config, 'password', { username: imported.email, password: PASSWORD, scope: 'openid offline_access' });
      expect(await importJson([{ email: imported.email, status: 'disabled' }], { onConflict: 'update' }, p)).toMatchObject({ status: 'completed', updated: 1 });
      expect((await getUser(imported.id, p)).status).toBe('disabled');
      await t.root('patch', `${users(p)}/${imported.id}`).send({ status: 'active' }).expect(200);
      expect(await refreshWorks(tokens.refresh_token!)).toBe(false);
    });
  });

  describe('imports: correct behaviours not covered elsewhere', () => {
    // API.md: externalId is matched before email; the match is updated and takes the record's new email.
    it('matches by externalId before email, and the counts add up', async () => {
      const p = (await createPool(t, ws)).id;
      const byExt = await createUser(t, ws, p, { email: email('ext'), externalId: 'crm-77' });
      const newAddress = email('ext-new');
      const job = await importJson([{ externalId: 'crm-77', email: newAddress, givenName: 'Moved' }], { onConflict: 'update' }, p);
      expect(job).toMatchObject({ status: 'completed', total: 1, processed: 1, created: 0, updated: 1, skipped: 0, failed: 0 });
      expect(await getUser(byExt.id, p)).toMatchObject({ email: newAddress, externalId: 'crm-77', givenName: 'Moved' });
    });

    // API.md: groups are "created if missing"; an existing group is found case-insensitively, not duplicated.
    it('assigns an existing group named in another case instead of creating a second one', async () => {
      const own = (await createWorkspace(t)).id;
      const p = (await createPool(t, own)).id;
      const group = await createGroup(t, own, { name: 'Sales Team' });
      const res = await t.root('post', `/v1/workspaces/${own}/pools/${p}/imports`).send({ users: [{ email: email('g'), groups: ['  sales team '] }] }).expect(202);
      const job = await eventually(async () => {
        const r = await t.root('get', `/v1/workspaces/${own}/pools/${p}/imports/${res.body.id}`).expect(200);
        expect(r.body.status).toBe('completed');
        return r.body;
      }, 30_000);
      expect(job.created).toBe(1);
      const all = (await t.root('get', `/v1/workspaces/${own}/groups`).expect(200)).body.items;
      expect(ids(all)).toEqual([group.id]);
    });

    // API.md: errors are paged `{line, identifier, code, message}`.
    it('pages errors one by one with exactly the documented fields', async () => {
      const p = (await createPool(t, ws)).id;
      const job = await importJson([{ email: 'bad' }, { email: email('ok') }, { externalId: 'e-3' }, { email: email('weak'), password: 'x' }], undefined, p);
      expect(job).toMatchObject({ total: 4, processed: 4, created: 1, failed: 3 });
      const walk = await listAll<Record<string, unknown>>(t, `${imports(p)}/${job.id}/errors`, 1);
      expect(walk.pages).toEqual([1, 1, 1]);
      expect(walk.items).toEqual([
        { line: 1, identifier: 'bad', code: 'invalid_record', message: expect.any(String) },
        { line: 3, identifier: 'e-3', code: 'invalid_record', message: expect.any(String) },
        { line: 4, identifier: expect.stringMatching(/^weak-/), code: 'weak_password', message: expect.any(String) },
      ]);
    });

    // API.md: the 202 carries the job and a Location; cancelling a finished job changes nothing.
    it('answers 202 with the documented job fields and Location; cancel after completion leaves it completed', async () => {
      const p = (await createPool(t, ws)).id;
      const res = await t.root('post', imports(p)).send({ users: [{ email: email('loc') }] }).expect(202);
      expect(res.headers.location).toBe(`${imports(p)}/${res.body.id}`);
      for (const field of ['id', 'poolId', 'status', 'total', 'processed', 'created', 'updated', 'skipped', 'failed', 'createdAt', 'startedAt', 'finishedAt']) {
        expect(res.body).toHaveProperty(field);
      }
      const job = await ended(res.body.id, p);
      const cancelled = await t.root('post', `${imports(p)}/${job.id}/cancel`).expect(202);
      expect(cancelled.body.status).toBe('completed');
      const [{ n }] = await sql<{ n: string }>(t, 'SELECT count(*)::text AS n FROM users WHERE pool_id = $1', [p]);
      expect(n).toBe('1');
    });
  });
});
