import { randomBytes } from 'node:crypto';
import { connectPool, createApplication, createPool, createUser, createWorkspace, sql, unique } from '../factories';
import { builtServer, freshDatabaseUrl, ServerProcess, startServer } from '../support/server-process';
import { SmtpSink } from '../support/smtp-sink';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * The README's Configuration table, against the running app, for what no other suite
 * shows: each RATE_LIMIT_* default and the window, the argon2 parameters of new hashes,
 * IMPORT_MAX_UPLOAD_BYTES, the defaults of PUBLIC_URL and MAIL_FROM, and the refusal of
 * a bad limit, cost or upload size at start. Shown elsewhere: the configured sign-in and
 * self-service counts (oidc, contract-enduser-audit, attack-audit, self-service), ROOT_API_KEY
 * and NODE_ENV (startup, conventions-audit), PUBLIC_URL and MAIL_FROM set (oidc-audit,
 * contract-enduser-audit, mail-content-audit), TRUST_PROXY, ROLE, SMTP_URL, LOG_LEVEL, the
 * MAIL_* and IMPORT_* timings, CONSOLE_DIR, UV_THREADPOOL_SIZE (threadpool unit spec), and
 * every numeric default as loadConfig reads it (readme-audit).
 */

/** Every answer of the app that matters here: its status and, when throttled, Retry-After. */
interface Answer {
  status: number;
  retryAfter: number | null;
}

const answer = (res: { status: number; headers: Record<string, string> }): Answer => ({
  status: res.status,
  retryAfter: res.headers['retry-after'] === undefined ? null : Number(res.headers['retry-after']),
});

/** A client address of its own (the apps trust one proxy hop), so each check counts apart. */
const freshIp = () => `10.${[...randomBytes(3)].join('.')}`;

/** An app with a workspace whose pool is connected, and an application allowed the password grant. */
async function startWithIssuer(env: Record<string, string>) {
  const t = await startTestApp({ TRUST_PROXY: '1', ...env }, { listen: true });
  const ws = (await createWorkspace(t)).id;
  const pool = (await createPool(t, ws)).id;
  await connectPool(t, ws, pool);
  const app = await createApplication(t, ws);
  const basic = `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`;
  /** A password grant from `ip`. */
  const signIn = async (username: string, password: string, ip: string) =>
    answer(
      await t.http
        .post(`/oidc/${ws}/token`)
        .set('Authorization', basic)
        .set('X-Forwarded-For', ip)
        .type('form')
        .send({ grant_type: 'password', username, password, scope: 'openid' }),
    );
  /** A self-service request that names no email (an unknown invitation link): 404 until throttled. */
  const openInvitation = async (ip: string) => answer(await t.http.get('/v1/self-service/invitations').query({ token: unique('unknown') }).set('X-Forwarded-For', ip));
  /** A password reset request for `email`: 202 until throttled. */
  const requestReset = async (email: string, ip: string) => answer(await t.http.post('/v1/self-service/password-resets').set('X-Forwarded-For', ip).send({ poolId: pool, email }));
  return { t, ws, pool, signIn, openInvitation, requestReset };
}

/** Runs `attempt` `count` times, one after the other; the statuses, and the answer of one more. */
async function untilThrottled(count: number, attempt: (i: number) => Promise<Answer>): Promise<{ statuses: number[]; next: Answer }> {
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) statuses.push((await attempt(i)).status);
  return { statuses, next: await attempt(count) };
}

/** The password hash stored for a user. */
async function storedHash(t: TestApp, userId: string): Promise<string> {
  const [row] = await sql<{ hash: string }>(t, 'SELECT password_hash AS hash FROM credentials WHERE user_id = $1', [userId]);
  return row.hash;
}

const nobody = () => `${unique('nobody')}@example.com`;

