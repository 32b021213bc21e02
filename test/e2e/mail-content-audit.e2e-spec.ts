import { createHash, randomBytes } from 'node:crypto';
import { createPool, createWorkspace, sql } from '../factories';
import { freePort, ROOT_KEY, startTestApp, TestApp } from '../support/test-app';
import { ReceivedMail, SmtpSink } from '../support/smtp-sink';

/**
 * What every kind of email the service sends looks like on arrival, read from a real SMTP
 * server: the envelope headers, the link (absolute, under a PUBLIC_URL with a path, the
 * same in both parts, good once), names full of markup and a CR/LF header injection
 * attempt, the stated expiry, and that nothing secret but the link's token is in it.
 *
 * PUBLIC_URL has a path (/idp), as behind a proxy that adds it and strips it again: a link
 * is followed by asking the app for what comes after PUBLIC_URL, as that proxy would.
 */

const MAIL_FROM = 'Acme Support <support@acme.test>';
const PASSWORD = 'correct horse battery staple';
const NEW_PASSWORD = 'another long enough password';
const INVITATION_TTL_HOURS = 48;
const VERIFICATION_TTL_HOURS = 24;
const RESET_TTL_HOURS = 1;

/** Markup and an entity that must reach the reader as typed. */
const MARKUP = `<b>x</b> "><script>alert(1)</script> &amp;`;
/** Goes into the subject: its CR/LF must not start new header lines. */
const WORKSPACE_NAME = `Acme ${MARKUP}\r\nBcc: injected@evil.test\r\nX-Injected: yes`;
const INJECTED_RECIPIENT = 'injected@evil.test';

/** The headers a message may carry, each once. */
const EXPECTED_HEADERS = ['content-type', 'date', 'from', 'message-id', 'mime-version', 'subject', 'to'];

type Page = 'accept-invitation' | 'verify-email' | 'reset-password';

