/**
 * The management API from the browser: same origin, the API key from sessionStorage in
 * the Authorization header (never in a URL), errors as RFC 9457 problems.
 */

const KEY_STORAGE = 'identity-pools.console.api-key';

export function apiKey(): string | null {
  return sessionStorage.getItem(KEY_STORAGE);
}

export function setApiKey(key: string | null): void {
  if (key) sessionStorage.setItem(KEY_STORAGE, key);
  else sessionStorage.removeItem(KEY_STORAGE);
}

/** Workspace keys carry this prefix (see the API keys endpoint); anything else is the root key. */
export function isWorkspaceKey(key: string): boolean {
  return key.startsWith('ipk_');
}

export interface FieldError {
  field: string;
  message: string;
}

export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

export class ApiError extends Error {
  constructor(readonly problem: Problem) {
    super(problem.detail || problem.title);
  }
  get status(): number {
    return this.problem.status;
  }
}

/** Called when the key stops working (revoked, or the service restarted with another root key). */
let onUnauthorized: (problem: Problem) => void = () => undefined;
export function whenUnauthorized(handler: (problem: Problem) => void): void {
  onUnauthorized = handler;
}

export type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  query?: Query;
  /** A JSON body. */
  json?: unknown;
  /** A raw body (a file) with its content type. */
  body?: Blob;
  contentType?: string;
  /** A key to try instead of the stored one (sign-in). */
  key?: string;
  signal?: AbortSignal;
}

export function withQuery(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') params.set(name, String(value));
  }
  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

export async function request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
  const key = options.key ?? apiKey();
  const headers: Record<string, string> = { Accept: 'application/json' };
  if (key) headers.Authorization = `Bearer ${key}`;
  let body: BodyInit | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  } else if (options.body) {
    headers['Content-Type'] = options.contentType ?? 'application/octet-stream';
    body = options.body;
  }
  let response: Response;
  try {
    response = await fetch(withQuery(path, options.query), { method, headers, body, signal: options.signal, cache: 'no-store', credentials: 'omit' });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw new ApiError({ title: 'Cannot reach the service', status: 0, detail: 'The request did not get an answer. Check that the service is running, then try again.' });
  }
  const text = await response.text();
  let data: unknown = undefined;
  if (text) {
    try {
      data = JSON.parse(text);
    } catch {
      data = undefined;
    }
  }
  if (!response.ok) {
    const problem: Problem =
      data && typeof data === 'object' && 'title' in data
        ? (data as Problem)
        : { title: response.statusText || 'Request failed', status: response.status, detail: `The service answered ${response.status}.` };
    if (response.status === 401 && !options.key) onUnauthorized(problem);
    throw new ApiError(problem);
  }
  return data as T;
}