describe('configuration left at its defaults (README, Configuration)', () => {
  let smtp: SmtpSink;
  let issuer: Awaited<ReturnType<typeof startWithIssuer>>;
  let t: TestApp;

  beforeAll(async () => {
    smtp = await new SmtpSink().start();
    // PUBLIC_URL empty is PUBLIC_URL unset; nothing else of the table is set but the infrastructure.
    issuer = await startWithIssuer({ SMTP_URL: smtp.url, PUBLIC_URL: '' });
    t = issuer.t;
  });
  afterAll(async () => {
    await t?.close();
    await smtp?.stop();
  });

  const port = () => new URL(t.baseUrl).port;

  it('PUBLIC_URL: http://localhost:$PORT is the issuer in discovery and the base of emailed links', async () => {
    const discovery = await t.http.get(`/oidc/${issuer.ws}/.well-known/openid-configuration`).expect(200);
    expect(discovery.body.issuer).toBe(`http://localhost:${port()}/oidc/${issuer.ws}`);
    const email = `${unique('invited')}@example.com`;
    await t.root('post', `/v1/workspaces/${issuer.ws}/pools/${issuer.pool}/users`).send({ email, credential: { mode: 'invitation' } }).expect(201);
    const mail = await smtp.waitFor((m) => m.to.includes(email));
    expect(mail.links).toEqual([expect.stringMatching(new RegExp(`^http://localhost:${port()}/self-service/accept-invitation\\?token=`))]);
    // MAIL_FROM: Identity Pools <no-reply@localhost>.
    expect(mail.from).toBe('no-reply@localhost');
  });

  it('ARGON2_*: new hashes are argon2id with m=19456, t=2, p=1', async () => {
    const user = await createUser(t, issuer.ws, issuer.pool);
    expect(await storedHash(t, user.id)).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
  });

  it('RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: the 21st failed sign-in for one identifier is 429, with Retry-After within RATE_LIMIT_WINDOW_SECONDS (900)', async () => {
    const identifier = nobody();
    const { statuses, next } = await untilThrottled(20, () => issuer.signIn(identifier, 'wrong', freshIp()));
    expect(statuses).toEqual(Array(20).fill(400));
    expect(next.status).toBe(429);
    // The window began a few seconds ago, 900 s long.
    expect(next.retryAfter).toBeGreaterThan(850);
    expect(next.retryAfter).toBeLessThanOrEqual(900);
  });

  it('RATE_LIMIT_SIGNIN_FAILURES_PER_IP: the 101st failed sign-in from one address is 429', async () => {
    const ip = freshIp();
    const { statuses, next } = await untilThrottled(100, () => issuer.signIn(nobody(), 'wrong', ip));
    expect(statuses).toEqual(Array(100).fill(400));
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(850);
  }, 60_000);

  it('RATE_LIMIT_SELF_SERVICE_PER_IP: the 61st self-service request from one address is 429', async () => {
    const ip = freshIp();
    const { statuses, next } = await untilThrottled(60, () => issuer.openInvitation(ip));
    expect(statuses).toEqual(Array(60).fill(404));
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(850);
  });

  it('RATE_LIMIT_SELF_SERVICE_PER_EMAIL: the 6th reset request for one email is 429', async () => {
    const email = nobody();
    const { statuses, next } = await untilThrottled(5, () => issuer.requestReset(email, freshIp()));
    expect(statuses).toEqual(Array(5).fill(202));
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(850);
  });

  it('IMPORT_MAX_UPLOAD_BYTES: an NDJSON upload over 10 MB (the JSON body limit) is still read whole (2 GB)', async () => {
    // Blank lines only (spaces, each line under the 64 KB line limit): read to the end, then refused for having no record, not for its size.
    const blank = `${' '.repeat(60_000)}\n`.repeat(Math.ceil((11 * 1024 * 1024) / 60_001));
    const res = await t.root('post', `/v1/workspaces/${issuer.ws}/pools/${issuer.pool}/imports`).set('content-type', 'application/x-ndjson').send(blank);
    expect(res.status).toBe(400);
    expect(res.body.detail).toMatch(/no records/);
  });
});

