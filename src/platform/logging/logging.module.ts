import { Module } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
// nestjs-pino's own request context, which its Logger reads (not re-exported by its index).
import { storage, Store } from 'nestjs-pino/storage';
import { pinoHttp, Options } from 'pino-http';
import { AppConfig } from '../config/config';
import { APP_CONFIG } from '../config/config.module';

/**
 * Every path where a secret could appear in a log line. Bodies are never logged, but
 * errors and objects passed to the logger can carry them, so they are censored by name.
 */
export const REDACTED_PATHS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  '*.password',
  '*.passwordHash',
  '*.newPassword',
  '*.key',
  '*.apiKey',
  '*.token',
  '*.secret',
  '*.clientSecret',
  '*.hash',
];

/**
 * Query (or fragment) parameters that carry secrets or who a user is (links in emails, OAuth
 * codes and tokens, OIDC hints, and an API key a client put in the URL by mistake, under the
 * names other APIs take it by); removed from logged URLs, the redirect `Location` included.
 */
const SECRET_QUERY =
  /([?&#](?:token|code|code_verifier|client_secret|client_assertion|password|access_token|refresh_token|id_token|id_token_hint|login_hint|logout_hint|api_key|apikey|api-key|x-api-key|key|secret|authorization)=)[^&#]*/gi;

export function redactUrlSecrets(url: string): string {
  return url.replace(SECRET_QUERY, '$1[Redacted]');
}

/** Error fields worth logging; the rest (a failed query's `parameters`, a driver's `detail`) can hold hashes and keys. */
const ERROR_FIELDS = ['code', 'query', 'table', 'constraint', 'routine'] as const;

/**
 * Logs what names an error (type, message, stack, SQL text, codes) and never its values:
 * pino's default copies every field, and TypeORM's QueryFailedError carries the failed
 * statement's parameters, such as a new password hash or an API key's digest. pino-http
 * hands this the error already turned into a plain object, so both shapes are read.
 */
export function serializeError(error: unknown, depth = 0): unknown {
  if (typeof error !== 'object' || error === null) return error;
  const fields = error as Record<string, unknown>;
  // A plain object logged as an error (no class) is typed "Object" by pino: says nothing.
  const type = typeof fields.type === 'string' && fields.type !== 'Object' ? fields.type : error instanceof Error ? error.constructor.name : undefined;
  const out: Record<string, unknown> = { type, message: fields.message, stack: fields.stack };
  for (const field of ERROR_FIELDS) {
    const value = fields[field];
    if (typeof value === 'string' || typeof value === 'number') out[field] = value;
  }
  if (typeof fields.cause === 'object' && fields.cause !== null && depth < 3) out.cause = serializeError(fields.cause, depth + 1);
  return out;
}

interface LoggedRequest {
  id: unknown;
  method: string;
  url: string;
  headers: Record<string, unknown>;
  remoteAddress?: string;
}

interface LoggedResponse {
  statusCode: number;
  headers: Record<string, unknown>;
}

function httpLoggerOptions(config: AppConfig): Options {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
    // Probes every few seconds would drown the rest.
    autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
    // For a 5xx without an error of its own, pino-http makes one up, whose stack is its own
    // code: noise beside the line that logged the real error (with this request's id).
    customErrorObject: (_req, res, error, loggable: Record<string, unknown>) =>
      error.message === `failed with status code ${res.statusCode}` ? { ...loggable, err: undefined } : loggable,
    serializers: {
      req: (req: LoggedRequest) => ({
        id: req.id,
        method: req.method,
        url: redactUrlSecrets(req.url),
        userAgent: req.headers['user-agent'],
        remoteAddress: req.remoteAddress,
      }),
      // A redirect back to an application carries its authorization code in `Location`.
      res: (res: LoggedResponse) => ({
        statusCode: res.statusCode,
        headers: typeof res.headers?.location === 'string' ? { ...res.headers, location: redactUrlSecrets(res.headers.location) } : res.headers,
      }),
      err: serializeError,
    },
  };
}

export const HTTP_LOGGER = Symbol('HTTP_LOGGER');

export type HttpLogger = RequestHandler & { logger: ReturnType<typeof pinoHttp>['logger'] };

/**
 * The request logger, mounted by createApp right after the request id and before
 * anything that may answer (the issuer, body parsers refusing a body, static files):
 * as Nest middleware it ran after them, so the token endpoint and every refused body
 * had no request line. It also opens the context Nest's Logger reads, so a line logged
 * while handling the request carries its `req` (and so its id).
 */
function createHttpLogger(config: AppConfig): HttpLogger {
  const log = pinoHttp(httpLoggerOptions(config));
  const middleware = (req: Request, res: Response, next: NextFunction) =>
    log(req as IncomingMessage, res as ServerResponse, () => storage.run(new Store(req.log), next));
  return Object.assign(middleware, { logger: log.logger });
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      providers: [{ provide: HTTP_LOGGER, inject: [APP_CONFIG], useFactory: createHttpLogger }],
      inject: [HTTP_LOGGER],
      // The request logger above already ran: Nest's logger only reuses its pino and context.
      useFactory: (http: HttpLogger) => ({ pinoHttp: { logger: http.logger }, useExisting: true }),
    }),
  ],
})
export class LoggingModule {}
