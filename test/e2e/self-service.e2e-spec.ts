import { createHash, randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import request from 'supertest';
import { createPool, createWorkspace, errorFields, sql, unique } from '../factories';
import { eventually } from '../support/eventually';
import { ReceivedMail, SmtpSink } from '../support/smtp-sink';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Self-service end to end: the real app on a loopback port, a real SMTP server
 * collecting what it sends, links followed as a user would. Each request comes from its
 * own address (TRUST_PROXY + X-Forwarded-For) so the low per-IP limit only bites where
 * a test means it to; per-email limits are kept apart by unique addresses.
 */

const PASSWORD = 'correct horse battery';
const PER_IP = 6;
const PER_EMAIL = 4;
const REDIRECT_URI = 'http://127.0.0.1/callback';

type Method = 'get' | 'post';

describe('self-service', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let ws: { id: string; name: string };
  /** Registration with email verification. */
  let verifying: string;
  /** Registration without email verification. */
  let direct: string;
  /** Registration closed (the default); invitations and resets happen here. */
  let closed: string;
  let issuer: string;

  /** Every link token any email carried, to look for where it must never appear. */
  const tokens = new Set<string>();
  /** Bodies and headers of every management API answer the suite saw. */
  const managementAnswers: string[] = [];
  /** Log lines the app wrote (pino's JSON), captured from stdout. */
  const logLines: string[] = [];
  const realWrite = process.stdout.write.bind(process.stdout);

  // Random, because the counters live in the shared Redis and outlast a run.
  const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
  /** An end user's request, from its own address unless one is given. */
  const user = (method: Method, path: string, ip = freshIp()) => t.http[method](path).set('X-Forwarded-For', ip);
  const admin = async (method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string, body?: unknown, status?: number) => {
    const res = await (body === undefined ? t.root(method, path) : t.root(method, path).send(body as object));
    managementAnswers.push(JSON.stringify(res.headers), res.text);
    if (status !== undefined && res.status !== status) throw new Error(`${method.toUpperCase()} ${path}: expected ${status}, got ${res.status}: ${res.text}`);
    return res;
  };

  const tokenOf = (mail: ReceivedMail, page: string) => {
    const link = mail.links.find((l) => l.includes(`/self-service/${page}?token=`));
    if (!link) throw new Error(`no ${page} link in "${mail.subject}": ${mail.text}`);
    expect(link.startsWith(`${t.baseUrl}/self-service/${page}?token=`)).toBe(true);
    const token = new URL(link).searchParams.get('token')!;
    tokens.add(token);
    return token;
  };
  const mailTo = (email: string, subject: RegExp, timeoutMs?: number) =>
    smtp.waitFor((m) => m.to.toLowerCase().includes(email.toLowerCase()) && subject.test(m.subject), timeoutMs);
  const outboxCount = async (email: string, kind?: string) =>
    Number(
      (await sql<{ n: string }>(t, `SELECT count(*) AS n FROM mail_outbox WHERE lower(recipient) = lower($1) AND ($2::text IS NULL OR kind = $2)`, [email, kind ?? null]))[0].n,
    );
  const findUser = async (pool: string, email: string) => {
    const res = await admin('get', `/v1/workspaces/${ws.id}/pools/${pool}/users?search=${encodeURIComponent(email)}`, undefined, 200);
    const found = res.body.items.filter((u: { email: string }) => u.email.toLowerCase() === email.toLowerCase());
    expect(found).toHaveLength(1);
    return found[0] as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  };
  const createUser = async (pool: string, body: Record<string, unknown>) =>
    (await admin('post', `/v1/workspaces/${ws.id}/pools/${pool}/users`, { credential: { mode: 'password', password: PASSWORD }, ...body }, 201)).body as {
      id: string;
      email: string;
    };
  const register = (body: Record<string, unknown>, ip?: string) => user('post', '/v1/self-service/registrations', ip).send(body);
  const requestReset = (body: Record<string, unknown>, ip?: string) => user('post', '/v1/self-service/password-resets', ip).send(body);

  // Signing in through the workspace's issuer with the password grant, as an application would.
  let relyingParty: oidc.Configuration;
  const signIn = (username: string, password: string) =>
    oidc.genericGrantRequest(relyingParty, 'password', { username, password, scope: 'openid email offline_access' });
  const grantError = async (promise: Promise<unknown>) => {
    try {
      await promise;
    } catch (e) {
      return (e as oidc.ResponseBodyError).error;
    }
    throw new Error('expected the grant to fail');
  };

  beforeAll(async () => {
    // pino writes to process.stdout when its write is replaced; the JSON lines are kept, anything else passes.
    process.stdout.write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
      const text = typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
      if (text.startsWith('{"level"')) {
        logLines.push(text);
        return true;
      }
      return (realWrite as (...args: unknown[]) => boolean)(chunk, ...rest);
    }) as typeof process.stdout.write;

    smtp = await new SmtpSink().start();
    t = await startTestApp(
      {
        SMTP_URL: smtp.url,
        LOG_LEVEL: 'debug',
        TRUST_PROXY: '1',
        RATE_LIMIT_SELF_SERVICE_PER_IP: String(PER_IP),
        RATE_LIMIT_SELF_SERVICE_PER_EMAIL: String(PER_EMAIL),
        ARGON2_MEMORY_KIB: '1024',
        ARGON2_TIME_COST: '1',
      },
      { listen: true },
    );
    ws = await createWorkspace(t, { name: unique('Acme') });
    verifying = (await createPool(t, ws.id, { name: 'Customers', passwordPolicy: { minLength: 10 }, selfRegistration: { enabled: true, requireEmailVerification: true } })).id;
    direct = (await createPool(t, ws.id, { name: 'Partners', passwordPolicy: { minLength: 10 }, selfRegistration: { enabled: true, requireEmailVerification: false } })).id;
    closed = (await createPool(t, ws.id, { name: 'Staff', passwordPolicy: { minLength: 12 } })).id;
    for (const poolId of [verifying, direct, closed]) {
      await admin('post', `/v1/workspaces/${ws.id}/identity-providers`, { type: 'identity_pool', poolId, signInMethods: ['password'] }, 201);
    }
    const app = (
      await admin('post', `/v1/workspaces/${ws.id}/applications`, { name: 'Portal', redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token', 'password'] }, 201)
    ).body as { clientId: string; clientSecret: string };
    issuer = `${t.baseUrl}/oidc/${ws.id}`;
    relyingParty = await oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
    process.stdout.write = realWrite as typeof process.stdout.write;
  });

  describe('registration', () => {
    it('with email verification: 202, then the emailed link verifies through the API; reused 410, unknown 404', async () => {
      const email = `${unique('reg')}@example.com`;
      const res = await register({ poolId: verifying, email, password: PASSWORD, givenName: 'Ada' }).expect(202);
      expect(res.text).toBe('');

      const pending = await findUser(verifying, email);
      expect(pending).toMatchObject({ status: 'pending_verification', emailVerified: false, givenName: 'Ada' });
      // Not yet: an unverified user cannot sign in.
      expect(await grantError(signIn(email, PASSWORD))).toBe('invalid_grant');

      const mail = await mailTo(email, /Confirm your email/);
      expect(mail.subject).toContain(ws.name);
      expect(mail.text).toContain('Customers');
      const token = tokenOf(mail, 'verify-email');

      const verified = await user('post', '/v1/self-service/verifications').send({ token }).expect(200);
      expect(verified.body).toMatchObject({ id: pending.id, email, status: 'active', emailVerified: true });
      expect(JSON.stringify(verified.body)).not.toContain(token);
      expect((await findUser(verifying, email)).status).toBe('active');
      await signIn(email, PASSWORD);

      const reused = await user('post', '/v1/self-service/verifications').send({ token }).expect(410);
      expect(reused.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(reused.body).toMatchObject({ status: 410, title: 'Gone' });
      const unknown = await user('post', '/v1/self-service/verifications').send({ token: 'x'.repeat(43) }).expect(404);
      expect(unknown.body.status).toBe(404);
    });

    it('the hosted verify-email page shows a button (opening it spends nothing) and its form verifies once', async () => {
      const email = `${unique('page')}@example.com`;
      await register({ poolId: verifying, email, password: PASSWORD }).expect(202);
      const token = tokenOf(await mailTo(email, /Confirm your email/), 'verify-email');

      const page = await user('get', `/self-service/verify-email?token=${encodeURIComponent(token)}`).expect(200);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.text).toMatch(/<form method="post" action="\/self-service\/verify-email"[ >]/);
      expect(page.text).toContain(`name="token" value="${token}"`);
      // A mail scanner opening the link does not confirm anything.
      expect((await findUser(verifying, email)).status).toBe('pending_verification');

      const done = await user('post', '/self-service/verify-email').type('form').send({ token }).expect(200);
      expect(done.text).toContain('Email confirmed');
      expect(await findUser(verifying, email)).toMatchObject({ status: 'active', emailVerified: true });

      const again = await user('post', '/self-service/verify-email').type('form').send({ token }).expect(410);
      expect(again.headers['content-type']).toMatch(/^text\/html/);
      expect(again.text).toContain('already used');
      // Opening a spent or unknown link says so at once.
      expect((await user('get', `/self-service/verify-email?token=${encodeURIComponent(token)}`).expect(410)).text).toContain('already used');
      await user('get', '/self-service/verify-email?token=nope').expect(404);
      await user('post', '/self-service/verify-email').type('form').send({ token: 'nope' }).expect(404);
      await user('post', '/self-service/verify-email').type('form').send({}).expect(400);
    });

    it('an expired verification link answers 410 and leaves the user pending', async () => {
      const email = `${unique('exp')}@example.com`;
      await register({ poolId: verifying, email, password: PASSWORD }).expect(202);
      const token = tokenOf(await mailTo(email, /Confirm your email/), 'verify-email');
      const pending = await findUser(verifying, email);
      await sql(t, `UPDATE user_tokens SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [pending.id]);

      const res = await user('post', '/v1/self-service/verifications').send({ token }).expect(410);
      expect(res.body.detail).toMatch(/expired/);
      expect((await findUser(verifying, email)).status).toBe('pending_verification');
    });

    it('without email verification the user is active at once and can sign in', async () => {
      const email = `${unique('direct')}@example.com`;
      await register({ poolId: direct, email, password: PASSWORD, givenName: 'Grace', familyName: 'Hopper', name: 'Grace Hopper' }).expect(202);
      expect(await findUser(direct, email)).toMatchObject({ status: 'active', emailVerified: false, givenName: 'Grace', familyName: 'Hopper', name: 'Grace Hopper' });
      const tokensIssued = await sql<{ n: string }>(t, `SELECT count(*) AS n FROM user_tokens WHERE purpose = 'email_verification' AND user_id = $1`, [
        (await findUser(direct, email)).id,
      ]);
      expect(Number(tokensIssued[0].n)).toBe(0);
      const tokensOut = await signIn(email, PASSWORD);
      expect(tokensOut.access_token).toBeDefined();
    });

    it('403 when the pool does not allow it, 404 for no pool, 400 for a weak password', async () => {
      const closedRes = await register({ poolId: closed, email: `${unique('closed')}@example.com`, password: PASSWORD }).expect(403);
      expect(closedRes.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(closedRes.body).toMatchObject({ status: 403 });
      await register({ poolId: '00000000-0000-4000-8000-000000000000', email: `${unique('none')}@example.com`, password: PASSWORD }).expect(404);
      const weak = await register({ poolId: verifying, email: `${unique('weak')}@example.com`, password: 'short' }).expect(400);
      expect(errorFields(weak)).toEqual(['password']);
    });

    it('an email that already has an account (any case) gets the same 202 and an "already have an account" email; the account is untouched', async () => {
      const local = unique('Existing');
      const email = `${local}@example.com`;
      const existing = await createUser(verifying, { email, givenName: 'Original' });
      const before = (await admin('get', `/v1/workspaces/${ws.id}/pools/${verifying}/users/${existing.id}`, undefined, 200)).body;

      const res = await register({ poolId: verifying, email: `${local.toUpperCase()}@EXAMPLE.com`, password: 'another long password', givenName: 'Intruder' }).expect(202);
      expect(res.text).toBe('');

      const mail = await mailTo(email, /already have/);
      expect(mail.text).toContain('already has an account');
      // No verification link; only the way back in through the address: a link to choose a new password.
      expect(mail.links.filter((l) => l.includes('token=')).map((l) => new URL(l).pathname)).toEqual(['/self-service/reset-password']);
      expect(await outboxCount(email, 'email_verification')).toBe(0);

      const after = (await admin('get', `/v1/workspaces/${ws.id}/pools/${verifying}/users/${existing.id}`, undefined, 200)).body;
      expect(after).toEqual(before);
      const all = await admin('get', `/v1/workspaces/${ws.id}/pools/${verifying}/users?search=${encodeURIComponent(local.toLowerCase())}`, undefined, 200);
      expect(all.body.items).toHaveLength(1);
      // The old password still works; the one the stranger typed does not.
      await signIn(email, PASSWORD);
      expect(await grantError(signIn(email, 'another long password'))).toBe('invalid_grant');
    });
  });

  describe('no account enumeration', () => {
    /** What a client can tell apart: status, the headers that are not per-request, and the body. */
    const visible = (res: request.Response) => {
      const headers = { ...res.headers };
      for (const perRequest of ['date', 'x-request-id', 'etag']) delete headers[perRequest];
      return { status: res.status, headers, body: res.text };
    };

    it('registration answers alike for a known and an unknown email', async () => {
      const known = (await createUser(verifying, { email: `${unique('known')}@example.com` })).email;
      const a = await register({ poolId: verifying, email: known, password: PASSWORD });
      const b = await register({ poolId: verifying, email: `${unique('unknown')}@example.com`, password: PASSWORD });
      expect(a.status).toBe(202);
      expect(visible(a)).toEqual(visible(b));
    });

    it('password reset answers alike for a known, an unknown, a disabled and an invited email, and a pool that does not exist', async () => {
      const known = (await createUser(closed, { email: `${unique('known')}@example.com` })).email;
      const disabled = await createUser(closed, { email: `${unique('disabled')}@example.com` });
      await admin('patch', `/v1/workspaces/${ws.id}/pools/${closed}/users/${disabled.id}`, { status: 'disabled' }, 200);
      const invited = await createUser(closed, { email: `${unique('invited')}@example.com`, credential: { mode: 'invitation' } });
      const unknown = `${unique('unknown')}@example.com`;

      const answers = [
        await requestReset({ poolId: closed, email: known }),
        await requestReset({ poolId: closed, email: unknown }),
        await requestReset({ poolId: closed, email: disabled.email }),
        await requestReset({ poolId: closed, email: invited.email }),
        await requestReset({ poolId: '00000000-0000-4000-8000-000000000000', email: known }),
      ];
      expect(answers[0].status).toBe(202);
      for (const other of answers.slice(1)) expect(visible(other)).toEqual(visible(answers[0]));

      // The active and the invited user get an email; the others not even an outbox row.
      await mailTo(known, /Reset your/);
      expect(await outboxCount(known, 'password_reset')).toBe(1);
      expect(await outboxCount(invited.email, 'password_reset')).toBe(1);
      for (const nobody of [unknown, disabled.email]) expect(await outboxCount(nobody, 'password_reset')).toBe(0);
    });

    it('an invited user who lost the invitation gets in through "forgot password": active, verified, the invitation spent', async () => {
      const email = `${unique('lost-invite')}@example.com`;
      const invited = await createUser(closed, { email, credential: { mode: 'invitation' } });
      const invitation = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
      await requestReset({ poolId: closed, email }).expect(202);
      const reset = tokenOf(await mailTo(email, /Reset your/), 'reset-password');
      await user('post', '/v1/self-service/password-resets/confirm').send({ token: reset, password: 'long enough password' }).expect(204);
      expect(await findUser(closed, email)).toMatchObject({ id: invited.id, status: 'active', emailVerified: true });
      await signIn(email, 'long enough password');
      await user('post', '/v1/self-service/invitations/accept').send({ token: invitation, password: 'another long password' }).expect(410);
    });
  });

  describe('password reset', () => {
    it('the link sets the password, spends every reset link, ends refresh tokens; the policy is enforced', async () => {
      const email = `${unique('reset')}@example.com`;
      const account = await createUser(closed, { email, credential: { mode: 'password', password: 'the original password' } });
      const session = await signIn(email, 'the original password');
      expect(session.refresh_token).toBeDefined();

      await requestReset({ poolId: closed, email }).expect(202);
      const first = tokenOf(await mailTo(email, /Reset your/), 'reset-password');
      await requestReset({ poolId: closed, email: email.toUpperCase() }).expect(202);
      await smtp.waitFor(() => smtp.to(email).filter((m) => /Reset your/.test(m.subject)).length === 2);
      const second = tokenOf(smtp.to(email).filter((m) => /Reset your/.test(m.subject))[1], 'reset-password');
      expect(second).not.toBe(first);

      const weak = await user('post', '/v1/self-service/password-resets/confirm').send({ token: second, password: 'too short' }).expect(400);
      expect(weak.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(errorFields(weak)).toEqual(['password']);
      expect(weak.body.errors[0].message).toMatch(/12/);

      const done = await user('post', '/v1/self-service/password-resets/confirm').send({ token: second, password: 'a brand new passphrase' }).expect(204);
      expect(done.text).toBe('');

      // Every outstanding reset link is spent, the used one too.
      await user('post', '/v1/self-service/password-resets/confirm').send({ token: first, password: 'yet another passphrase' }).expect(410);
      await user('post', '/v1/self-service/password-resets/confirm').send({ token: second, password: 'yet another passphrase' }).expect(410);
      await user('get', `/self-service/reset-password?token=${encodeURIComponent(first)}`).expect(410);

      // The new password signs in, the old one does not, and the earlier refresh token is dead.
      const fresh = await signIn(email, 'a brand new passphrase');
      expect(fresh.access_token).toBeDefined();
      expect(await grantError(signIn(email, 'the original password'))).toBe('invalid_grant');
      expect(await grantError(oidc.refreshTokenGrant(relyingParty, session.refresh_token!))).toBe('invalid_grant');

      const after = (await admin('get', `/v1/workspaces/${ws.id}/pools/${closed}/users/${account.id}`, undefined, 200)).body;
      expect(after).toMatchObject({ status: 'active', emailVerified: true });
    });

    it('the hosted reset page shows the policy, re-renders errors and confirms', async () => {
      const email = `${unique('resetpage')}@example.com`;
      await createUser(closed, { email, credential: { mode: 'password', password: 'the original password' } });
      await requestReset({ poolId: closed, email }).expect(202);
      const token = tokenOf(await mailTo(email, /Reset your/), 'reset-password');

      const form = await user('get', `/self-service/reset-password?token=${encodeURIComponent(token)}`).expect(200);
      expect(form.text).toContain('At least 12 characters');
      expect(form.text).toContain('minlength="12"');
      expect(form.text).toContain(`name="token" value="${token}"`);

      const bad = await user('post', '/self-service/reset-password').type('form').send({ token, password: 'short' }).expect(400);
      expect(bad.text).toContain('role="alert"');
      expect(bad.text).toMatch(/<form method="post" action="\/self-service\/reset-password"[ >]/);
      expect(bad.text).toContain(`name="token" value="${token}"`);

      const ok = await user('post', '/self-service/reset-password').type('form').send({ token, password: 'a brand new passphrase' }).expect(200);
      expect(ok.text).toContain('Password changed');
      await signIn(email, 'a brand new passphrase');
      await user('get', '/self-service/reset-password?token=unknown-token').expect(404);
    });
  });

  describe('invitations', () => {
    it('an expired invitation answers 410 to the API and the page, and shows as expired', async () => {
      const email = `${unique('invexp')}@example.com`;
      const invited = await createUser(closed, { email, credential: { mode: 'invitation' } });
      const token = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
      await user('get', '/v1/self-service/invitations').query({ token }).expect(200);

      await sql(t, `UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE user_id = $1`, [invited.id]);
      const res = await user('get', '/v1/self-service/invitations').query({ token }).expect(410);
      expect(res.body.detail).toMatch(/expired/);
      await user('post', '/v1/self-service/invitations/accept').send({ token, password: 'long enough password' }).expect(410);
      const page = await user('get', `/self-service/accept-invitation?token=${encodeURIComponent(token)}`).expect(410);
      expect(page.text).toContain('expired');
      const shown = (await admin('get', `/v1/workspaces/${ws.id}/pools/${closed}/users/${invited.id}`, undefined, 200)).body;
      expect(shown).toMatchObject({ status: 'invited', invitation: { status: 'expired' } });
    });

    it('accepting through the API takes the names and activates the user with a verified email', async () => {
      const email = `${unique('invapi')}@example.com`;
      const invited = await createUser(closed, { email, credential: { mode: 'invitation' } });
      const token = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
      const details = await user('get', '/v1/self-service/invitations').query({ token }).expect(200);
      expect(details.body).toMatchObject({ email, poolName: 'Staff' });

      const accepted = await user('post', '/v1/self-service/invitations/accept')
        .send({ token, password: 'long enough password', givenName: 'Katherine', familyName: 'Johnson' })
        .expect(200);
      expect(accepted.body).toMatchObject({ id: invited.id, status: 'active', emailVerified: true, givenName: 'Katherine', familyName: 'Johnson' });
      await signIn(email, 'long enough password');
    });

    it('the hosted accept-invitation page renders the form with the policy, re-renders errors, then succeeds', async () => {
      const email = `${unique('invpage')}@example.com`;
      const invited = await createUser(closed, { email, credential: { mode: 'invitation' } });
      const token = tokenOf(await mailTo(email, /invited/), 'accept-invitation');

      const form = await user('get', `/self-service/accept-invitation?token=${encodeURIComponent(token)}`).expect(200);
      expect(form.headers['content-type']).toMatch(/^text\/html/);
      expect(form.text).toContain(email);
      expect(form.text).toContain('Staff');
      expect(form.text).toContain('At least 12 characters');
      expect(form.text).toContain('minlength="12"');
      expect(form.text).toMatch(/<form method="post" action="\/self-service\/accept-invitation"[ >]/);
      expect(form.text).toContain(`name="token" value="${token}"`);

      const bad = await user('post', '/self-service/accept-invitation').type('form').send({ token, password: 'short', givenName: '' }).expect(400);
      expect(bad.text).toContain('role="alert"');
      expect(bad.text).toMatch(/12/);
      expect(bad.text).toContain(`name="token" value="${token}"`);
      expect(bad.text).toContain(email);

      const ok = await user('post', '/self-service/accept-invitation')
        .type('form')
        .send({ token, password: 'long enough password', givenName: 'Dorothy', familyName: '' })
        .expect(200);
      expect(ok.text).toContain('Your account is ready');
      expect((await admin('get', `/v1/workspaces/${ws.id}/pools/${closed}/users/${invited.id}`, undefined, 200)).body).toMatchObject({
        status: 'active',
        emailVerified: true,
        givenName: 'Dorothy',
        familyName: null,
      });

      const spent = await user('get', `/self-service/accept-invitation?token=${encodeURIComponent(token)}`).expect(410);
      expect(spent.text).toContain('already accepted');
      await user('post', '/self-service/accept-invitation').type('form').send({ token, password: 'long enough password' }).expect(410);
      await user('get', '/self-service/accept-invitation?token=not-a-token').expect(404);
      await user('get', '/self-service/accept-invitation').expect(400);
    });

    it('re-sending retires the earlier link; the management API never shows a token', async () => {
      const email = `${unique('invresend')}@example.com`;
      const invited = await createUser(closed, { email, credential: { mode: 'invitation' } });
      const first = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
      await admin('post', `/v1/workspaces/${ws.id}/pools/${closed}/users/${invited.id}/invitations`, undefined, 202);
      await smtp.waitFor(() => smtp.to(email).length === 2);
      const second = tokenOf(smtp.to(email)[1], 'accept-invitation');
      await user('get', '/v1/self-service/invitations').query({ token: first }).expect(410);
      await user('get', '/v1/self-service/invitations').query({ token: second }).expect(200);
      await eventually(async () => {
        const shown = (await admin('get', `/v1/workspaces/${ws.id}/pools/${closed}/users/${invited.id}`, undefined, 200)).body;
        expect(shown.invitation.status).toBe('sent');
        expect(Object.keys(shown.invitation).sort()).toEqual(['expiresAt', 'sentAt', 'status']);
      });
      for (const pool of [verifying, direct, closed]) await admin('get', `/v1/workspaces/${ws.id}/pools/${pool}/users?limit=200`, undefined, 200);
    });
  });

  describe('rate limits', () => {
    it(`per IP: the ${PER_IP + 1}th self-service request from one address gets 429 with Retry-After`, async () => {
      const ip = freshIp();
      for (let i = 0; i < PER_IP; i++) await user('get', '/v1/self-service/invitations', ip).query({ token: `unknown-${i}` }).expect(404);
      const limited = await user('post', '/v1/self-service/verifications', ip).send({ token: 'whatever' }).expect(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(limited.body).toMatchObject({ status: 429 });
      const retryAfter = Number(limited.headers['retry-after']);
      expect(Number.isInteger(retryAfter) && retryAfter > 0 && retryAfter <= 900).toBe(true);
      // People read the wait in minutes (rounded up), machines in Retry-After.
      const [, n, unit] = /^Too many attempts\. Retry in (\d+) (second|minute)s?\.$/.exec(limited.body.detail) ?? [];
      expect(Number(n)).toBe(unit === 'second' ? retryAfter : Math.ceil(retryAfter / 60));
      // The hosted pages count too, and answer with a page.
      const page = await user('get', '/self-service/accept-invitation?token=whatever', ip).expect(429);
      expect(page.headers['content-type']).toMatch(/^text\/html/);
      expect(page.headers['retry-after']).toBeDefined();
      // Another address is not affected.
      await user('get', '/v1/self-service/invitations').query({ token: 'unknown' }).expect(404);
    });

    it(`per email: the ${PER_EMAIL + 1}th registration or reset request for one email (any case, any address) gets 429`, async () => {
      const email = `${unique('limited')}@example.com`;
      await createUser(closed, { email });
      for (let i = 0; i < PER_EMAIL - 1; i++) await requestReset({ poolId: closed, email }).expect(202);
      await register({ poolId: verifying, email: email.toUpperCase(), password: PASSWORD }).expect(202);
      const limited = await requestReset({ poolId: closed, email }).expect(429);
      expect(limited.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
      await register({ poolId: verifying, email, password: PASSWORD }).expect(429);
      // An unknown email is limited the same way (no enumeration through the limiter).
      const unknown = `${unique('limited')}@example.com`;
      for (let i = 0; i < PER_EMAIL; i++) await requestReset({ poolId: closed, email: unknown }).expect(202);
      const unknownLimited = await requestReset({ poolId: closed, email: unknown }).expect(429);
      expect(Object.keys(unknownLimited.headers).sort()).toEqual(Object.keys(limited.headers).sort());
      // Others are not affected.
      await requestReset({ poolId: closed, email: `${unique('other')}@example.com` }).expect(202);
    });
  });

  describe('bad input', () => {
    const expectProblem = (res: request.Response, status: number) => {
      expect(res.status).toBe(status);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body).toMatchObject({ status, title: expect.any(String), detail: expect.any(String) });
    };

    it('malformed JSON is a 400 problem', async () => {
      for (const path of ['/v1/self-service/verifications', '/v1/self-service/registrations', '/v1/self-service/password-resets/confirm']) {
        const res = await user('post', path).set('Content-Type', 'application/json').send('{"token": ');
        expectProblem(res, 400);
        expect(res.body.detail).toMatch(/JSON/);
      }
    });

    it('a wrong content type is a 415 problem', async () => {
      const res = await user('post', '/v1/self-service/verifications').set('Content-Type', 'text/plain').send('token=abc');
      expectProblem(res, 415);
      const form = await user('post', '/v1/self-service/password-resets').type('form').send({ poolId: closed, email: 'a@example.com' });
      expectProblem(form, 415);
    });

    it('missing or invalid fields are a 400 problem naming each', async () => {
      const cases: [Method, string, Record<string, unknown> | undefined, string[]][] = [
        ['post', '/v1/self-service/verifications', {}, ['token']],
        ['post', '/v1/self-service/verifications', { token: '' }, ['token']],
        ['post', '/v1/self-service/verifications', { token: 42 }, ['token']],
        ['post', '/v1/self-service/invitations/accept', { password: 'long enough password' }, ['token']],
        ['post', '/v1/self-service/password-resets/confirm', { token: 'abc' }, ['password']],
        ['post', '/v1/self-service/registrations', { poolId: 'not-a-uuid', email: 'not an email', password: 12345678901 }, ['email', 'password', 'poolId']],
        ['post', '/v1/self-service/registrations', { poolId: verifying, email: 'a@example.com', password: PASSWORD, admin: true }, ['admin']],
        ['post', '/v1/self-service/password-resets', {}, ['email', 'poolId']],
      ];
      for (const [method, path, body, fields] of cases) {
        const res = await user(method, path).send(body!);
        expectProblem(res, 400);
        expect({ path, fields: errorFields(res) }).toEqual({ path, fields });
      }
      const noToken = await user('get', '/v1/self-service/invitations');
      expectProblem(noToken, 400);
      expect(errorFields(noToken)).toEqual(['token']);
      const noBody = await user('post', '/v1/self-service/verifications');
      expectProblem(noBody, 400);
      expect(errorFields(noBody)).toEqual(['token']);
    });

    it('a password the pool refuses is named beside the other bad fields, not after they are fixed', async () => {
      const email = `${unique('merged')}@example.com`;
      await createUser(closed, { email, credential: { mode: 'invitation' } });
      const invitation = tokenOf(await mailTo(email, /invited/), 'accept-invitation');
      const accept = await user('post', '/v1/self-service/invitations/accept').send({ token: invitation, password: 'short', givenName: 'x'.repeat(300) });
      expectProblem(accept, 400);
      expect(errorFields(accept)).toEqual(['givenName', 'password']);
      expect(accept.body.errors.find((e: { field: string }) => e.field === 'password').message).toMatch(/12/);

      await createUser(closed, { email: `reset-${email}` });
      await requestReset({ poolId: closed, email: `reset-${email}` }).expect(202);
      const reset = tokenOf(await mailTo(`reset-${email}`, /password/i), 'reset-password');
      const confirm = await user('post', '/v1/self-service/password-resets/confirm').send({ token: reset, password: 'short', extra: 1 });
      expect(errorFields(confirm)).toEqual(['extra', 'password']);

      const registration = await register({ poolId: verifying, email: 'not an email', password: 'short' });
      expect(errorFields(registration)).toEqual(['email', 'password']);
      // Nothing was spent or created on the way.
      await user('post', '/v1/self-service/invitations/accept').send({ token: invitation, password: 'long enough password' }).expect(200);
      await user('post', '/v1/self-service/password-resets/confirm').send({ token: reset, password: 'long enough password' }).expect(204);
    });

    it('a hosted form posted as anything but a urlencoded form is a 415 page saying what to send', async () => {
      for (const [type, body] of [['application/json', '{"token":"abc","password":"long enough password"}'], ['text/plain', 'token=abc']]) {
        const res = await user('post', '/self-service/reset-password').set('Content-Type', type).send(body);
        expect(res.status).toBe(415);
        expect(res.headers['content-type']).toMatch(/^text\/html/);
        expect(res.text).toContain('application/x-www-form-urlencoded');
      }
    });
  });

  describe('secrets', () => {
    it('no link token (nor its hash) appears in a management API answer or a log line', async () => {
      expect(tokens.size).toBeGreaterThanOrEqual(10);
      const log = logLines.join('');
      // The capture works: request lines are there, with ?token= values redacted.
      expect(log).toContain('"url":"/self-service/accept-invitation?token=[Redacted]"');
      expect(log).toMatch(/Email attempt|"msg":"request completed"/);
      const management = managementAnswers.join('\n');
      for (const token of tokens) {
        const hash = createHash('sha256').update(token).digest();
        for (const form of [token, hash.toString('hex'), hash.toString('base64'), hash.toString('base64url')]) {
          expect(management.includes(form) ? `management answer contains ${form}` : null).toBeNull();
          expect(log.includes(form) ? `log contains ${form}` : null).toBeNull();
        }
      }
    });
  });
});
