import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import request from 'supertest';
import { connectPool, createApplication, createGroup, createPool, createUser, createWorkspace, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';
import type Redis from 'ioredis';
import { identifierKey } from '../../src/platform/rate-limit/rate-limiter';
import { REDIS } from '../../src/platform/redis/redis.module';
import { redisNamespace } from '../../src/platform/redis/namespace';

/**
 * Races: the same single-use action, or two actions that must not interleave, sent at
 * once. Each test fires its requests with Promise.all and then checks that exactly the
 * allowed outcome happened and that the stored state is consistent. (Uniqueness of
 * names and emails under concurrent creates is in concurrency.e2e-spec.ts.)
 */

const PASSWORD = 'correct horse battery';
const PER_IDENTIFIER = 4;

const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const statuses = (responses: request.Response[]) => responses.map((r) => r.status).sort();

async function relyingParty(t: TestApp, ws: string) {
  const app = await createApplication(t, ws);
  return oidc.discovery(new URL(`${t.baseUrl}/oidc/${ws}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
}

/** The outcome of a password grant: 'ok', or the OAuth error code. */
async function grantOutcome(config: oidc.Configuration, username: string, password: string): Promise<string> {
  try {
    await oidc.genericGrantRequest(config, 'password', { username, password, scope: 'openid' });
    return 'ok';
  } catch (e) {
    return (e as oidc.ResponseBodyError).error ?? String(e);
  }
}

describe('races', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: string;

  const user = (method: 'get' | 'post', path: string, ip = freshIp()) => t.http[method](path).set('X-Forwarded-For', ip);
  const tokenFrom = (link: string) => new URL(link).searchParams.get('token')!;
  const linksTo = (email: string, page: string) =>
    smtp
      .to(email)
      .flatMap((m) => m.links)
      .filter((l) => l.includes(`/self-service/${page}?token=`));

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    t = await startTestApp(
      {
        SMTP_URL: smtp.url,
        TRUST_PROXY: '1',
        RATE_LIMIT_SELF_SERVICE_PER_IP: '100000',
        RATE_LIMIT_SELF_SERVICE_PER_EMAIL: '4',
        RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000',
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      },
      { listen: true },
    );
    ws = (await createWorkspace(t)).id;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  describe('invitations', () => {
    // Each re-send revokes the open invitations, then opens its own; the user's row lock makes them take turns.
    it('re-sent 8 times at once, leaves exactly one open invitation and one working link', async () => {
      const pool = await createPool(t, ws);
      const email = `${unique('reinvite')}@example.com`;
      const created = await t.root('post', `/v1/workspaces/${ws}/pools/${pool.id}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
      const path = `/v1/workspaces/${ws}/pools/${pool.id}/users/${created.body.id}/invitations`;

      const responses = await Promise.all(Array.from({ length: 8 }, () => t.root('post', path)));
      expect(statuses(responses)).toEqual(Array(8).fill(202));

      const open = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM invitations WHERE user_id = $1 AND status IN ('queued', 'sent', 'failed')`, [created.body.id]);
      expect(Number(open[0].n)).toBe(1);

      // And as the user sees it: of every link emailed, only one still opens.
      await eventually(async () => {
        const pending = await sql(t, `SELECT 1 FROM mail_outbox WHERE lower(recipient) = lower($1) AND status IN ('pending', 'sending')`, [email]);
        expect(pending).toHaveLength(0);
      });
      const links = linksTo(email, 'accept-invitation');
      expect(links.length).toBeGreaterThan(0);
      const answers = await Promise.all(links.map((l) => user('get', `/v1/self-service/invitations?token=${encodeURIComponent(tokenFrom(l))}`)));
      expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    });

    it('accepted 16 times at once, is spent once: one 200, fifteen 410, and the winner’s password signs in', async () => {
      const pool = await createPool(t, ws);
      await connectPool(t, ws, pool.id);
      const email = `${unique('accept')}@example.com`;
      await t.root('post', `/v1/workspaces/${ws}/pools/${pool.id}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
      const token = tokenFrom((await smtp.waitFor((m) => m.to.includes(email))).links.find((l) => l.includes('accept-invitation'))!);

      const passwords = Array.from({ length: 16 }, (_, i) => `${PASSWORD} ${i}`);
      const responses = await Promise.all(passwords.map((password) => user('post', '/v1/self-service/invitations/accept').send({ token, password })));
      expect(statuses(responses)).toEqual([200, ...Array(15).fill(410)]);
      const winner = passwords[responses.findIndex((r) => r.status === 200)];

      const config = await relyingParty(t, ws);
      expect(await grantOutcome(config, email, winner)).toBe('ok');
      const loser = passwords.find((p) => p !== winner)!;
      expect(await grantOutcome(config, email, loser)).toBe('invalid_grant');
    });
  });

  describe('self-service links', () => {
    let verifying: string;
    beforeAll(async () => {
      verifying = (await createPool(t, ws, { selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
      await connectPool(t, ws, verifying);
    });

    it('a password-reset link confirmed 16 times at once with different passwords: one 204, fifteen 410, and that password works', async () => {
      const created = await createUser(t, ws, verifying);
      await user('post', '/v1/self-service/password-resets').send({ poolId: verifying, email: created.email }).expect(202);
      const mail = await smtp.waitFor((m) => m.to.includes(created.email) && /Reset/.test(m.subject));
      const token = tokenFrom(mail.links.find((l) => l.includes('reset-password'))!);

      const passwords = Array.from({ length: 16 }, (_, i) => `new password number ${i}`);
      const responses = await Promise.all(passwords.map((password) => user('post', '/v1/self-service/password-resets/confirm').send({ token, password })));
      expect(statuses(responses)).toEqual([204, ...Array(15).fill(410)]);
      const winner = passwords[responses.findIndex((r) => r.status === 204)];

      const config = await relyingParty(t, ws);
      expect(await grantOutcome(config, created.email, winner)).toBe('ok');
      for (const other of [PASSWORD, passwords.find((p) => p !== winner)!]) expect(await grantOutcome(config, created.email, other)).toBe('invalid_grant');
    });

    it('registering one email 16 times at once (in different casings) makes one user; every answer is 202 (or 429 past the per-email limit)', async () => {
      const local = unique('twice');
      const emails = Array.from({ length: 16 }, (_, i) => `${i % 2 ? local.toUpperCase() : local}@Example.com`);
      const responses = await Promise.all(emails.map((email) => user('post', '/v1/self-service/registrations').send({ poolId: verifying, email, password: PASSWORD })));
      expect(responses.filter((r) => r.status !== 202 && r.status !== 429)).toEqual([]);
      expect(responses.filter((r) => r.status === 202).length).toBeGreaterThan(0);
      const rows = await sql(t, `SELECT status FROM users WHERE pool_id = $1 AND lower(email) = lower($2)`, [verifying, `${local}@example.com`]);
      expect(rows).toEqual([{ status: 'pending_verification' }]);
      const links = await eventually(async () => {
        const found = linksTo(`${local}@example.com`, 'verify-email');
        expect(found).toHaveLength(1);
        return found;
      });
      const token = tokenFrom(links[0]);
      const verified = await Promise.all(Array.from({ length: 16 }, () => user('post', '/v1/self-service/verifications').send({ token })));
      expect(statuses(verified)).toEqual([200, ...Array(15).fill(410)]);
    });
  });

  describe('management API', () => {
    // "Email or mobile" is checked on the row as the other PATCH left it (row lock), not on a stale read that the CHECK constraint would then refuse.
    it('removing the email and the mobile of a user at once: one 200 and one 400, never 500, and the user keeps one of them', async () => {
      const pool = await createPool(t, ws);
      const users = await Promise.all(
        Array.from({ length: 8 }, (_, i) => createUser(t, ws, pool.id, { mobile: `+1415555${String(1000 + i).padStart(4, '0')}` })),
      );
      const results = await Promise.all(
        users.map((u) =>
          Promise.all([
            t.root('patch', `/v1/workspaces/${ws}/pools/${pool.id}/users/${u.id}`).send({ email: null }),
            t.root('patch', `/v1/workspaces/${ws}/pools/${pool.id}/users/${u.id}`).send({ mobile: null }),
          ]),
        ),
      );
      for (const pair of results) expect(statuses(pair)).toEqual([200, 400]);
      const orphans = await sql(t, `SELECT id FROM users WHERE pool_id = $1 AND email IS NULL AND mobile IS NULL`, [pool.id]);
      expect(orphans).toHaveLength(0);
    });

    // Each PATCH merges its settings into the stored ones under a row lock, so none writes back a stale copy of the others'.
    it('three concurrent PATCHes of different pool settings all take effect (no lost update)', async () => {
      for (let round = 0; round < 4; round++) {
        const pool = await createPool(t, ws);
        const path = `/v1/workspaces/${ws}/pools/${pool.id}`;
        const responses = await Promise.all([
          t.root('patch', path).send({ passwordPolicy: { minLength: 12 } }),
          t.root('patch', path).send({ lockout: { maxFailedAttempts: 3 } }),
          t.root('patch', path).send({ selfRegistration: { enabled: true } }),
        ]);
        expect(statuses(responses)).toEqual([200, 200, 200]);
        const after = (await t.root('get', path).expect(200)).body;
        expect({ round, passwordPolicy: after.passwordPolicy, lockout: after.lockout, selfRegistration: after.selfRegistration }).toEqual({
          round,
          passwordPolicy: { minLength: 12, maxLength: 128 },
          lockout: { maxFailedAttempts: 3, durationSeconds: 900 },
          selfRegistration: { enabled: true, requireEmailVerification: true },
        });
      }
    });

    // The insert's foreign key tells a deleted group (404) from a deleted user.
    it('adding members to a group while it is deleted answers 200 or 404, never 500', async () => {
      const pool = await createPool(t, ws);
      const member = await createUser(t, ws, pool.id);
      const groups = await Promise.all(Array.from({ length: 16 }, () => createGroup(t, ws)));
      const added = await Promise.all(
        groups.map((g) =>
          Promise.all([
            t.root('post', `/v1/workspaces/${ws}/groups/${g.id}/members`).send({ userIds: [member.id] }),
            t.root('delete', `/v1/workspaces/${ws}/groups/${g.id}`),
          ]).then(([add]) => add.status),
        ),
      );
      expect(added.filter((s) => s !== 200 && s !== 404)).toEqual([]);
    });
  });
});

describe('races with a slow password hash', () => {
  let t: TestApp;

  beforeAll(async () => {
    // A slower hash (about 80 ms a verification here) keeps fifteen wrong guesses in flight long enough to observe.
    t = await startTestApp(
      { RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000', RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '100000', ARGON2_TIME_COST: '6' },
      { listen: true },
    );
  });
  afterAll(() => t?.close());

  // The pool is checked before the (slow) hash; a pool deleted meanwhile fails the insert's foreign key, answered as 404.
  it('creating a user with a password while its pool is deleted answers 404, never 500', async () => {
    const ws = (await createWorkspace(t)).id;
    const outcomes: number[] = [];
    for (let round = 0; round < 4; round++) {
      const pool = await createPool(t, ws);
      const creating = t
        .root('post', `/v1/workspaces/${ws}/pools/${pool.id}/users`)
        .send({ email: `${unique('late')}@example.com`, credential: { mode: 'password', password: PASSWORD } })
        .then((r) => r.status);
      await sleep(5);
      await t.root('delete', `/v1/workspaces/${ws}/pools/${pool.id}`).expect(204);
      outcomes.push(await creating);
    }
    expect(outcomes.filter((s) => s !== 201 && s !== 404)).toEqual([]);
  });

  // The lock is read before the slow hash check; the sign-in is recorded only if no lock was set meanwhile.
  it('fifteen concurrent wrong guesses lock the account (3 allowed): a right password sent while they are checked is refused', async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = await createPool(t, ws, { lockout: { maxFailedAttempts: 3, durationSeconds: 600 } });
    await connectPool(t, ws, pool.id);
    const target = await createUser(t, ws, pool.id);
    const config = await relyingParty(t, ws);

    const wrong = Array.from({ length: 15 }, (_, i) => grantOutcome(config, target.email, `wrong guess ${i}`));
    // The fifteen have arrived when each has counted against the per-identifier limit, the
    // step right before its hash check (a fixed sleep was not enough on a loaded machine).
    // Their checks are served in arrival order, and three of them lock the account.
    const redis = t.app.get<Redis>(REDIS, { strict: false });
    const counter = `${redisNamespace(t.databaseUrl)}:ratelimit:signin:identifier:${ws}:${identifierKey(target.email)}`;
    await eventually(async () => expect(Number(await redis.get(counter))).toBe(15), 10_000);
    const right = await grantOutcome(config, target.email, PASSWORD);
    expect(await Promise.all(wrong)).toEqual(Array(15).fill('invalid_grant'));

    expect(right).toBe('invalid_grant');
    const after = (await t.root('get', `/v1/workspaces/${ws}/pools/${pool.id}/users/${target.id}`).expect(200)).body;
    expect(after.lockedUntil).not.toBeNull();
  });
});

describe('races: sign-in throttling', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000', RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: String(PER_IDENTIFIER) }, { listen: true });
  });
  afterAll(() => t?.close());

  // Each attempt is counted before it is checked (and given back if it succeeds), so attempts in flight count.
  it('16 concurrent failed sign-ins for one identifier: only the per-identifier limit of them are tried, the rest get 429', async () => {
    const ws = (await createWorkspace(t)).id;
    const pool = await createPool(t, ws);
    await connectPool(t, ws, pool.id);
    const config = await relyingParty(t, ws);
    const identifier = `${unique('nobody')}@example.com`;
    const outcomes = await Promise.all(Array.from({ length: 16 }, () => grantOutcome(config, identifier, 'not the password')));
    expect(outcomes.filter((o) => o === 'invalid_grant')).toHaveLength(PER_IDENTIFIER);
    expect(outcomes.filter((o) => o === 'rate_limited')).toHaveLength(16 - PER_IDENTIFIER);
  });
});
