import { randomBytes } from 'node:crypto';
import { isIP, isIPv4 } from 'node:net';
import addressparser from 'nodemailer/lib/addressparser';

export type Role = 'api' | 'worker' | 'all';

export interface Argon2Settings {
  memoryCost: number;
  timeCost: number;
  parallelism: number;
}

export interface AppConfig {
  nodeEnv: string;
  production: boolean;
  port: number;
  publicUrl: string;
  databaseUrl: string;
  redisUrl: string;
  rootApiKey: string;
  /** True when the root key was generated at this start (not set in the environment). */
  rootApiKeyGenerated: boolean;
  smtpUrl: string | null;
  mailFrom: string;
  role: Role;
  argon2: Argon2Settings;
  trustProxy: boolean | number | string[] | null;
  logLevel: string;
  rateLimits: RateLimits;
  mail: MailSettings;
  imports: ImportSettings;
  tokenLifetimes: TokenLifetimes;
  /** Where the compiled admin console is served from; unset: dist/console of this checkout or image. */
  consoleDir?: string;
}

export interface ImportSettings {
  /** Largest NDJSON upload accepted, in bytes. */
  maxUploadBytes: number;
  /** Records per transaction (and per checkpoint). */
  chunkSize: number;
  /** How long a worker owns a running job without renewing; then another may resume it. */
  leaseSeconds: number;
  /** How often workers look for jobs Redis lost. */
  sweepIntervalMs: number;
}

/** The issuer's lifetimes, in seconds, as Keycloak's realm token settings or a Cognito app client's. */
export interface TokenLifetimes {
  /** Access tokens (their `exp` and the token response's `expires_in`), ID tokens and client-credentials tokens. */
  accessTokenSeconds: number;
  /** Refresh tokens; each rotation hands out one that lives this long again. */
  refreshTokenSeconds: number;
  /** The browser's session at the issuer: how long a sign-in is remembered. */
  sessionSeconds: number;
}

/** Delivery tuning; the defaults suit production, tests shorten them. */
export interface MailSettings {
  /** First retry delay; each next one doubles. */
  retryDelayMs: number;
  /** How long a worker holds a message before another may take it over. */
  claimSeconds: number;
  /** How often workers look for messages nobody queued or finished. */
  sweepIntervalMs: number;
  /** How long a finished message (sent, skipped or failed for good), with its recipient, is kept. */
  retentionDays: number;
}

/** Every limit is a count per window; see the README's rate-limit table. */
export interface RateLimits {
  windowSeconds: number;
  signInFailuresPerIp: number;
  signInFailuresPerIdentifier: number;
  selfServicePerIp: number;
  selfServicePerEmail: number;
}

/** Thrown for a bad or missing variable; main prints its message as one line and exits. */
export class ConfigError extends Error {}

export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/identity_pools';

const DAY_SECONDS = 86_400;

const ROLES: readonly Role[] = ['api', 'worker', 'all'];
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw.trim())) throw new ConfigError(`${name} must be a whole number, got "${raw}"`);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(`${name} must be between ${min} and ${max}, got ${value}`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string, fallback: string | null, protocols: string[]): string | null {
  const raw = env[name]?.trim() || fallback;
  if (raw === null) return null;
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new ConfigError(`${name} must be a URL (${protocols.join(', ')}), got "${redactUrl(raw)}"`);
  }
  if (!protocols.includes(parsed.protocol.replace(/:$/, ''))) {
    throw new ConfigError(`${name} must use ${protocols.join(' or ')}, got "${parsed.protocol}"`);
  }
  return raw;
}

/** Express "trust proxy": a hop count, or a comma-separated list of CIDRs / names. */
function trustProxy(raw: string | undefined): AppConfig['trustProxy'] {
  if (raw === undefined || raw.trim() === '') return null;
  const value = raw.trim();
  if (value === 'true') return true;
  if (value === 'false') return null;
  if (/^\d+$/.test(value)) return Number(value);
  const list = value.split(',').map((part) => part.trim()).filter(Boolean);
  // Express (proxy-addr) refused a bad entry only when the app was built, after migrations:
  // a stack trace instead of one line naming the variable. Same grammar, checked here.
  const bad = list.find((part) => !trustedProxyEntry(part));
  if (bad !== undefined) {
    throw new ConfigError(`TRUST_PROXY must be a hop count (e.g. 1) or comma-separated IP addresses or CIDRs (e.g. 10.0.0.0/8, loopback), got "${raw}" ("${bad}" is neither)`);
  }
  return list;
}