export const api = {
  get: <T>(path: string, query?: Query, signal?: AbortSignal) => request<T>('GET', path, { query, signal }),
  post: <T>(path: string, json?: unknown) => request<T>('POST', path, { json }),
  patch: <T>(path: string, json: unknown) => request<T>('PATCH', path, { json }),
  put: <T>(path: string, json: unknown) => request<T>('PUT', path, { json }),
  delete: (path: string) => request<void>('DELETE', path),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** Every item of a list, following cursors (pools, providers, groups: short lists). */
export async function listAll<T>(path: string, query: Query = {}): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  do {
    const page: Page<T> = await api.get<Page<T>>(path, { ...query, limit: 200, cursor });
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

/**
 * The workspace's issuer as the service publishes it: under PUBLIC_URL, which may differ
 * from the address this page was opened at (a proxy). Links shown to admins use it.
 */
export async function issuerOf(ws: string): Promise<string> {
  const fallback = `${location.origin}/oidc/${ws}`;
  try {
    const response = await fetch(`/oidc/${encodeURIComponent(ws)}/.well-known/openid-configuration`, { credentials: 'omit' });
    return response.ok ? ((await response.json()) as { issuer: string }).issuer : fallback;
  } catch {
    return fallback;
  }
}

/** PUBLIC_URL: where users open the hosted pages (sign-up, invitations). */
export async function publicUrl(ws: string): Promise<string> {
  return (await issuerOf(ws)).replace(/\/oidc\/[^/]+$/, '');
}

// The resources, as the API returns them (see /docs-json).

export interface Workspace {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface ApiKey {
  id: string;
  name: string;
  /** The first characters of the key, to tell keys apart. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  /** Only in the answer to its creation. */
  key?: string;
}

export interface Pool {
  id: string;
  workspaceId: string;
  name: string;
  description: string | null;
  authenticationMechanisms: string[];
  passwordPolicy: { minLength: number; maxLength: number };
  selfRegistration: { enabled: boolean; requireEmailVerification: boolean };
  invitationTtlHours: number;
  lockout: { maxFailedAttempts: number; durationSeconds: number };
  createdAt: string;
  updatedAt: string;
}

export type UserStatus = 'invited' | 'pending_verification' | 'active' | 'disabled';

export interface Invitation {
  status: 'queued' | 'sent' | 'failed' | 'accepted' | 'expired';
  sentAt: string | null;
  expiresAt: string;
}

export interface User {
  id: string;
  poolId: string;
  email: string | null;
  mobile: string | null;
  givenName: string | null;
  familyName: string | null;
  name: string | null;
  status: UserStatus;
  emailVerified: boolean;
  externalId: string | null;
  invitation: Invitation | null;
  lockedUntil: string | null;
  lastSignInAt: string | null;
  createdAt: string;
  updatedAt: string;
}

/** An application the user holds a grant with (GET …/users/{user}/applications). */
export interface AuthorizedApplication {
  id: string;
  name: string;
  clientId: string;
  scopes: string[];
  authorizedAt: string;
}

export interface Group {
  id: string;
  name: string;
  description: string | null;
  createdAt: string;
}

export interface ImportJob {
  id: string;
  poolId: string;
  status: 'queued' | 'running' | 'completed' | 'failed' | 'cancelled';
  total: number;
  processed: number;
  created: number;
  updated: number;
  skipped: number;
  failed: number;
  cancelRequested: boolean;
  error: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface ImportError {
  line: number;
  identifier: string | null;
  code: string;
  message: string;
}

export interface IdentityProvider {
  id: string;
  type: 'identity_pool';
  poolId: string;
  signInMethods: string[];
  enabled: boolean;
  priority: number;
}

export interface Application {
  id: string;
  name: string;
  clientId: string;
  clientSecret?: string;
  redirectUris: string[];
  grantTypes: string[];
  tokenEndpointAuthMethod: string;
  tokenSigningAlg: string;
  issuer: string;
  createdAt: string;
}

/** How a user is named in lists: display name, else given and family name, else email or mobile. */
export function userLabel(user: User): string {
  const names = [user.givenName, user.familyName].filter(Boolean).join(' ');
  return user.name || names || user.email || user.mobile || user.id;
}

/** The paths of a workspace's resources. */
export function paths(ws: string) {
  const base = `/v1/workspaces/${encodeURIComponent(ws)}`;
  const pool = (id: string) => `${base}/pools/${encodeURIComponent(id)}`;
  return {
    workspace: base,
    apiKeys: `${base}/api-keys`,
    apiKey: (id: string) => `${base}/api-keys/${encodeURIComponent(id)}`,
    pools: `${base}/pools`,
    pool,
    users: (poolId: string) => `${pool(poolId)}/users`,
    user: (poolId: string, id: string) => `${pool(poolId)}/users/${encodeURIComponent(id)}`,
    imports: (poolId: string) => `${pool(poolId)}/imports`,
    importJob: (poolId: string, id: string) => `${pool(poolId)}/imports/${encodeURIComponent(id)}`,
    groups: `${base}/groups`,
    group: (id: string) => `${base}/groups/${encodeURIComponent(id)}`,
    providers: `${base}/identity-providers`,
    provider: (id: string) => `${base}/identity-providers/${encodeURIComponent(id)}`,
    applications: `${base}/applications`,
    application: (id: string) => `${base}/applications/${encodeURIComponent(id)}`,
    rotateSecret: (id: string) => `${base}/applications/${encodeURIComponent(id)}/rotate-secret`,
  };
}
