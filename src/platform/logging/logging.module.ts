import { Module } from '@nestjs/common';
import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
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

/** Query parameters that carry secrets or who a user is (links in emails, OIDC hints); removed from logged URLs. */
const SECRET_QUERY = /([?&](?:token|code|client_secret|password|id_token_hint|login_hint|logout_hint)=)[^&#]*/gi;

export function redactUrlSecrets(url: string): string {
  return url.replace(SECRET_QUERY, '$1[Redacted]');
}

@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: {
          level: config.logLevel,
          redact: { paths: REDACTED_PATHS, censor: '[Redacted]' },
          // Probes every few seconds would drown the rest.
          autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false },
          customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : res.statusCode >= 400 ? 'warn' : 'info'),
          serializers: {
            req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({
              id: req.id,
              method: req.method,
              url: redactUrlSecrets(req.url),
              userAgent: req.headers['user-agent'],
              remoteAddress: req.remoteAddress,
            }),
          },
        },
      }),
    }),
  ],
})
export class LoggingModule {}
