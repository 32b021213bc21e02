import { decodeJwt } from 'jose';
import * as oidc from 'openid-client';
import { connectPool, createApplication, createPool, createUser, createWorkspace, pkceAuthorization, REDIRECT_URI, sql } from '../factories';
import { CookieJar, followLogin } from '../support/browserless-login';
import { builtServer, freshDatabaseUrl, ServerProcess, startServer } from '../support/server-process';
import { ROOT_KEY, startTestApp, TestApp } from '../support/test-app';

/**
 * ACCESS_TOKEN_TTL_SECONDS, REFRESH_TOKEN_TTL_SECONDS and SESSION_TTL_SECONDS (README,
 * Configuration), at their defaults and set, as the issuer hands them out: the token
 * response, the tokens' own claims, introspection, the grant and the browser session.
 */

const PASSWORD = 'correct horse battery';

interface Lifetimes {
  access: number;
  refresh: number;
  session: number;
}

interface TokenResponse {
  access_token: string;
  id_token?: string;
  refresh_token?: string;
  expires_in: number;
}

interface Introspection {
  active: boolean;
  client_id?: string;
  exp: number;
  iat: number;
}

/** Remembers every Set-Cookie line, to read the session cookie's expiry. */
class RecordingJar extends CookieJar {
  readonly setCookies: string[] = [];

  store(response: Response): void {
    this.setCookies.push(...response.headers.getSetCookie());
    super.store(response);
  }
}

const now = () => Math.floor(Date.now() / 1000);

/** Seconds from now until `epochSeconds`, give or take the few the requests took. */
const secondsLeft = (epochSeconds: number) => epochSeconds - now();

describe.each<[string, Record<string, string>, Lifetimes]>([
  ['left at their defaults', {}, { access: 3600, refresh: 30 * 86_400, session: 14 * 86_400 }],
  ['set', { ACCESS_TOKEN_TTL_SECONDS: '120', REFRESH_TOKEN_TTL_SECONDS: '7200', SESSION_TTL_SECONDS: '600' }, { access: 120, refresh: 7200, session: 600 }],
])('token lifetimes %s', (_name, env, lifetimes) => {
  let t: TestApp;
  let ws: string;
  let issuer: string;
  let email: string;
  let app: { clientId: string; clientSecret: string };

  beforeAll(async () => {
    t = await startTestApp(env, { listen: true });
    ws = (await createWorkspace(t)).id;
    const pool = (await createPool(t, ws)).id;
    await connectPool(t, ws, pool);
    email = (await createUser(t, ws, pool)).email;
    app = await createApplication(t, ws, { grantTypes: ['authorization_code', 'refresh_token', 'password', 'client_credentials'] });
    issuer = `${t.baseUrl}/oidc/${ws}`;
  });
  afterAll(() => t.close());

  async function post<T>(path: string, form: Record<string, string>): Promise<T> {
    const res = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: `Basic ${Buffer.from(`${app.clientId}:${app.clientSecret}`).toString('base64')}` },
      body: new URLSearchParams(form),
    });
    expect(res.status).toBe(200);
    return (await res.json()) as T;
  }

  const token = (form: Record<string, string>) => post<TokenResponse>('/token', form);
  const introspect = (value: string) => post<Introspection>('/token/introspection', { token: value });
  const passwordGrant = () => token({ grant_type: 'password', username: email, password: PASSWORD, scope: 'openid offline_access' });

  /** Seconds until the stored `model` row with `id` (or the workspace's only one) expires. */
  async function storedSecondsLeft(model: 'Grant' | 'Session', id: string | null = null): Promise<number> {
    const [row] = await sql<{ exp: number }>(
      t,
      'SELECT floor(extract(epoch FROM expires_at))::int AS exp FROM oidc_payloads WHERE workspace_id = $1 AND model = $2 AND ($3::text IS NULL OR id = $3)',
      [ws, model, id],
    );
    return secondsLeft(row.exp);
  }

  it('ACCESS_TOKEN_TTL_SECONDS: expires_in, and exp - iat of the access and ID tokens', async () => {
    const tokens = await passwordGrant();
    expect(tokens.expires_in).toBe(lifetimes.access);
    for (const jwt of [tokens.access_token, tokens.id_token!]) {
      const { exp, iat } = decodeJwt(jwt);
      expect(exp! - iat!).toBe(lifetimes.access);
    }
    expect(await introspect(tokens.access_token)).toMatchObject({ active: true, exp: decodeJwt(tokens.access_token).exp });
  });

  it('ACCESS_TOKEN_TTL_SECONDS: client-credentials tokens too', async () => {
    const tokens = await token({ grant_type: 'client_credentials' });
    expect(tokens.expires_in).toBe(lifetimes.access);
    const { exp, iat } = decodeJwt(tokens.access_token);
    expect(exp! - iat!).toBe(lifetimes.access);
  });

  it('REFRESH_TOKEN_TTL_SECONDS: the refresh token and its grant expire then, and a rotated one lives as long', async () => {
    const tokens = await passwordGrant();
    const introspected = await introspect(tokens.refresh_token!);
    expect(introspected).toMatchObject({ active: true, client_id: app.clientId });
    expect(introspected.exp - introspected.iat).toBe(lifetimes.refresh);
    // The grant lives as long: a refresh token is refused once its grant is gone.
    const grantId = decodeJwt(tokens.access_token).grant_id as string;
    const grantLeft = await storedSecondsLeft('Grant', grantId);
    expect(grantLeft).toBeGreaterThan(lifetimes.refresh - 30);
    expect(grantLeft).toBeLessThanOrEqual(lifetimes.refresh);

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token! });
    expect(refreshed.expires_in).toBe(lifetimes.access);
    const rotated = await introspect(refreshed.refresh_token!);
    expect(rotated.exp - rotated.iat).toBe(lifetimes.refresh);
  });

  it('SESSION_TTL_SECONDS: the browser session at the issuer, and its cookie', async () => {
    const config = await oidc.discovery(new URL(issuer), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), { execute: [oidc.allowInsecureRequests] });
    const { url } = await pkceAuthorization(config, { redirect_uri: REDIRECT_URI, scope: 'openid' });
    const jar = new RecordingJar();
    const signedInAt = now();
    expect((await followLogin(url.href, { identifier: email, password: PASSWORD }, REDIRECT_URI, jar)).redirectedTo).toContain('code=');

    const cookie = jar.setCookies.filter((line) => line.startsWith(`_session.${ws}=`)).at(-1)!;
    const cookieExpires = Date.parse(/;\s*expires=([^;]+)/i.exec(cookie)![1]) / 1000;
    expect(cookieExpires - signedInAt).toBeGreaterThanOrEqual(lifetimes.session - 1);
    expect(cookieExpires - signedInAt).toBeLessThanOrEqual(lifetimes.session + 30);

    const sessionLeft = await storedSecondsLeft('Session');
    expect(sessionLeft).toBeGreaterThan(lifetimes.session - 30);
    expect(sessionLeft).toBeLessThanOrEqual(lifetimes.session);
  });
});

