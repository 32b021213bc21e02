import { createHash, randomBytes } from 'node:crypto';
import { connectPool, createApplication, createPool, createUser, createWorkspace, unique } from '../factories';
import { eventually } from '../support/eventually';
import { startTestApp, TestApp } from '../support/test-app';

/**
 * Security audit: each test proves a defect found by reading the code and probing the
 * running app. Timing samples are taken one at a time (no concurrency).
 */
const PASSWORD = 'correct horse battery';
const SAMPLES = 20;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

/** An LDAP {SSHA} hash (base64(sha1(password || salt) || salt)), as OpenLDAP's slappasswd writes it. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  return `{SSHA}${Buffer.concat([createHash('sha1').update(password, 'utf8').update(salt).digest(), salt]).toString('base64')}`;
}

describe('security audit', () => {
  let t: TestApp;
  let ws: string;
  let pool: string;
  let issuer: string;

  beforeAll(async () => {
    // Limits far above the samples taken, so every attempt below is really checked (no 429).
    t = await startTestApp({ RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER: '1000', RATE_LIMIT_SIGNIN_FAILURES_PER_IP: '100000' }, { listen: true });
    ws = (await createWorkspace(t)).id;
    pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    issuer = `${t.baseUrl}/oidc/${ws}`;
  });
  afterAll(() => t.close());

  const application = () => createApplication(t, ws);

  async function passwordGrant(app: { clientId: string; clientSecret: string }, username: string, password: string, scope = 'openid') {
    const started = process.hrtime.bigint();
    const res = await fetch(`${issuer}/token`, {
      method: 'POST',
      headers: {
        authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}`,
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: new URLSearchParams({ grant_type: 'password', username, password, scope }).toString(),
    });
    const body = (await res.json()) as Record<string, string>;
    return { status: res.status, body, ms: Number(process.hrtime.bigint() - started) / 1e6 };
  }

  it('a wrong password for a migrated user (imported legacy hash) costs the same time as an unknown identifier', async () => {
    // A user migrated with an LDAP {SSHA} hash (a supported import format), who has not signed in since.
    const migrated = `${unique('migrated')}@example.com`;
    const imports = `/v1/workspaces/${ws}/pools/${pool}/imports`;
    const job = await t.root('post', imports).send({ users: [{ email: migrated, passwordHash: ssha(PASSWORD) }] }).expect(202);
    await eventually(async () => expect((await t.root('get', `${imports}/${job.body.id}`).expect(200)).body).toMatchObject({ status: 'completed', created: 1 }), 30_000);
    const native = await createUser(t, ws, pool);
    const app = await application();

    // Same answer for all three (the contract's "no enumeration" holds for the body)...
    const answers = await Promise.all([migrated, native.email, `${unique('nobody')}@example.com`].map(async (who) => (await passwordGrant(app, who, 'wrong password')).body));
    expect(answers[0]).toEqual(answers[2]);
    expect(answers[1]).toEqual(answers[2]);

    // ...but not the same time. Sequential, interleaved samples.
    const times = { unknown: [] as number[], migrated: [] as number[], native: [] as number[] };
    const sample = async (into: number[], who: string, i: number) => {
      const attempt = await passwordGrant(app, who, `wrong-${i}`);
      expect(attempt.status).toBe(400);
      into.push(attempt.ms);
    };
    for (let i = 0; i < SAMPLES; i++) {
      await sample(times.unknown, `${unique('nobody')}@example.com`, i);
      await sample(times.migrated, migrated, i);
      await sample(times.native, native.email, i);
    }
    const medians = { unknown: median(times.unknown), migrated: median(times.migrated), native: median(times.native) };
    // An unknown identifier pays a dummy argon2id verification (tens of ms); a wrong password
    // for a migrated user pays one SHA-1 (microseconds). Allow a factor of 2 either way.
    const ratio = medians.migrated / medians.unknown;
    if (ratio < 0.5 || ratio > 2) {
      throw new Error(`wrong password for a migrated user takes ${medians.migrated.toFixed(1)} ms (median of ${SAMPLES}), an unknown identifier ${medians.unknown.toFixed(1)} ms (a native user ${medians.native.toFixed(1)} ms): ratio ${ratio.toFixed(2)}`);
    }
  }, 120_000);

  it('refuses at userinfo an access token of an application that was deleted', async () => {
    const app = await application();
    const user = await createUser(t, ws, pool);
    const granted = await passwordGrant(app, user.email, PASSWORD, 'openid email');
    expect(granted.status).toBe(200);
    const userinfo = () => fetch(`${issuer}/userinfo`, { headers: { authorization: `Bearer ${granted.body.access_token}` } });
    expect((await userinfo()).status).toBe(200);

    await t.root('delete', `/v1/workspaces/${ws}/applications/${app.id}`).expect(204);
    // The application is gone: its client cannot authenticate any more...
    expect((await passwordGrant(app, user.email, PASSWORD)).status).toBe(401);
    // ...but its access tokens still read the user's profile for up to an hour.
    const after = await userinfo();
    expect({ status: after.status, body: await after.json() }).toMatchObject({ status: 401, body: { error: 'invalid_token' } });
  });
});