describe('mail content audit', () => {
  let t: TestApp;
  let smtp: SmtpSink;
  let publicUrl: string;
  let ws: { id: string; name: string };
  /** Self-registration closed; invitations and resets happen here. */
  let closedPool: { id: string; name: string };
  /** Self-registration open, with email verification. */
  let openPool: { id: string; name: string };

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    // Nothing listens at PUBLIC_URL's port: links are followed through the app with the prefix stripped.
    publicUrl = `http://127.0.0.1:${await freePort()}/idp`;
    t = await startTestApp({
      SMTP_URL: smtp.url,
      PUBLIC_URL: publicUrl,
      MAIL_FROM,
      TRUST_PROXY: '1',
      ARGON2_MEMORY_KIB: '1024',
      ARGON2_TIME_COST: '1',
    });
    ws = await createWorkspace(t, { name: WORKSPACE_NAME });
    closedPool = await createPool(t, ws.id, { name: `Staff ${MARKUP}`, invitationTtlHours: INVITATION_TTL_HOURS });
    openPool = await createPool(t, ws.id, { name: `Customers ${MARKUP}`, selfRegistration: { enabled: true, requireEmailVerification: true } });
  });

  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  // ---- helpers: one per repeated action ----

  // Random, because the self-service counters live in the shared Redis and outlast a run.
  const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;
  const endUser = (method: 'get' | 'post', path: string) => t.http[method](path).set('X-Forwarded-For', freshIp());
  /** An address with characters HTML gives a meaning to. */
  const hostileEmail = (label: string) => `o'hara&${label}.${randomBytes(3).toString('hex')}@example.test`;
  const collapse = (text: string) => text.replace(/\s+/g, ' ').trim();
  const decodeEntities = (html: string) =>
    html.replace(/&(lt|gt|quot|#39|amp);/g, (_, name: string) => ({ lt: '<', gt: '>', quot: '"', '#39': "'", amp: '&' })[name]!);
  /** What a reader sees of the HTML part: tags dropped, entities decoded once. */
  const visibleText = (html: string) => collapse(decodeEntities(html.replace(/<[^>]*>/g, ' ')));

  /** The next email to `to` whose subject matches, not one already seen. */
  const seen = new Set<ReceivedMail>();
  const nextMail = async (to: string, subject: RegExp) => {
    const mail = await smtp.waitFor((m) => !seen.has(m) && m.to.toLowerCase() === to.toLowerCase() && subject.test(m.subject));
    seen.add(mail);
    return mail;
  };

  /** Check 1, and the header half of check 3: who it is from and to, the envelope headers, both parts. */
  const expectEnvelope = (mail: ReceivedMail, to: string) => {
    expect(mail.from).toBe('support@acme.test');
    expect(mail.rawHeaders).toMatch(/^From: "?Acme Support"? <support@acme\.test>$/m);
    expect(mail.to.toLowerCase()).toBe(to.toLowerCase());
    expect(mail.subject.trim()).not.toBe('');
    expect(mail.date).toBeInstanceOf(Date);
    expect(Math.abs(mail.date!.getTime() - Date.now())).toBeLessThan(5 * 60_000);
    expect(mail.messageId).toMatch(/^<[^<>@\s]+@acme\.test>$/);
    expect(mail.text.trim()).not.toBe('');
    expect(mail.html).toMatch(/<html[\s>]/);
    // Header names of the unfolded lines: the expected ones, each once, nothing a name smuggled in.
    const names = mail.rawHeaders!.split(/\r?\n/).filter((line) => !/^[ \t]/.test(line)).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect([...names].sort()).toEqual(EXPECTED_HEADERS);
    expect(mail.subject).not.toMatch(/[\r\n]/);
  };

  /** Check 3: the workspace and pool names are in both parts as typed, escaped in the HTML; the subject is one line. */
  const expectNamesShownLiterally = (mail: ReceivedMail, subject: string, pool: { name: string }) => {
    expect(collapse(mail.subject)).toBe(collapse(subject));
    for (const name of [WORKSPACE_NAME, pool.name]) {
      expect(collapse(mail.text)).toContain(collapse(name));
      expect(visibleText(mail.html)).toContain(collapse(name));
    }
    // A line break in a name never starts a line of the text part.
    expect(mail.text).not.toMatch(/^(Bcc|X-Injected):/m);
    for (const markup of ['<b>x', '<script', '"><script']) expect(mail.html).not.toContain(markup);
    expect(mail.html).toContain('&lt;b&gt;x&lt;/b&gt;');
    expect(mail.html).toContain('&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(mail.html).toContain('&amp;amp;');
  };

  /** Check 2 (first half): the one link, absolute under PUBLIC_URL, to `page`, the same in both parts. */
  const linkOf = (mail: ReceivedMail, page: Page) => {
    const textLinks = [...new Set(mail.links)];
    expect(textLinks).toHaveLength(1);
    const [link] = textLinks;
    expect(link.startsWith(`${publicUrl}/self-service/${page}?token=`)).toBe(true);
    const url = new URL(link);
    expect([...url.searchParams.keys()]).toEqual(['token']);
    const token = url.searchParams.get('token')!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43,}$/);
    const hrefs = [...mail.html.matchAll(/href="([^"]*)"/g)].map((m) => decodeEntities(m[1]));
    expect(hrefs.length).toBeGreaterThan(0);
    expect(new Set(hrefs)).toEqual(new Set([link]));
    expect(visibleText(mail.html)).toContain(link);
    return { link, token };
  };

  /** A path of the app for a URL under PUBLIC_URL (what the proxy in front would forward). */
  const appPath = (url: string) => {
    const base = new URL(publicUrl);
    const target = new URL(url, publicUrl);
    expect(target.origin).toBe(base.origin);
    expect(target.pathname.startsWith(`${base.pathname}/`)).toBe(true);
    return target.pathname.slice(base.pathname.length) + target.search;
  };

  /** The hosted page's form: where it posts (under PUBLIC_URL) and its hidden fields. */
  const formOf = (html: string) => {
    const action = /<form method="post" action="([^"]*)"/.exec(html)?.[1];
    if (!action) throw new Error(`no form in the page: ${html.slice(0, 500)}`);
    const hidden = Object.fromEntries([...html.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((m) => [m[1], decodeEntities(m[2])]));
    return { action: decodeEntities(action), hidden };
  };

  /**
   * Check 2 (second half): the link opens the hosted page; its form, sent as the page has it, works the first time
   * and answers 410 the second; the link itself is 410 afterwards.
   */
  const followLinkAndUseTwice = async (link: string, page: Page, fields: Record<string, string>, heading: RegExp) => {
    const opened = await endUser('get', appPath(link)).expect(200);
    expect(opened.headers['content-type']).toMatch(/^text\/html/);
    const form = formOf(opened.text);
    expect(form.action).toBe(`${new URL(publicUrl).pathname}/self-service/${page}`);
    expect(form.hidden.token).toBe(new URL(link).searchParams.get('token'));
    const submit = () => endUser('post', appPath(new URL(form.action, publicUrl).href)).type('form').send({ ...form.hidden, ...fields });
    const first = await submit();
    expect(first.status).toBe(200);
    expect(first.text).toMatch(heading);
    expect((await submit()).status).toBe(410);
    expect((await endUser('get', appPath(link))).status).toBe(410);
  };

  /** Check 4: the "expires on …" the email states, the same in both parts. */
  const statedExpiry = (mail: ReceivedMail): Date => {
    const stated = /expires on ([^.]+? GMT)/.exec(mail.text)?.[1];
    if (!stated) throw new Error(`no expiry stated: ${mail.text}`);
    expect(visibleText(mail.html)).toContain(`expires on ${stated}`);
    const date = new Date(stated);
    expect(Number.isNaN(date.getTime())).toBe(false);
    return date;
  };
  const expectAbout = (date: Date, expected: number, slackMs = 60_000) => expect(Math.abs(date.getTime() - expected)).toBeLessThan(slackMs);

  /** Check 5: no password, hash or key in the email, and its token nowhere but in its link. */
  const expectNoSecrets = async (mail: ReceivedMail, passwords: string[], link?: { link: string; token: string }) => {
    const parts = [mail.rawHeaders!, mail.subject, mail.text, mail.html, decodeEntities(mail.html)];
    const stored = await sql<{ secret: string }>(
      t,
      `SELECT encode(token_hash, 'hex') AS secret FROM invitations WHERE token_hash IS NOT NULL
       UNION ALL SELECT encode(token_hash, 'hex') FROM user_tokens WHERE token_hash IS NOT NULL
       UNION ALL SELECT password_hash FROM credentials`,
    );
    const hashes = stored.flatMap(({ secret }) => (/^[0-9a-f]{64}$/.test(secret) ? [secret, Buffer.from(secret, 'hex').toString('base64'), Buffer.from(secret, 'hex').toString('base64url')] : [secret]));
    if (link) {
      const digest = createHash('sha256').update(link.token).digest();
      hashes.push(digest.toString('hex'), digest.toString('base64'), digest.toString('base64url'));
    }
    for (const secret of [...passwords, ...hashes, ROOT_KEY]) for (const part of parts) expect(part).not.toContain(secret);
    for (const part of parts) expect(part).not.toMatch(/\$argon2|\$2[aby]\$/);
    if (link) {
      for (const part of [mail.text, decodeEntities(mail.html)]) expect(part.split(link.link).join('')).not.toContain(link.token);
      expect(mail.rawHeaders).not.toContain(link.token);
    }
  };

  const inviteUser = async (email: string) =>
    (
      await t
        .root('post', `/v1/workspaces/${ws.id}/pools/${closedPool.id}/users`)
        .send({ email, givenName: MARKUP, familyName: `${MARKUP}\r\nX-Injected: yes`, credential: { mode: 'invitation' } })
        .expect(201)
    ).body as { id: string; email: string };
  const invitationOf = async (userId: string) =>
    (await t.root('get', `/v1/workspaces/${ws.id}/pools/${closedPool.id}/users/${userId}`).expect(200)).body.invitation as { expiresAt: string; status: string };
  const register = (email: string, password: string) =>
    endUser('post', '/v1/self-service/registrations').send({ poolId: openPool.id, email, password, givenName: MARKUP, name: `${MARKUP}\r\nX-Injected: yes` }).expect(202);

  // ---- one test per kind ----

  it('invitation', async () => {
    const email = hostileEmail('inv');
    const before = Date.now();
    const user = await inviteUser(email);
    const mail = await nextMail(email, /invited/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `You are invited to ${WORKSPACE_NAME}`, closedPool);
    expect(visibleText(mail.html)).toContain(email);
    const link = linkOf(mail, 'accept-invitation');

    const stated = statedExpiry(mail);
    const { expiresAt } = await invitationOf(user.id);
    expect(stated.getTime()).toBe(Math.floor(new Date(expiresAt).getTime() / 1000) * 1000);
    expectAbout(stated, before + INVITATION_TTL_HOURS * 3600_000);

    await expectNoSecrets(mail, [], link);
    await followLinkAndUseTwice(link.link, 'accept-invitation', { password: PASSWORD }, /Your account is ready/);
    await expectNoSecrets(mail, [PASSWORD], link);
  });

  it('invitation re-send: a new link, the earlier one dead', async () => {
    const email = hostileEmail('resend');
    const user = await inviteUser(email);
    const first = linkOf(await nextMail(email, /invited/), 'accept-invitation');
    const before = Date.now();
    await t.root('post', `/v1/workspaces/${ws.id}/pools/${closedPool.id}/users/${user.id}/invitations`).expect(202);
    const mail = await nextMail(email, /invited/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `You are invited to ${WORKSPACE_NAME}`, closedPool);
    const link = linkOf(mail, 'accept-invitation');
    expect(link.token).not.toBe(first.token);
    const stated = statedExpiry(mail);
    expect(stated.getTime()).toBe(Math.floor(new Date((await invitationOf(user.id)).expiresAt).getTime() / 1000) * 1000);
    expectAbout(stated, before + INVITATION_TTL_HOURS * 3600_000);
    await expectNoSecrets(mail, [], link);

    expect((await endUser('get', appPath(first.link))).status).toBe(410);
    await followLinkAndUseTwice(link.link, 'accept-invitation', { password: PASSWORD }, /Your account is ready/);
  });

  it('registration: email verification', async () => {
    const email = hostileEmail('verify');
    const before = Date.now();
    await register(email, PASSWORD);
    const mail = await nextMail(email, /Confirm your email/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `Confirm your email for ${WORKSPACE_NAME}`, openPool);
    const link = linkOf(mail, 'verify-email');
    expectAbout(statedExpiry(mail), before + VERIFICATION_TTL_HOURS * 3600_000);
    await expectNoSecrets(mail, [PASSWORD], link);
    await followLinkAndUseTwice(link.link, 'verify-email', {}, /Email confirmed/);
  });

  it('registration of a taken address: "you already have an account", with a reset link', async () => {
    const email = hostileEmail('exists');
    await register(email, PASSWORD);
    await nextMail(email, /Confirm your email/);
    const typedAgain = 'the password typed the second time';
    const before = Date.now();
    await register(email, typedAgain);
    const mail = await nextMail(email, /already have/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `You already have an account at ${WORKSPACE_NAME}`, openPool);
    // Still verifying: it cannot sign in yet, so the email does not say to.
    expect(collapse(mail.text)).toContain('Its address is not confirmed yet. If it was you, choose a password with the link below');
    expect(mail.text).not.toMatch(/sign in with your password/);
    const link = linkOf(mail, 'reset-password');
    expectAbout(statedExpiry(mail), before + RESET_TTL_HOURS * 3600_000);
    await expectNoSecrets(mail, [PASSWORD, typedAgain], link);
    await followLinkAndUseTwice(link.link, 'reset-password', { password: NEW_PASSWORD }, /Password changed/);
  });

  it('registration of an invited address: "you already have an account", with a link to choose the password', async () => {
    const email = hostileEmail('invited');
    await t
      .root('post', `/v1/workspaces/${ws.id}/pools/${openPool.id}/users`)
      .send({ email, credential: { mode: 'invitation' } })
      .expect(201);
    await nextMail(email, /invited/);
    const typed = 'a password an intruder typed';
    await register(email, typed);
    const mail = await nextMail(email, /already have/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `You already have an account at ${WORKSPACE_NAME}`, openPool);
    expect(collapse(mail.text)).toContain('You were invited and have not chosen a password yet. If it was you, choose one with the link below');
    const link = linkOf(mail, 'reset-password');
    await expectNoSecrets(mail, [typed], link);
  });

  it('password reset', async () => {
    const email = hostileEmail('reset');
    await t
      .root('post', `/v1/workspaces/${ws.id}/pools/${closedPool.id}/users`)
      .send({ email, credential: { mode: 'password', password: PASSWORD } })
      .expect(201);
    const before = Date.now();
    await endUser('post', '/v1/self-service/password-resets').send({ poolId: closedPool.id, email }).expect(202);
    const mail = await nextMail(email, /Reset your/);

    expectEnvelope(mail, email);
    expectNamesShownLiterally(mail, `Reset your ${WORKSPACE_NAME} password`, closedPool);
    const link = linkOf(mail, 'reset-password');
    expectAbout(statedExpiry(mail), before + RESET_TTL_HOURS * 3600_000);
    await expectNoSecrets(mail, [PASSWORD], link);
    await followLinkAndUseTwice(link.link, 'reset-password', { password: NEW_PASSWORD }, /Password changed/);
    await expectNoSecrets(mail, [PASSWORD, NEW_PASSWORD], link);
  });

  it('no email went to an address a name tried to add', () => {
    expect(smtp.messages.filter((m) => m.to.toLowerCase().includes(INJECTED_RECIPIENT))).toEqual([]);
    expect(smtp.messages.every((m) => !/^(bcc|cc|x-injected):/im.test(m.rawHeaders!))).toBe(true);
  });
});
