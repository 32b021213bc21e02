import { createPool, createWorkspace, createWorkspaceKey, sql } from '../factories';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';


describe('bulk migration', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;

  beforeAll(async () => {
    t = await startTestApp({ IMPORT_CHUNK_SIZE: '7' }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
  });
  afterAll(() => t.close());

  const base = () => `/v1/workspaces/${ws}/pools/${pool}/imports`;

  async function finished(jobId: string) {
    return eventually(async () => {
      const res = await t.root('get', `${base()}/${jobId}`).expect(200);
      expect(['completed', 'failed', 'cancelled']).toContain(res.body.status);
      return res.body;
    }, 30_000);
  }

  function ndjson(records: unknown[]): string {
    return records.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('\n') + '\n';
  }

  it('imports NDJSON with good and bad records; counts add up; errors name lines', async () => {
    const body = ndjson([
      { email: 'a1@example.com', givenName: 'A', password: 'correct horse battery', groups: ['Imported', 'beta'] },
      { email: 'not-an-email' },
      '{broken json',
      { externalId: 'x-3', mobile: '+14155550123' },
      { email: 'a5@example.com', passwordHash: '$9$nonsense' },
      { email: 'a6@example.com', password: 'short' },
      { email: 'A1@example.com' },
      { email: 'a8@example.com', unknownField: 1 },
      { email: 'a9@example.com', status: 'disabled', groups: ['IMPORTED'] },
    ]);
    const res = await t.root('post', base()).set('content-type', 'application/x-ndjson').send(body).expect(202);
    expect(res.headers.location).toBe(`${base()}/${res.body.id}`);
    expect(res.body).toMatchObject({ status: 'queued', total: 9, processed: 0 });
    const job = await finished(res.body.id);
    expect(job).toMatchObject({ status: 'completed', total: 9, processed: 9, created: 3, skipped: 1, failed: 5 });
    expect(job.created + job.updated + job.skipped + job.failed).toBe(job.processed);

    const errors = await t.root('get', `${base()}/${job.id}/errors`).query({ limit: 2 }).expect(200);
    expect(errors.body.items.map((e: { line: number }) => e.line)).toEqual([2, 3]);
    const rest = await t.root('get', `${base()}/${job.id}/errors`).query({ cursor: errors.body.nextCursor }).expect(200);
    expect(rest.body.items.map((e: { line: number; code: string }) => [e.line, e.code])).toEqual([
      [5, 'unsupported_hash'],
      [6, 'weak_password'],
      [8, 'invalid_record'],
    ]);
    expect(JSON.stringify([errors.body, rest.body])).not.toContain('short');

    const users = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: 'a1@' }).expect(200);
    expect(users.body.items[0]).toMatchObject({ email: 'a1@example.com', status: 'active', givenName: 'A' });
    const groups = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${users.body.items[0].id}/groups`).expect(200);
    expect(groups.body.items.map((g: { name: string }) => g.name).sort()).toEqual(['Imported', 'beta']);
    const invited = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: '+1415555' }).expect(200);
    expect(invited.body.items[0]).toMatchObject({ externalId: 'x-3', status: 'invited', invitation: null });
  });

  it('re-running is idempotent, and onConflict update and fail behave', async () => {
    const records = [
      { externalId: 'crm-1', email: 'c1@example.com', givenName: 'One' },
      { externalId: 'crm-2', email: 'c2@example.com', givenName: 'Two' },
    ];
    const first = await finished((await t.root('post', base()).send({ users: records }).expect(202)).body.id);
    expect(first).toMatchObject({ created: 2, skipped: 0 });
    const again = await finished((await t.root('post', base()).send({ users: records }).expect(202)).body.id);
    expect(again).toMatchObject({ created: 0, skipped: 2, failed: 0 });

    const renamed = records.map((r) => ({ ...r, givenName: `${r.givenName}!` }));
    const update = await finished((await t.root('post', base()).send({ users: renamed, options: { onConflict: 'update' } }).expect(202)).body.id);
    expect(update).toMatchObject({ updated: 2, created: 0 });
    const one = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: 'c1@' }).expect(200);
    expect(one.body.items[0].givenName).toBe('One!');

    const fail = await finished((await t.root('post', base()).send({ users: records, options: { onConflict: 'fail' } }).expect(202)).body.id);
    expect(fail).toMatchObject({ failed: 2, created: 0, updated: 0 });
  });

  it('a re-run with sendInvitations invites the users imported without one, once', async () => {
    const records = [{ externalId: 'quiet-1', email: 'quiet1@example.com' }, { externalId: 'quiet-2', email: 'quiet2@example.com' }];
    await finished((await t.root('post', base()).send({ users: records }).expect(202)).body.id);
    const invitations = () => sql<{ email: string }>(t, `SELECT email FROM invitations WHERE email LIKE 'quiet%' ORDER BY email`);
    expect(await invitations()).toEqual([]);
    for (let run = 0; run < 2; run++) {
      const job = await finished((await t.root('post', base()).send({ users: records, options: { onConflict: 'update', sendInvitations: true } }).expect(202)).body.id);
      expect(job).toMatchObject({ updated: 2, failed: 0 });
      expect(await invitations()).toEqual([{ email: 'quiet1@example.com' }, { email: 'quiet2@example.com' }]);
    }
  });

  it('never merges two accounts of the source system that share an email: a different externalId is a conflict', async () => {
    const alice = { externalId: 'src-a', email: 'shared@example.com', givenName: 'Alice' };
    const bob = { externalId: 'src-b', email: 'shared@example.com', givenName: 'Bob' };
    for (const onConflict of ['update', 'skip']) {
      const job = await finished((await t.root('post', base()).send({ users: [alice, bob], options: { onConflict } }).expect(202)).body.id);
      expect(job).toMatchObject({ failed: 1, updated: 0 });
      const errors = await t.root('get', `${base()}/${job.id}/errors`).expect(200);
      expect(errors.body.items).toEqual([expect.objectContaining({ line: 2, code: 'conflict', message: expect.stringContaining('different externalId') })]);
    }
    const users = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: 'shared@' }).expect(200);
    expect(users.body.items).toEqual([expect.objectContaining({ externalId: 'src-a', givenName: 'Alice' })]);
  });

  it('a record with only an externalId updates the user it matches; with no match it cannot create one', async () => {
    await finished((await t.root('post', base()).send({ users: [{ externalId: 'only-ext', email: 'only-ext@example.com', givenName: 'Before' }] }).expect(202)).body.id);
    const job = await finished(
      (await t.root('post', base()).send({ users: [{ externalId: 'only-ext', givenName: 'After' }, { externalId: 'nobody-has-this', givenName: 'New' }], options: { onConflict: 'update' } }).expect(202)).body.id,
    );
    expect(job).toMatchObject({ status: 'completed', updated: 1, created: 0, failed: 1 });
    const errors = await t.root('get', `${base()}/${job.id}/errors`).expect(200);
    expect(errors.body.items).toEqual([
      expect.objectContaining({ line: 2, identifier: 'nobody-has-this', code: 'invalid_record', message: 'email or mobile is required to create a user (no user of the pool has this externalId)' }),
    ]);
    const users = await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: 'only-ext@' }).expect(200);
    expect(users.body.items).toEqual([expect.objectContaining({ externalId: 'only-ext', email: 'only-ext@example.com', givenName: 'After' })]);
  });

  it('refuses bad uploads with problem+json', async () => {
    await t.root('post', base()).send({ users: [] }).expect(400);
    await t.root('post', base()).set('content-type', 'application/x-ndjson').send('\n\n').expect(400);
    const tooMany = await t.root('post', base()).send({ users: Array.from({ length: 10_001 }, (_, i) => ({ email: `u${i}@x.io` })) }).expect(413);
    expect(tooMany.body.detail).toMatch(/NDJSON/);
    const bad = await t.root('post', base()).send({ users: 'x', options: { onConflict: 'merge' }, extra: 1 }).expect(400);
    expect(bad.body.errors.map((e: { field: string }) => e.field).sort()).toEqual(['extra', 'options.onConflict', 'users']);
    await t.root('post', base()).query({ onConflict: 'nope' }).set('content-type', 'application/x-ndjson').send('{}\n').expect(400);
    const csv = await t.root('post', base()).set('content-type', 'text/csv').send('a,b').expect(415);
    expect(csv.body.detail).toMatch(/send application\/json or application\/x-ndjson\.$/);
    await t.root('post', `/v1/workspaces/${ws}/pools/00000000-0000-4000-8000-000000000000/imports`).send({ users: [{ email: 'x@y.io' }] }).expect(404);
  });

  it('marks lines over 64 KB as errors', async () => {
    const long = JSON.stringify({ email: 'long@example.com', attributes: { blob: 'x'.repeat(70 * 1024) } });
    const job = await finished((await t.root('post', base()).set('content-type', 'application/x-ndjson').send(`${long}\n{"email":"after@example.com"}\n`).expect(202)).body.id);
    expect(job).toMatchObject({ total: 2, created: 1, failed: 1 });
    const errors = await t.root('get', `${base()}/${job.id}/errors`).expect(200);
    expect(errors.body.items).toEqual([{ line: 1, identifier: null, code: 'line_too_long', message: expect.any(String) }]);
  });

  it('hides another workspace’s imports', async () => {
    const job = (await t.root('post', base()).send({ users: [{ email: 'iso@example.com' }] }).expect(202)).body;
    const other = await createWorkspace(t);
    const key = await createWorkspaceKey(t, other.id);
    await t.as(key, 'get', `${base()}/${job.id}`).expect(404);
    await t.as(key, 'post', `${base()}/${job.id}/cancel`).expect(404);
    await t.as(key, 'post', base()).send({ users: [{ email: 'x@y.io' }] }).expect(404);
    const otherPool = await createPool(t, other.id);
    await t.as(key, 'get', `/v1/workspaces/${other.id}/pools/${otherPool.id}/imports/${job.id}`).expect(404);
  });
});

describe('bulk migration: cancel and progress at the default chunk size', () => {
  let t: TestApp;
  let ws: string;

  beforeAll(async () => {
    t = await startTestApp({}, { listen: true });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t.close());

  const imports = (pool: string) => `/v1/workspaces/${ws}/pools/${pool}/imports`;
  const job = async (pool: string, id: string) => (await t.root('get', `${imports(pool)}/${id}`).expect(200)).body;
  const withPasswords = (count: number) =>
    Array.from({ length: count }, (_, i) => JSON.stringify({ email: `hashed-${i}@example.com`, password: `correct horse battery ${i}` })).join('\n') + '\n';

  it('plaintext passwords: progress moves within the first 2,000 records, and a cancel stops the import there', async () => {
    const pool = (await createPool(t, ws)).id;
    const queued = (await t.root('post', imports(pool)).set('content-type', 'application/x-ndjson').send(withPasswords(1_500)).expect(202)).body;
    const moving = await eventually(async () => {
      const current = await job(pool, queued.id);
      expect(current.processed).toBeGreaterThan(0);
      return current;
    }, 60_000);
    expect(moving).toMatchObject({ status: 'running', total: 1_500 });
    expect(moving.processed).toBeLessThan(1_500);
    await t.root('post', `${imports(pool)}/${queued.id}/cancel`).expect(202);

    const final = await eventually(async () => {
      const current = await job(pool, queued.id);
      expect(current.status).toBe('cancelled');
      return current;
    }, 60_000);
    expect(final.processed).toBeLessThan(1_500);
    expect(final.processed % 100).toBe(0);
    const [{ users }] = await sql<{ users: number }>(t, `SELECT count(*)::int AS users FROM users WHERE pool_id = $1`, [pool]);
    expect({ users, created: final.created }).toEqual({ users: final.processed, created: final.processed });
  }, 120_000);

  it('a cancel that arrives once every record is written leaves the import completed', async () => {
    const pool = (await createPool(t, ws)).id;
    // The cancel lands in the same instant as the last chunk's commit: before the worker looks again.
    await sql(t, `CREATE FUNCTION cancel_when_done() RETURNS trigger LANGUAGE plpgsql AS $$
      BEGIN IF NEW.processed >= NEW.total AND NEW.status = 'running' THEN NEW.cancel_requested := true; END IF; RETURN NEW; END $$`);
    await sql(t, `CREATE TRIGGER cancel_when_done BEFORE UPDATE ON import_jobs FOR EACH ROW WHEN (NEW.pool_id = '${pool}') EXECUTE FUNCTION cancel_when_done()`);
    try {
      const queued = (await t.root('post', imports(pool)).send({ users: [{ email: 'late-1@example.com' }, { email: 'late-2@example.com' }] }).expect(202)).body;
      const final = await eventually(async () => {
        const current = await job(pool, queued.id);
        expect(['completed', 'cancelled', 'failed']).toContain(current.status);
        return current;
      }, 30_000);
      expect(final).toMatchObject({ status: 'completed', cancelRequested: true, total: 2, processed: 2, created: 2 });
    } finally {
      await sql(t, `DROP TRIGGER cancel_when_done ON import_jobs; DROP FUNCTION cancel_when_done()`);
    }
  });
});