describe('a lifetime out of bounds refuses the start, with one line saying the range', () => {
  const cases: [Record<string, string>, string][] = [
    [{ ACCESS_TOKEN_TTL_SECONDS: 'an hour' }, 'ACCESS_TOKEN_TTL_SECONDS must be a whole number, got "an hour"'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '59' }, 'ACCESS_TOKEN_TTL_SECONDS must be between 60 and 86400, got 59'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '86401' }, 'ACCESS_TOKEN_TTL_SECONDS must be between 60 and 86400, got 86401'],
    [{ REFRESH_TOKEN_TTL_SECONDS: '3599' }, 'REFRESH_TOKEN_TTL_SECONDS must be between 3600 and 315360000, got 3599'],
    [{ REFRESH_TOKEN_TTL_SECONDS: '315360001' }, 'REFRESH_TOKEN_TTL_SECONDS must be between 3600 and 315360000, got 315360001'],
    [{ ACCESS_TOKEN_TTL_SECONDS: '7200', REFRESH_TOKEN_TTL_SECONDS: '3600' }, 'REFRESH_TOKEN_TTL_SECONDS must be at least ACCESS_TOKEN_TTL_SECONDS (7200), got 3600'],
    [{ SESSION_TTL_SECONDS: '299' }, 'SESSION_TTL_SECONDS must be between 300 and 315360000, got 299'],
    [{ SESSION_TTL_SECONDS: '-1' }, 'SESSION_TTL_SECONDS must be a whole number, got "-1"'],
  ];
  const servers: ServerProcess[] = [];

  beforeAll(async () => {
    await builtServer();
    // All at once: each only reads its configuration and exits. One that starts instead is stopped after 15 s.
    servers.push(
      ...(await Promise.all(
        cases.map(async ([env]) => {
          const server = await startServer({ NODE_ENV: 'production', ROOT_API_KEY: ROOT_KEY, DATABASE_URL: freshDatabaseUrl(), LOG_LEVEL: 'warn', ...env });
          const timer = setTimeout(() => void server.stop(), 15_000);
          await server.exited;
          clearTimeout(timer);
          return server;
        }),
      )),
    );
  }, 180_000);

  it.each(cases.map(([env, message], index): [string, string, number] => [new URLSearchParams(env).toString(), message, index]))('%s', async (_env, message, index) => {
    const server = servers[index];
    expect(await server.exited).toMatchObject({ code: 1, signal: null });
    expect(server.stderr().split('\n').filter((line) => line.trim() !== '')).toEqual([`identity-pools: ${message}`]);
  });
});