/** What proxy-addr compiles: a preset name, an address, address/prefix length, or IPv4 address/netmask. */
function trustedProxyEntry(entry: string): boolean {
  if (['loopback', 'linklocal', 'uniquelocal'].includes(entry)) return true;
  const [address, range, ...rest] = entry.split('/');
  const version = isIP(address);
  if (!version || rest.length) return false;
  if (range === undefined) return true;
  if (/^\d+$/.test(range)) return Number(range) >= 1 && Number(range) <= (version === 4 ? 32 : 128);
  if (version !== 4 || !isIPv4(range)) return false;
  // A netmask is ones then zeros (255.255.0.0), and not all zeros.
  const mask = range.split('.').reduce((bits, octet) => bits * 256 + Number(octet), 0);
  const hosts = 2 ** 32 - mask;
  return mask > 0 && (hosts & (hosts - 1)) === 0;
}

/**
 * PUBLIC_URL is the base every link and issuer is built on by appending a path: a query
 * or fragment would end up in the middle of those URLs, and credentials would be mailed.
 */
function publicUrl(env: NodeJS.ProcessEnv, port: number): string {
  const raw = url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http', 'https'])!;
  const parsed = new URL(raw);
  if (/[?#]/.test(raw) || parsed.username || parsed.password) {
    throw new ConfigError(`PUBLIC_URL must be a base URL without a query, fragment or credentials (e.g. https://id.example.com or https://example.com/identity), got "${redactUrl(raw)}"`);
  }
  return raw.replace(/\/+$/, '');
}

/**
 * The key travels as `Authorization: Bearer <key>`, which the guard reads as one run of
 * visible ASCII: a key with a space, a trailing newline (from a file) or other characters
 * would be accepted here and then match no request, locking the operator out.
 */
function checkRootApiKey(key: string): void {
  if (key.length < 32) throw new ConfigError(`ROOT_API_KEY must be at least 32 characters, got ${key.length}`);
  if (!/^[\x21-\x7e]+$/.test(key)) {
    throw new ConfigError('ROOT_API_KEY must be printable ASCII without spaces or line breaks (it is sent in the Authorization header), e.g. `openssl rand -base64 32`');
  }
}

/** MAIL_FROM is the From header and, its address, the SMTP envelope sender: servers refuse mail without a real address. */
function mailFrom(env: NodeJS.ProcessEnv): string {
  const value = env.MAIL_FROM?.trim() || 'Identity Pools <no-reply@localhost>';
  const parsed = addressparser(value, { flatten: true });
  if (parsed.length !== 1 || !/^[^@\s]+@[^@\s]+$/.test(parsed[0].address ?? '')) {
    throw new ConfigError(`MAIL_FROM must be one email address, optionally with a name (e.g. "Identity Pools <no-reply@example.com>"), got "${value}"`);
  }
  return value;
}

/**
 * Access tokens are JWTs that APIs verify offline, out of revocation's reach: a day at
 * most, and a minute at least, so none expires on its way to the API. A session under five
 * minutes could end before the sign-in that opened it is back at the application.
 */
function tokenLifetimes(env: NodeJS.ProcessEnv): TokenLifetimes {
  const accessTokenSeconds = integer(env, 'ACCESS_TOKEN_TTL_SECONDS', 3600, 60, DAY_SECONDS);
  const refreshTokenSeconds = integer(env, 'REFRESH_TOKEN_TTL_SECONDS', 30 * DAY_SECONDS, 3600, 3650 * DAY_SECONDS);
  // An access token is good only while its grant exists, and the grant lives as long as a
  // refresh token (provider.factory): a shorter refresh lifetime would cut access tokens short.
  if (refreshTokenSeconds < accessTokenSeconds) {
    throw new ConfigError(`REFRESH_TOKEN_TTL_SECONDS must be at least ACCESS_TOKEN_TTL_SECONDS (${accessTokenSeconds}), got ${refreshTokenSeconds}`);
  }
  return { accessTokenSeconds, refreshTokenSeconds, sessionSeconds: integer(env, 'SESSION_TTL_SECONDS', 14 * DAY_SECONDS, 300, 3650 * DAY_SECONDS) };
}

/**
 * Hides the password in a connection URL so it can be printed. Redis URLs usually have no
 * user (`redis://:secret@host`), and a password may hold an unencoded `@` or `/`: up to
 * the last `@`, everything after the user's colon goes, even from a URL that does not parse.
 */
export function redactUrl(raw: string): string {
  return raw.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:/?#@]*):.*@/i, '$1:***@');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 3000, 0, 65535);
  // Read by libuv itself (platform/threadpool sizes it when unset); checked here like the rest.
  integer(env, 'UV_THREADPOOL_SIZE', 4, 1, 1024);

  const role = (env.ROLE?.trim() || 'all') as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`ROLE must be one of ${ROLES.join(', ')}, got "${env.ROLE}"`);

  let rootApiKey = env.ROOT_API_KEY ?? '';
  const rootApiKeyGenerated = rootApiKey === '';
  if (rootApiKeyGenerated) {
    if (production) {
      throw new ConfigError('ROOT_API_KEY is required when NODE_ENV=production (at least 32 characters, e.g. `openssl rand -base64 32`)');
    }
    rootApiKey = `root_${randomBytes(32).toString('base64url')}`;
  } else {
    checkRootApiKey(rootApiKey);
  }

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  return {
    nodeEnv,
    production,
    port,
    publicUrl: publicUrl(env, port),
    databaseUrl: url(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres', 'postgresql'])!,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss'])!,
    rootApiKey,
    rootApiKeyGenerated,
    smtpUrl: url(env, 'SMTP_URL', null, ['smtp', 'smtps']),
    mailFrom: mailFrom(env),
    role,
    argon2: {
      memoryCost: integer(env, 'ARGON2_MEMORY_KIB', 19456, 1024, 4 * 1024 * 1024),
      timeCost: integer(env, 'ARGON2_TIME_COST', 2, 1, 100),
      parallelism: integer(env, 'ARGON2_PARALLELISM', 1, 1, 64),
    },
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel,
    consoleDir: env.CONSOLE_DIR?.trim() || undefined,
    imports: {
      maxUploadBytes: integer(env, 'IMPORT_MAX_UPLOAD_BYTES', 2 * 1024 ** 3, 1024, 1024 ** 4),
      chunkSize: integer(env, 'IMPORT_CHUNK_SIZE', 2000, 1, 50_000),
      leaseSeconds: integer(env, 'IMPORT_LEASE_SECONDS', 30, 2, 3600),
      sweepIntervalMs: integer(env, 'IMPORT_SWEEP_INTERVAL_MS', 15_000, 100, 3_600_000),
    },
    mail: {
      retryDelayMs: integer(env, 'MAIL_RETRY_DELAY_MS', 2000, 10, 3_600_000),
      claimSeconds: integer(env, 'MAIL_CLAIM_SECONDS', 120, 1, 86_400),
      sweepIntervalMs: integer(env, 'MAIL_SWEEP_INTERVAL_MS', 15_000, 100, 3_600_000),
      retentionDays: integer(env, 'MAIL_RETENTION_DAYS', 7, 1, 3650),
    },
    tokenLifetimes: tokenLifetimes(env),
    rateLimits: {
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 900, 1, 86_400),
      signInFailuresPerIp: integer(env, 'RATE_LIMIT_SIGNIN_FAILURES_PER_IP', 100, 1, 1_000_000),
      signInFailuresPerIdentifier: integer(env, 'RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER', 20, 1, 1_000_000),
      selfServicePerIp: integer(env, 'RATE_LIMIT_SELF_SERVICE_PER_IP', 60, 1, 1_000_000),
      selfServicePerEmail: integer(env, 'RATE_LIMIT_SELF_SERVICE_PER_EMAIL', 5, 1, 1_000_000),
    },
  };
}