describe('configuration set (README, Configuration)', () => {
  const WINDOW = 2;
  const MAX_UPLOAD = 1024;
  let issuer: Awaited<ReturnType<typeof startWithIssuer>>;
  let t: TestApp;

  beforeAll(async () => {
    issuer = await startWithIssuer({
      RATE_LIMIT_WINDOW_SECONDS: String(WINDOW),
      RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '1',
      RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '1',
      RATE_LIMIT_SELF_SERVICE_PER_IP: '1',
      RATE_LIMIT_SELF_SERVICE_PER_EMAIL: '1',
      ARGON2_MEMORY_KIB: '2048',
      ARGON2_TIME_COST: '3',
      ARGON2_PARALLELISM: '2',
      IMPORT_MAX_UPLOAD_BYTES: String(MAX_UPLOAD),
    });
    t = issuer.t;
  });
  afterAll(() => t?.close());

  it('RATE_LIMIT_WINDOW_SECONDS: every limit counts in that window, says so in Retry-After, and lets requests through once it is over', async () => {
    const identifier = nobody();
    const [ipA, ipB, ipC, ipD] = [freshIp(), freshIp(), freshIp(), freshIp()];
    const email = nobody();
    // Each limit is 1: a first request passes, the second is refused; the same second request again after the window.
    const limits: Record<string, { first: () => Promise<Answer>; second: () => Promise<Answer>; passes: number }> = {
      'sign-in failures per IP': { first: () => issuer.signIn(nobody(), 'wrong', ipA), second: () => issuer.signIn(nobody(), 'wrong', ipA), passes: 400 },
      'sign-in failures per identifier': { first: () => issuer.signIn(identifier, 'wrong', freshIp()), second: () => issuer.signIn(identifier, 'wrong', ipB), passes: 400 },
      'self-service per IP': { first: () => issuer.openInvitation(ipC), second: () => issuer.openInvitation(ipC), passes: 404 },
      'self-service per email': { first: () => issuer.requestReset(email, freshIp()), second: () => issuer.requestReset(email, ipD), passes: 202 },
    };
    const refused: Record<string, Answer> = {};
    for (const [name, limit] of Object.entries(limits)) {
      expect({ name, status: (await limit.first()).status }).toEqual({ name, status: limit.passes });
      refused[name] = await limit.second();
    }
    for (const [name, res] of Object.entries(refused)) {
      expect({ name, status: res.status }).toEqual({ name, status: 429 });
      expect({ name, retryAfter: res.retryAfter }).toEqual({ name, retryAfter: expect.any(Number) });
      expect(res.retryAfter).toBeGreaterThanOrEqual(1);
      expect(res.retryAfter).toBeLessThanOrEqual(WINDOW);
    }
    await new Promise((resolve) => setTimeout(resolve, WINDOW * 1000 + 700));
    for (const [name, limit] of Object.entries(limits)) {
      expect({ name, status: (await limit.second()).status }).toEqual({ name, status: limit.passes });
    }
  });

  it('ARGON2_MEMORY_KIB, ARGON2_TIME_COST, ARGON2_PARALLELISM: new hashes use them (created, and set by an admin), and sign in', async () => {
    const user = await createUser(t, issuer.ws, issuer.pool);
    const configured = /^\$argon2id\$v=19\$m=2048,t=3,p=2\$/;
    expect(await storedHash(t, user.id)).toMatch(configured);
    await t.root('put', `/v1/workspaces/${issuer.ws}/pools/${issuer.pool}/users/${user.id}/password`).send({ password: 'another horse battery' }).expect(204);
    expect(await storedHash(t, user.id)).toMatch(configured);
    expect((await issuer.signIn(user.email, 'another horse battery', freshIp())).status).toBe(200);
  });

  describe('IMPORT_MAX_UPLOAD_BYTES', () => {
    const upload = () => t.root('post', `/v1/workspaces/${issuer.ws}/pools/${issuer.pool}/imports`).set('content-type', 'application/x-ndjson');
    /** One record, padded with blank lines to `bytes`. */
    const ndjson = (bytes: number) => {
      const line = `${JSON.stringify({ email: `${unique('imported')}@example.com` })}\n`;
      return line + '\n'.repeat(bytes - Buffer.byteLength(line));
    };

    it('accepts an upload of exactly that many bytes', async () => {
      await upload().send(ndjson(MAX_UPLOAD)).expect(202);
    });

    it('answers 413 naming the variable to one byte more, with Content-Length or streamed', async () => {
      const sized = await upload().send(ndjson(MAX_UPLOAD + 1));
      expect(sized.status).toBe(413);
      expect(sized.body.detail).toContain('IMPORT_MAX_UPLOAD_BYTES');
      const body = ndjson(MAX_UPLOAD + 1);
      const streamed = await fetch(`${t.baseUrl}/v1/workspaces/${issuer.ws}/pools/${issuer.pool}/imports`, {
        method: 'POST',
        headers: { authorization: `Bearer ${ROOT_KEY}`, 'content-type': 'application/x-ndjson' },
        body: new ReadableStream({
          start(controller) {
            controller.enqueue(new TextEncoder().encode(body.slice(0, 512)));
            controller.enqueue(new TextEncoder().encode(body.slice(512)));
            controller.close();
          },
        }),
        duplex: 'half',
      } as RequestInit);
      expect(streamed.status).toBe(413);
      expect(((await streamed.json()) as { detail: string }).detail).toContain('IMPORT_MAX_UPLOAD_BYTES');
    });
  });
});

describe('a bad limit or cost refuses the start, with one line naming the variable', () => {
  const VARIABLES = [
    'RATE_LIMIT_WINDOW_SECONDS',
    'RATE_LIMIT_SIGNIN_FAILURES_PER_IP',
    'RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER',
    'RATE_LIMIT_SELF_SERVICE_PER_IP',
    'RATE_LIMIT_SELF_SERVICE_PER_EMAIL',
    'ARGON2_MEMORY_KIB',
    'ARGON2_TIME_COST',
    'ARGON2_PARALLELISM',
    'IMPORT_MAX_UPLOAD_BYTES',
  ];
  const cases = VARIABLES.flatMap((name) => ['abc', '-1', '0'].map((value): [string, string] => [name, value]));
  const servers = new Map<string, ServerProcess>();

  beforeAll(async () => {
    await builtServer();
    // All at once: each only reads its configuration and exits. One that starts instead is stopped after 15 s.
    await Promise.all(
      cases.map(async ([name, value]) => {
        const server = await startServer({ NODE_ENV: 'production', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: freshDatabaseUrl(), LOG_LEVEL: 'warn', [name]: value });
        servers.set(`${name}=${value}`, server);
        const timer = setTimeout(() => void server.stop(), 15_000);
        await server.exited;
        clearTimeout(timer);
      }),
    );
  }, 180_000);

  it.each(cases)('%s=%s', async (name, value) => {
    const server = servers.get(`${name}=${value}`)!;
    expect(await server.exited).toMatchObject({ code: 1, signal: null });
    const lines = server.stderr().split('\n').filter((line) => line.trim() !== '');
    expect(lines).toEqual([expect.stringMatching(new RegExp(`^identity-pools: ${name} must be `))]);
  });
});
