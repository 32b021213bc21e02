import { randomBytes } from 'node:crypto';
import * as oidc from 'openid-client';
import { Client } from 'pg';
import { TestApp } from '../support/test-app';

/** Shapes of API values, for assertions. */
export const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Builders: each call makes a fresh resource through the API and returns its body. */
export function unique(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

export async function createWorkspace(t: TestApp, body: Record<string, unknown> = {}) {
  const res = await t.root('post', '/v1/workspaces').send({ name: unique('ws'), ...body }).expect(201);
  return res.body as { id: string; name: string };
}

export async function createWorkspaceKey(t: TestApp, workspaceId: string): Promise<string> {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/api-keys`).send({ name: unique('key') }).expect(201);
  return res.body.key;
}

export async function createPool(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/pools`).send({ name: unique('pool'), ...body }).expect(201);
  return res.body as { id: string; name: string; workspaceId: string };
}

export async function createUser(t: TestApp, workspaceId: string, poolId: string, body: Record<string, unknown> = {}) {
  const res = await t
    .root('post', `/v1/workspaces/${workspaceId}/pools/${poolId}/users`)
    .send({ email: `${unique('user')}@example.com`, credential: { mode: 'password', password: 'correct horse battery' }, ...body })
    .expect(201);
  return res.body as { id: string; email: string; status: string; poolId: string };
}

export async function createGroup(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/groups`).send({ name: unique('group'), ...body }).expect(201);
  return res.body as { id: string; name: string };
}

/** The redirect URI the test applications register (nothing listens there; tests read the redirect). */
export const REDIRECT_URI = 'http://127.0.0.1/callback';

/** An application that may use the code, refresh and password grants, unless `body` says otherwise. */
export async function createApplication(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const res = await t
    .root('post', `/v1/workspaces/${workspaceId}/applications`)
    .send({ name: unique('app'), redirectUris: [REDIRECT_URI], grantTypes: ['authorization_code', 'refresh_token', 'password'], ...body })
    .expect(201);
  return res.body as { id: string; clientId: string; clientSecret: string };
}

export type Method = 'get' | 'post' | 'patch' | 'put' | 'delete';

/** The distinct `errors[].field` of a problem body, sorted. */
export function errorFields(res: { body: { errors?: { field: string }[] } }): string[] {
  return [...new Set((res.body.errors ?? []).map((e) => e.field))].sort();
}

/** Ids of a list's items, in order. */
export function ids(items: { id: string }[]): string[] {
  return items.map((item) => item.id);
}

/** Follows `nextCursor` from the first page to the last; returns every item and each page's size. */
export async function listAll<T = Record<string, unknown>>(t: TestApp, path: string, limit: number): Promise<{ items: T[]; pages: number[] }> {
  const items: T[] = [];
  const pages: number[] = [];
  let cursor: string | null = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const url: string = `${path}${sep}limit=${limit}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
    const res: { body: { items: T[]; nextCursor: string | null } } = await t.root('get', url).expect(200);
    items.push(...res.body.items);
    pages.push(res.body.items.length);
    cursor = res.body.nextCursor;
    if (pages.length > 1000) throw new Error(`listAll: no end after 1000 pages of ${path}`);
  } while (cursor);
  return { items, pages };
}

export async function addMembers(t: TestApp, workspaceId: string, groupId: string, userIds: string[]) {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/groups/${groupId}/members`).send({ userIds }).expect(200);
  return res.body as { added: number; alreadyMembers: number };
}

/** Runs SQL on the test app's own database, to check or arrange what the API does not show. */
export async function sql<R extends Record<string, unknown> = Record<string, unknown>>(t: TestApp, text: string, params: unknown[] = []): Promise<R[]> {
  const client = new Client({ connectionString: t.databaseUrl });
  await client.connect();
  try {
    return (await client.query<R>(text, params)).rows;
  } finally {
    await client.end();
  }
}

/** An import job as the API answers it (API.md, "Bulk migration"). */
export type { ImportJobResponse as ImportJob } from '../../src/imports/dto/import.dto';

/** Connects a pool to its workspace as an identity provider with the password sign-in method. */
export async function connectPool(t: TestApp, workspaceId: string, poolId: string, body: Record<string, unknown> = {}): Promise<{ id: string }> {
  const res = await t.root('post', `/v1/workspaces/${workspaceId}/identity-providers`).send({ type: 'identity_pool', poolId, signInMethods: ['password'], ...body }).expect(201);
  return res.body;
}

/** A workspace with one pool connected for password sign-in, and its issuer: where a sign-in test starts. */
export async function connectedWorkspace(t: TestApp): Promise<{ ws: string; pool: string; issuer: string }> {
  const ws = (await createWorkspace(t)).id;
  const pool = (await createPool(t, ws)).id;
  await connectPool(t, ws, pool);
  return { ws, pool, issuer: `${t.baseUrl}/oidc/${ws}` };
}

/** A confidential application of the workspace, and openid-client (unmodified) configured for it from discovery. */
export async function relyingParty(t: TestApp, workspaceId: string, body: Record<string, unknown> = {}) {
  const app = await createApplication(t, workspaceId, { grantTypes: ['authorization_code', 'refresh_token', 'password'], ...body });
  const config = await oidc.discovery(new URL(`${t.baseUrl}/oidc/${workspaceId}`), app.clientId, undefined, oidc.ClientSecretBasic(app.clientSecret), {
    execute: [oidc.allowInsecureRequests],
  });
  return { app, config };
}

/** An authorization request with PKCE (S256) and a state, as a relying party builds it. */
export async function pkceAuthorization(config: oidc.Configuration, params: { redirect_uri: string; scope: string } & Record<string, string>) {
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const url = oidc.buildAuthorizationUrl(config, { code_challenge: await oidc.calculatePKCECodeChallenge(verifier), code_challenge_method: 'S256', state, ...params });
  return { url, verifier, state };
}

/**
 * The OAuth error of a request that must fail, as openid-client reports it: a 401 with
 * WWW-Authenticate arrives as a challenge error, with its error in the challenge.
 */
export async function oauthError(promise: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await promise;
  } catch (e) {
    if (e instanceof oidc.WWWAuthenticateChallengeError) return { status: e.status, error: e.cause[0]?.parameters.error ?? '' };
    const error = e as oidc.ResponseBodyError;
    return { status: error.status, error: error.error };
  }
  throw new Error('expected the request to fail');
}
