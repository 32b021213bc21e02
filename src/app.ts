import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { Logger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { isImportUpload, isNdjsonImport } from './imports/ndjson-route';
import { sendErrorPage } from './auth/interaction/pages';
import { OIDC_MOUNT, OidcHttp } from './auth/oidc/oidc.http';
import { AppConfig } from './platform/config/config';
import { migrate } from './platform/database/migrate';
import { CONSOLE_MOUNT, consoleRouter } from './platform/http/console-static';
import { formBody } from './platform/http/form-body.middleware';
import { healthOnly } from './platform/http/health-only.middleware';
import { identityEncodingOnly } from './platform/http/identity-encoding.middleware';
import { jsonBody } from './platform/http/json-body.middleware';
import { requestId } from './platform/http/request-id';
import { routeMethods } from './platform/http/route-methods';
import { validationPipe } from './platform/http/validation';
import { HTTP_LOGGER, HttpLogger } from './platform/logging/logging.module';
import { setupOpenApi } from './platform/openapi/openapi';
import { ProblemFilter } from './platform/problem/problem.filter';
import { authenticateFirst } from './workspaces/authenticate-first.middleware';
import { WorkspacesService } from './workspaces/workspaces.service';

/**
 * Builds the HTTP application once PostgreSQL and Redis answer (main.ts checks them
 * first, platform/dependencies): migrates the database, then wires parsing, validation,
 * errors and the OpenAPI document. main.ts and the e2e tests both start the service
 * through here.
 */
export async function createApp(config: AppConfig): Promise<INestApplication> {
  await migrate(config.databaseUrl);

  const app = await NestFactory.create<NestExpressApplication>(AppModule.forRoot(config), { bodyParser: false, bufferLogs: true });
  app.useLogger(app.get(Logger));
  // Printed from here on as they come, not held until the server listens: a start that
  // fails before (a port taken, a migration lost) still shows what it did.
  app.flushLogs();
  app.disable('x-powered-by');
  // No ETag on API answers: no client revalidates them, and hashing each body (a page of
  // users is ~20 KB) cost more CPU than the page's SQL. The console's files keep theirs.
  app.set('etag', false);
  if (config.trustProxy !== null) app.set('trust proxy', config.trustProxy);
  // First, so every answer carries the id its log line has, even one refused before Nest's routes.
  app.use(requestId(config.trustProxy !== null));
  // Then the request log, before anything that may answer (the issuer, a refused body).
  const httpLogger = app.get<HttpLogger>(HTTP_LOGGER);
  // Below info, the issuer's token, userinfo and JWKS requests would mostly print nothing, yet
  // the per-request logger cost about a fifth of a refresh grant's CPU (docs/benchmarks.md):
  // they skip it then. The issuer's own server errors are logged either way (provider.factory.ts).
  const issuerUnlogged = !httpLogger.logger.isLevelEnabled('info');
  const issuerPrefix = OIDC_MOUNT.slice(0, OIDC_MOUNT.indexOf(':'));
  app.use((req: Request, res: Response, next: NextFunction) => (issuerUnlogged && req.path.startsWith(issuerPrefix) ? next() : httpLogger(req, res, next)));
  if (config.role === 'worker') app.use(healthOnly);
  // The admin console's static files: public, answered before any body parsing or guard.
  app.use(CONSOLE_MOUNT, consoleRouter(config.consoleDir));
  // A browser opened on the service's address finds the console. Relative, so a proxy's path prefix stays.
  app.use((req: Request, res: Response, next: NextFunction) => (req.method === 'GET' && req.path === '/' ? res.redirect(302, `.${CONSOLE_MOUNT}/`) : next()));
  // The issuer parses its own bodies; the hosted pages post small urlencoded forms.
  const forms = formBody(sendErrorPage);
  app.use(`${OIDC_MOUNT}/interaction`, forms);
  app.use('/self-service', forms);
  // API answers carry users' personal data and one-time secrets: no cache on the way may keep them.
  app.use('/v1', (_req: Request, res: Response, next: NextFunction) => {
    res.setHeader('Cache-Control', 'no-store');
    next();
  });
  // Every management route is under /v1/workspaces and needs a key: checked before any body is read.
  app.use('/v1/workspaces', authenticateFirst(app.get(WorkspacesService)));
  app.use(identityEncodingOnly(isNdjsonImport));
  app.use(
    jsonBody({
      passThrough: (req) => req.path.startsWith('/oidc/') || req.path.startsWith('/self-service/') || isNdjsonImport(req),
      alsoAccepted: (req) => (isImportUpload(req) ? 'application/x-ndjson' : null),
      // Reachable without a key: no more than its hosted forms take.
      small: (req) => req.path.startsWith('/v1/self-service/'),
    }),
  );
  app.use(OIDC_MOUNT, app.get(OidcHttp).handle);
  app.useGlobalFilters(new ProblemFilter(routeMethods(app)));
  app.useGlobalPipes(validationPipe());
  // On SIGTERM/SIGINT: close the server and connections, then exit 0 (Nest would otherwise re-raise the signal).
  app.enableShutdownHooks([], { useProcessExit: true });
  setupOpenApi(app, config);
  return app;
}
