import * as oidc from 'openid-client';
import { connectPool, createApplication, createPool, createUser, createWorkspace, createWorkspaceKey, errorFields, ImportJob as Job, listAll, sql, unique } from '../factories';
import type { Job as QueueJob } from 'bullmq';
import { ImportJobsRepository } from '../../src/imports/import-jobs.repository';
import { ImportRunner } from '../../src/imports/import-runner';
import { ImportsProcessor } from '../../src/imports/imports.processor';
import { IMPORT_ATTEMPTS, IMPORT_JOB, ImportQueueJob } from '../../src/imports/imports.queue';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Audit of bulk migration as a team moving off Auth0, Keycloak, an LDAP directory or a
 * Django/Rails app would use it: real exports (their hash formats, their files' quirks),
 * re-runs, and the job's life cycle.
 */

const PASSWORD = 'Migrated pässword 1';

/**
 * Hashes of PASSWORD written by the reference tools: Python's crypt(3) binding (glibc /
 * libxcrypt) for `$1$`, `$5$`, `$6$` and bcrypt; hashlib for the passlib, Django, scrypt and
 * LDAP forms (assembled as those libraries write them); node-argon2 for argon2.
 */
const REAL_HASHES: Record<string, string> = {
  'md5-crypt': '$1$saltsalt$Tw6BLSOhMfN1iF8aBiRFi0',
  'md5-crypt, 2-char salt': '$1$ab$acGW10nO0lWrQFSo57Ih60',
  'sha256-crypt': '$5$16charsaltsalts$vq1o0FB5g4ONKvEouHuZtSz/h6X00yek1W/0QDe3iQ7',
  'sha256-crypt rounds=10000': '$5$rounds=10000$saltyRounds$nIFMdR7VAl/w0Qf31T2AZuRAW4q5f3CGMewnjZSED27',
  'sha512-crypt': '$6$Dy0KCw4WKizhhTjm$g9THh4VI5rLdhAbC7J46kD.8PSk7P3NSKBLQHAaC5PAZG3YMi5wvYU39LzDHSiDRdQcbneb.KT0f/U5I4yANl.',
  'sha512-crypt rounds=20000': '$6$rounds=20000$roundsalt$fGevOQoyqBuyFpGGsV5jh8a/XcyVpJxnuw0z/27qWVMVENS7UFDqMa4g0BdkC358CNF4Ek3Pf1bkB/8V6WaO2/',
  'sha512-crypt rounds=5000 written out': '$6$rounds=5000$explicit$b0Ncbm1zOMZPbuUN9CBueCFWbxfWkLKGO2Vpug4vNjy/hVXrIPgZgp9GkF5GadyneDMIZ3mvYBlf0TJiAaDw01',
  'bcrypt $2a$': '$2a$05$abcdefghijklmnopqrstuusxKTQd6ARLkgJn2ViZpu77.TA5Oaqs.',
  'bcrypt $2b$': '$2b$05$abcdefghijklmnopqrstuusxKTQd6ARLkgJn2ViZpu77.TA5Oaqs.',
  'bcrypt $2y$': '$2y$05$abcdefghijklmnopqrstuusxKTQd6ARLkgJn2ViZpu77.TA5Oaqs.',
  'passlib pbkdf2-sha256': '$pbkdf2-sha256$29000$d/9L1E0VGr9r6b1BZod3Lg$J5ZQeSzmm94GEypexCD7P95NXbw1YDTDrNceSnW9Qrc',
  'passlib pbkdf2-sha512': '$pbkdf2-sha512$25000$d/9L1E0VGr9r6b1BZod3Lg$CUNcC0tK8HU0PJig8dQyvz4QlCmLNf4icIY5y0de4d5cD8p7xRCHHqbO/33xfErGRLJ1nPxqabSq5H6qt1uzag',
  'passlib pbkdf2 (sha1)': '$pbkdf2$131000$d/9L1E0VGr9r6b1BZod3Lg$NQRsg2M7U0feGdzuXVnMKSgdWSg',
  'pbkdf2-sha1': '$pbkdf2-sha1$131000$d/9L1E0VGr9r6b1BZod3Lg$NQRsg2M7U0feGdzuXVnMKSgdWSg',
  'Keycloak pbkdf2-sha256 (512-bit key) in passlib form':
    '$pbkdf2-sha256$27500$d/9L1E0VGr9r6b1BZod3Lg$m/OTSsc1fitXebSnNhvD3r9.JpUjytwLp4PgNe/jagMzG61JKhCBjyIyt3bP9sAV3X5P.Cdgrf5oLWWr701e/Q',
  'Django pbkdf2_sha256': 'pbkdf2_sha256$260000$aBcDeFgHiJkLmNoPqRsTuV$YZsW0qMap4uBfvCb+sQqc+1y+KfSN7Gp15JiZROZHHc=',
  'Django 5 pbkdf2_sha256 (1,000,000)': 'pbkdf2_sha256$1000000$aBcDeFgHiJkLmNoPqRsTuV$9jQJXl146qHDuOHux40lHH2crO0uXCmqTxYpt8ZLwew=',
  '{SSHA} 8-byte salt': '{SSHA}75+oZkRqLR342vH1Ussk4wC4pnchlosHO7GTXA==',
  '{SSHA} 4-byte salt': '{SSHA}dTwpyIwZFGsWzUl34VYdJflhQiUhlosH',
  '{ssha} lower case': '{ssha}75+oZkRqLR342vH1Ussk4wC4pnchlosHO7GTXA==',
  '{SSHA256}': '{SSHA256}Vc4C4nAO5wWU18/U2ADQbEjA+IiYKHXnlzd7r6KuCSohlosHO7GTXA==',
  '{SSHA512}': '{SSHA512}IRbKneBkVjYjkHsPHXLXeU+cR3+bZ2uZyjiKM0sITw6oDF0fKt0R8dPHdk0Jfsn2B/fOb9qzFv/TMxoz3q+k/iGWiwc7sZNc',
  'scrypt ln=14': '$scrypt$ln=14,r=8,p=1$d/9L1E0VGr9r6b1BZod3Lg$nTuvfwc8y3viyXeDuIT9wRgxR9/55SmK8M7vg/MtJCM',
  'scrypt ln=12 p=2': '$scrypt$ln=12,r=8,p=2$d/9L1E0VGr9r6b1BZod3Lg$IIEFyQUgx03+are/Z1xBNcz1f9xpjUxI6/jdfI07KMk',
  'scrypt passlib default ln=16': '$scrypt$ln=16,r=8,p=1$d/9L1E0VGr9r6b1BZod3Lg$9Pv9VI+jF1rnsy4bBgo6a/1blutAb1ssC2812YHmEOo',
  'argon2i m=4096,t=3,p=2': '$argon2i$v=19$m=4096,t=3,p=2$9/Jy/GLxKzrucBRLdue7/A$nKKV80PpAhlGNxzA1xpOB1ocvOgGhdQnsBLuzyspZpw',
  'argon2id m=65536,t=3,p=4, 16-byte hash': '$argon2id$v=19$m=65536,t=3,p=4$j3RQPcoHpDERIrptGbZaDA$VtYOy05MxMW8+LZCrwEYhg',
  'argon2id m=7168,t=5,p=1': '$argon2id$v=19$m=7168,t=5,p=1$/s3m4JE6fCJNib6BJYbPYw$mhVyhAXeGy/zt4f/G0tZIrz/X2qBqeKZDxe3ZprQsl4',
};

/** What this app's own argon2id hashes look like (ARGON2_* below). */
const UPGRADED = /^\$argon2id\$v=19\$m=1024,t=1,p=1\$/;

describe('bulk migration audit', () => {
  let t: TestApp;
  let ws: string;

  const imports = (poolId: string) => `/v1/workspaces/${ws}/pools/${poolId}/imports`;

  const ended = (poolId: string, jobId: string): Promise<Job> =>
    eventually(
      async () => {
        const res = await t.root('get', `${imports(poolId)}/${jobId}`).expect(200);
        expect(['completed', 'failed', 'cancelled']).toContain(res.body.status);
        return res.body as Job;
      },
      90_000,
      100,
    );

  const uploadNdjson = async (poolId: string, body: string | Buffer, query: Record<string, string> = {}): Promise<Job> =>
    (await t.root('post', imports(poolId)).query(query).set('content-type', 'application/x-ndjson').send(body).expect(202)).body;

  const errorsOf = async (poolId: string, jobId: string) =>
    (await listAll<{ line: number; identifier: string | null; code: string; message: string }>(t, `${imports(poolId)}/${jobId}/errors`, 200)).items;

  const storedHash = async (poolId: string, email: string) =>
    (await sql<{ hash: string }>(t, `SELECT c.password_hash AS hash FROM credentials c JOIN users u ON u.id = c.user_id WHERE u.pool_id = $1 AND u.email = $2`, [poolId, email]))[0]?.hash;

  beforeAll(async () => {
    t = await startTestApp(
      { ARGON2_MEMORY_KIB: '1024', ARGON2_TIME_COST: '1', IMPORT_CHUNK_SIZE: '5', RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000' },
      { listen: true },
    );
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t?.close());

  describe('password hashes', () => {
    it('every contract format, as real tools write it, signs in once with the right password only and is then argon2id', async () => {
      const pool = (await createPool(t, ws)).id;
      await connectPool(t, ws, pool);
      const app = await createApplication(t, ws);
      const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
        execute: [oidc.allowInsecureRequests],
      });
      const signIn = (username: string, password: string) =>
        oidc.genericGrantRequest(config, 'password', { username, password, scope: 'openid' }).then(
          () => true,
          () => false,
        );
      const formats = Object.keys(REAL_HASHES);
      const emails = formats.map((_, i) => `hash-${i}-${unique('u')}@example.com`);
      const job = await ended(pool, (await uploadNdjson(pool, formats.map((f, i) => JSON.stringify({ email: emails[i], passwordHash: REAL_HASHES[f] })).join('\n'))).id);
      const refused = Object.fromEntries((await errorsOf(pool, job.id)).map((e) => [formats[e.line - 1], e.message]));
      expect(refused).toEqual({});
      expect(job).toMatchObject({ status: 'completed', created: formats.length, failed: 0 });

      const results: Record<string, { wrongRefused: boolean; signsIn: boolean; upgraded: boolean; upgradedSignsIn: boolean }> = {};
      for (const [i, format] of formats.entries()) {
        const wrongRefused = !(await signIn(emails[i], `${PASSWORD}x`));
        const signsIn = await signIn(emails[i], PASSWORD);
        const hash = await storedHash(pool, emails[i]);
        results[format] = { wrongRefused, signsIn, upgraded: UPGRADED.test(hash) && hash !== REAL_HASHES[format], upgradedSignsIn: await signIn(emails[i], PASSWORD) };
      }
      const allGood = { wrongRefused: true, signsIn: true, upgraded: true, upgradedSignsIn: true };
      expect(results).toEqual(Object.fromEntries(formats.map((f) => [f, allGood])));
    }, 180_000);

    it('a malformed hash of each family is that line’s unsupported_hash error; the job completes with the good lines', async () => {
      const pool = (await createPool(t, ws)).id;
      const malformed = [
        '$2b$10$tooShort',
        '$2b$99$abcdefghijklmnopqrstuusxKTQd6ARLkgJn2ViZpu77.TA5Oaqs.',
        '$argon2id$v=19$m=abc,t=3,p=4$c2FsdHNhbHQ$aGFzaA',
        '$argon2id$v=19$m=4096,t=3,p=1$!!!$aGFzaGhhc2g',
        '$scrypt$ln=99,r=8,p=1$c2FsdA$aGFzaA',
        '$scrypt$ln=14,r=8,p=1$d/9L1E0VGr9r6b1BZod3Lg$tooshort',
        '$pbkdf2-sha256$abc$d/9L1E0VGr9r6b1BZod3Lg$J5ZQeSzmm94GEypexCD7P95NXbw1YDTDrNceSnW9Qrc',
        '$pbkdf2-sha256$29000$d/9L1E0VGr9r6b1BZod3Lg',
        'pbkdf2_sha256$260000$salt$not base64!',
        'pbkdf2_sha256$99999999999$salt$YZsW0qMap4uBfvCb+sQqc+1y+KfSN7Gp15JiZROZHHc=',
        '$6$rounds=abc$salt$hash',
        '$6$salt$tooShort',
        '$5$salt$tooShort',
        '$1$salt$tooShort',
        '{SSHA}not*base64',
        '{SSHA512}YWJj',
        '{SHA}qUqP5cyxm6YcTAhz05Hph5gvu9M=',
        'bcrypt_sha256$$2b$12$abcdefghijklmnopqrstuu',
        '   ',
      ];
      const lines = [JSON.stringify({ email: `${unique('good')}@example.com`, passwordHash: REAL_HASHES['bcrypt $2b$'] }), ...malformed.map((h, i) => JSON.stringify({ email: `bad-${i}@example.com`, passwordHash: h }))];
      const job = await ended(pool, (await uploadNdjson(pool, `${lines.join('\n')}\n`)).id);
      expect(job).toMatchObject({ status: 'completed', total: lines.length, processed: lines.length, created: 1, failed: malformed.length });
      const errors = await errorsOf(pool, job.id);
      expect(errors.map((e) => [e.line, e.code, e.identifier])).toEqual(malformed.map((_, i) => [i + 2, 'unsupported_hash', `bad-${i}@example.com`]));
      // The hash itself is a secret: no error repeats it.
      for (const [i, e] of errors.entries()) if (malformed[i].trim().length > 8) expect(e.message).not.toContain(malformed[i]);
    }, 60_000);
  });

  describe('NDJSON files as exports write them', () => {
    it('BOM, CRLF, blank lines, non-object lines and a last line without newline: errors carry the file’s own line numbers', async () => {
      const pool = (await createPool(t, ws)).id;
      const a = `${unique('a')}@example.com`;
      const b = `${unique('b')}@example.com`;
      const c = `${unique('c')}@example.com`;
      const d = `${unique('d')}@example.com`;
      const text = [
        `\uFEFF{"email":"${a}"}`, // 1 (BOM)
        '', // 2
        '[1,2]', // 3
        '"just a string"', // 4
        '   ', // 5
        `{"email":"${b}"}`, // 6
        'null', // 7
        '42', // 8
        `{"email":"${c}","givenName":"Crlf"}`, // 9
        '{"email": "broken"', // 10
        '', // 11
        `{"email":"${d}"}`, // 12, no newline after it
      ].join('\r\n');
      const job = await ended(pool, (await uploadNdjson(pool, text)).id);
      expect(job).toMatchObject({ status: 'completed', total: 9, processed: 9, created: 4, failed: 5 });
      expect((await errorsOf(pool, job.id)).map((e) => [e.line, e.code])).toEqual([
        [3, 'invalid_record'],
        [4, 'invalid_record'],
        [7, 'invalid_record'],
        [8, 'invalid_record'],
        [10, 'invalid_json'],
      ]);
      const [user] = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: c }).expect(200)).body.items;
      expect(user.givenName).toBe('Crlf');
    });

    it('a line that is not UTF-8 (a Latin-1 export) is that line’s error, not a user with mangled text', async () => {
      const pool = (await createPool(t, ws)).id;
      const good = `${unique('utf8')}@example.com`;
      const latin1 = `${unique('latin1')}@example.com`;
      const body = Buffer.concat([
        Buffer.from(`{"email":"${good}","givenName":"José"}\n`, 'utf8'),
        Buffer.from(`{"email":"${latin1}","givenName":"José"}\n`, 'latin1'),
        Buffer.from(`{"email":"${unique('after')}@example.com"}\n`, 'utf8'),
      ]);
      const job = await ended(pool, (await uploadNdjson(pool, body)).id);
      const errors = await errorsOf(pool, job.id);
      const stored = await sql<{ given: string }>(t, `SELECT given_name AS given FROM users WHERE pool_id = $1 ORDER BY email`, [pool]);
      expect({ created: job.created, failed: job.failed, errors: errors.map((e) => [e.line, e.code]), stored: stored.map((r) => r.given) }).toEqual({
        created: 2,
        failed: 1,
        errors: [[2, 'invalid_json']],
        stored: [null, 'José'],
      });
      expect(errors[0].message).toMatch(/UTF-8/);
    });

    it('a UTF-16 export (PowerShell’s default) or a charset other than UTF-8 is a 415 up front, and nothing is stored', async () => {
      const pool = (await createPool(t, ws)).id;
      const text = `{"email":"${unique('w')}@example.com"}\r\n`;
      const utf16 = await t.root('post', imports(pool)).set('content-type', 'application/x-ndjson').send(Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text, 'utf16le')]));
      const declared = await t.root('post', imports(pool)).set('content-type', 'application/x-ndjson; charset=iso-8859-1').send(text);
      expect([utf16.status, declared.status]).toEqual([415, 415]);
      expect(utf16.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(declared.body.detail).toMatch(/UTF-8/);
      expect((await t.root('get', imports(pool)).expect(200)).body.items).toEqual([]);
      expect((await uploadNdjson(pool, text.replace('w-', 'w8-'))).total).toBe(1);
      expect((await t.root('post', imports(pool)).set('content-type', 'application/x-ndjson; charset=UTF-8').send(text).expect(202)).body.total).toBe(1);
      // ASCII is UTF-8.
      expect((await t.root('post', imports(pool)).set('content-type', 'application/x-ndjson; charset=us-ascii').send(text).expect(202)).body.total).toBe(1);
    });

    it('a line longer than the limit in the middle of a CRLF file keeps the following line numbers right', async () => {
      const pool = (await createPool(t, ws)).id;
      const long = JSON.stringify({ email: `${unique('long')}@example.com`, attributes: { blob: 'x'.repeat(200 * 1024) } });
      const body = [`{"email":"${unique('one')}@example.com"}`, long, '', '{oops', `{"email":"${unique('five')}@example.com"}`].join('\r\n');
      const job = await ended(pool, (await uploadNdjson(pool, body)).id);
      expect(job).toMatchObject({ status: 'completed', total: 4, created: 2, failed: 2 });
      expect((await errorsOf(pool, job.id)).map((e) => [e.line, e.code])).toEqual([
        [2, 'line_too_long'],
        [4, 'invalid_json'],
      ]);
    });
  });

  describe('JSON uploads', () => {
    it('takes exactly 10,000 records; 10,001 are refused and nothing is stored', async () => {
      const pool = (await createPool(t, ws)).id;
      const records = (n: number) => Array.from({ length: n }, (_, i) => ({ email: `u${i}@example.com` }));
      const refused = await t.root('post', imports(pool)).send({ users: records(10_001) });
      expect([400, 413]).toContain(refused.status);
      expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await t.root('get', imports(pool)).expect(200)).body.items).toEqual([]);
      const taken = await t.root('post', imports(pool)).send({ users: records(10_000) }).expect(202);
      expect(taken.body.total).toBe(10_000);
      await t.root('post', `${imports(pool)}/${taken.body.id}/cancel`);
    });

    it('names every bad option (unknown, wrong type) and every bad top-level field at once, storing nothing', async () => {
      const pool = (await createPool(t, ws)).id;
      const res = await t
        .root('post', imports(pool))
        .send({ users: [{ email: 'x@example.com' }], options: { onConflict: 5, sendInvitations: 'true', dryRun: true } })
        .expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(errorFields(res)).toEqual(['options.dryRun', 'options.onConflict', 'options.sendInvitations']);
      const notObject = await t.root('post', imports(pool)).send({ users: { email: 'x@example.com' }, options: 'update' }).expect(400);
      expect(errorFields(notObject)).toEqual(['options', 'users']);
      const array = await t.root('post', imports(pool)).send([{ email: 'x@example.com' }]).expect(400);
      expect(array.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect((await t.root('get', imports(pool)).expect(200)).body.items).toEqual([]);
    });
  });

  describe('NDJSON query options', () => {
    it('an empty or differently spelt option value is a 400 naming it, not the default', async () => {
      const pool = (await createPool(t, ws)).id;
      const res = await t.root('post', `${imports(pool)}?onConflict=&sendInvitations=1`).set('content-type', 'application/x-ndjson').send('{"email":"q@example.com"}\n').expect(400);
      expect(errorFields(res)).toEqual(['onConflict', 'sendInvitations']);
      expect((await t.root('get', imports(pool)).expect(200)).body.items).toEqual([]);
      const taken = await uploadNdjson(pool, '{"email":"q@example.com"}\n', { onConflict: 'update', sendInvitations: 'false' });
      expect(taken).toMatchObject({ total: 1 });
    });
  });

  describe('re-runs and onConflict', () => {
    it('update replaces the password, status, attributes and adds groups; skip touches nothing; fail reports each conflict', async () => {
      const pool = (await createPool(t, ws)).id;
      const email = `${unique('Re')}@Example.com`;
      const first = await ended(pool, (await t.root('post', imports(pool)).send({ users: [{ externalId: 'ext-1', email, password: PASSWORD, attributes: { plan: 'free', seats: 1 }, groups: ['g-one'] }] }).expect(202)).body.id);
      expect(first).toMatchObject({ created: 1 });
      const [user] = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users`).query({ search: email.toLowerCase() }).expect(200)).body.items;
      const hashBefore = await storedHash(pool, user.email);

      const changed = { email: email.toUpperCase(), password: 'another long password', status: 'disabled', attributes: { plan: 'pro' }, groups: ['g-two'] };
      const skip = await ended(pool, (await t.root('post', imports(pool)).send({ users: [changed] }).expect(202)).body.id);
      expect(skip).toMatchObject({ skipped: 1, updated: 0, created: 0, failed: 0 });
      expect(await storedHash(pool, user.email)).toBe(hashBefore);

      const fail = await ended(pool, (await t.root('post', imports(pool)).send({ users: [changed], options: { onConflict: 'fail' } }).expect(202)).body.id);
      expect(fail).toMatchObject({ status: 'completed', failed: 1 });
      expect((await errorsOf(pool, fail.id)).map((e) => [e.line, e.code, e.identifier])).toEqual([[1, 'conflict', changed.email.replace(/@.*/, (domain) => domain.toLowerCase())]]);

      const update = await ended(pool, (await t.root('post', imports(pool)).send({ users: [changed], options: { onConflict: 'update' } }).expect(202)).body.id);
      expect(update).toMatchObject({ updated: 1, created: 0, failed: 0 });
      const after = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}`).expect(200)).body;
      const groups = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${user.id}/groups`).expect(200)).body.items.map((g: { name: string }) => g.name).sort();
      expect({ status: after.status, attributes: after.attributes, externalId: after.externalId, groups, hashChanged: (await storedHash(pool, after.email)) !== hashBefore }).toEqual({
        status: 'disabled',
        attributes: { plan: 'pro' },
        externalId: 'ext-1',
        groups: ['g-one', 'g-two'],
        hashChanged: true,
      });
    });

    it('a record whose externalId matches one user and email another is that line’s error, not a job failure', async () => {
      const pool = (await createPool(t, ws)).id;
      const one = await createUser(t, ws, pool, { externalId: 'crm-a' });
      const two = await createUser(t, ws, pool);
      const job = await ended(pool, (await t.root('post', imports(pool)).send({ users: [{ externalId: 'crm-a', email: two.email }, { email: `${unique('ok')}@example.com` }], options: { onConflict: 'update' } }).expect(202)).body.id);
      expect(job).toMatchObject({ status: 'completed', created: 1, failed: 1 });
      expect((await errorsOf(pool, job.id)).map((e) => [e.line, e.identifier])).toEqual([[1, 'crm-a']]);
      expect((await t.root('get', `/v1/workspaces/${ws}/pools/${pool}/users/${one.id}`).expect(200)).body.email).toBe(one.email);
    });
  });

  describe('job life cycle', () => {
    // As every list of the API: in creation order, so an import started while paging lands on the last page.
    it('lists a pool’s imports in creation order, one per page, without repeats', async () => {
      const pool = (await createPool(t, ws)).id;
      const made: string[] = [];
      for (let i = 0; i < 3; i++) made.push((await t.root('post', imports(pool)).send({ users: [{ email: `${unique('l')}@example.com` }] }).expect(202)).body.id);
      const walk = await listAll<{ id: string }>(t, imports(pool), 1);
      expect(walk.items.map((j) => j.id)).toEqual(made);
    });

    it('an import is 404 under another pool of the same workspace, and to another workspace’s key (errors and list too)', async () => {
      const pool = (await createPool(t, ws)).id;
      const other = (await createPool(t, ws)).id;
      const job = (await t.root('post', imports(pool)).send({ users: [{ email: 'bad' }] }).expect(202)).body;
      for (const [method, path] of [
        ['get', `${imports(other)}/${job.id}`],
        ['get', `${imports(other)}/${job.id}/errors`],
        ['post', `${imports(other)}/${job.id}/cancel`],
      ] as const) {
        expect([path, (await t.root(method, path)).status]).toEqual([path, 404]);
      }
      const stranger = await createWorkspace(t);
      const key = await createWorkspaceKey(t, stranger.id);
      for (const path of [imports(pool), `${imports(pool)}/${job.id}/errors`]) expect([path, (await t.as(key, 'get', path)).status]).toEqual([path, 404]);
    });
  });
});

describe('bulk migration audit: imports nobody has started (api role only)', () => {
  let t: TestApp;
  let ws: string;
  beforeAll(async () => {
    t = await startTestApp({ ROLE: 'api' });
    ws = (await createWorkspace(t)).id;
  });
  afterAll(() => t?.close());

  const stagedLines = async (jobId: string) => (await sql<{ n: number }>(t, `SELECT count(*)::int AS n FROM import_lines WHERE job_id = $1`, [jobId]))[0].n;

  it('cancelling a queued import ends it at once and drops its staged upload; cancelling it again answers 202 unchanged', async () => {
    const pool = (await createPool(t, ws)).id;
    const path = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = (await t.root('post', path).set('content-type', 'application/x-ndjson').send('{"email":"q1@example.com"}\n{"email":"q2@example.com"}\n').expect(202)).body;
    expect(job).toMatchObject({ status: 'queued', total: 2, processed: 0, cancelRequested: false });
    const cancelled = await t.root('post', `${path}/${job.id}/cancel`).expect(202);
    expect(cancelled.body).toMatchObject({ status: 'cancelled', processed: 0, finishedAt: expect.any(String) });
    const again = await t.root('post', `${path}/${job.id}/cancel`).expect(202);
    expect(again.body).toEqual(cancelled.body);
    expect(await stagedLines(job.id)).toBe(0);
  });

  it('an import its queue gives up on is failed and its staged upload dropped (nothing will ever read it)', async () => {
    const pool = (await createPool(t, ws)).id;
    const path = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = (await t.root('post', path).set('content-type', 'application/x-ndjson').send('{"email":"f1@example.com"}\n').expect(202)).body;
    const crashing = { run: () => Promise.reject(new Error('worker crashed')) } as unknown as ImportRunner;
    const processor = new ImportsProcessor(crashing, t.app.get(ImportJobsRepository));
    const lastAttempt = { name: IMPORT_JOB, data: { importId: job.id }, attemptsMade: IMPORT_ATTEMPTS - 1, opts: { attempts: IMPORT_ATTEMPTS } } as unknown as QueueJob<ImportQueueJob>;
    await expect(processor.process(lastAttempt, 'token')).rejects.toThrow('worker crashed');
    expect((await t.root('get', `${path}/${job.id}`).expect(200)).body).toMatchObject({ status: 'failed', finishedAt: expect.any(String) });
    expect(await stagedLines(job.id)).toBe(0);
  });
});
