import { randomBytes } from 'node:crypto';

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

/** Delivery tuning; the defaults suit production, tests shorten them. */
export interface MailSettings {
  /** First retry delay; each next one doubles. */
  retryDelayMs: number;
  /** How long a worker holds a message before another may take it over. */
  claimSeconds: number;
  /** How often workers look for messages nobody queued or finished. */
  sweepIntervalMs: number;
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
  return value.split(',').map((part) => part.trim()).filter(Boolean);
}

/** Hides the password in a connection URL so it can be printed. */
export function redactUrl(raw: string): string {
  return raw.replace(/\/\/([^:/@]+):[^@/]*@/, '//$1:***@');
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const nodeEnv = env.NODE_ENV?.trim() || 'development';
  const production = nodeEnv === 'production';
  const port = integer(env, 'PORT', 3000, 0, 65535);

  const role = (env.ROLE?.trim() || 'all') as Role;
  if (!ROLES.includes(role)) throw new ConfigError(`ROLE must be one of ${ROLES.join(', ')}, got "${env.ROLE}"`);

  let rootApiKey = env.ROOT_API_KEY ?? '';
  const rootApiKeyGenerated = rootApiKey === '';
  if (rootApiKeyGenerated) {
    if (production) {
      throw new ConfigError('ROOT_API_KEY is required when NODE_ENV=production (at least 32 characters, e.g. `openssl rand -base64 32`)');
    }
    rootApiKey = `root_${randomBytes(32).toString('base64url')}`;
  } else if (rootApiKey.length < 32) {
    throw new ConfigError(`ROOT_API_KEY must be at least 32 characters, got ${rootApiKey.length}`);
  }

  const logLevel = env.LOG_LEVEL?.trim() || 'info';
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`);

  const publicUrl = url(env, 'PUBLIC_URL', `http://localhost:${port}`, ['http', 'https'])!.replace(/\/+$/, '');

  return {
    nodeEnv,
    production,
    port,
    publicUrl,
    databaseUrl: url(env, 'DATABASE_URL', DEFAULT_DATABASE_URL, ['postgres', 'postgresql'])!,
    redisUrl: url(env, 'REDIS_URL', 'redis://127.0.0.1:6379', ['redis', 'rediss'])!,
    rootApiKey,
    rootApiKeyGenerated,
    smtpUrl: url(env, 'SMTP_URL', null, ['smtp', 'smtps']),
    mailFrom: env.MAIL_FROM?.trim() || 'Identity Pools <no-reply@localhost>',
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
    },
    rateLimits: {
      windowSeconds: integer(env, 'RATE_LIMIT_WINDOW_SECONDS', 900, 1, 86_400),
      signInFailuresPerIp: integer(env, 'RATE_LIMIT_SIGNIN_FAILURES_PER_IP', 100, 1, 1_000_000),
      signInFailuresPerIdentifier: integer(env, 'RATE_LIMIT_SIGNIN_FAILURES_PER_IDENTIFIER', 20, 1, 1_000_000),
      selfServicePerIp: integer(env, 'RATE_LIMIT_SELF_SERVICE_PER_IP', 60, 1, 1_000_000),
      selfServicePerEmail: integer(env, 'RATE_LIMIT_SELF_SERVICE_PER_EMAIL', 5, 1, 1_000_000),
    },
  };
}
