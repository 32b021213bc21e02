import { INestApplication } from '@nestjs/common';
import { randomBytes } from 'node:crypto';
import request from 'supertest';
import TestAgent from 'supertest/lib/agent';
import { createApp } from '../../src/app';
import { loadConfig } from '../../src/platform/config/config';
import { databaseUrl, runPrefix, templateName, withAdmin } from './databases';
import { freePort } from './server-process';

export { freePort };

export const ROOT_KEY = 'test-root-key-0123456789abcdefghijklmnop';

export interface TestApp {
  app: INestApplication;
  http: TestAgent;
  /** An authorised request helper: `api.post(path).send(body)` with the root key. */
  root: (method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => request.Test;
  as: (key: string, method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) => request.Test;
  databaseUrl: string;
  /** With `listen`: where the app answers, also its PUBLIC_URL (issuers live under it). */
  baseUrl: string;
  close: () => Promise<void>;
}

/** A fresh database cloned from the run's migrated template. */
export async function cloneDatabase(): Promise<string> {
  const name = `${runPrefix()}_${randomBytes(4).toString('hex')}`;
  await withAdmin((client) => client.query(`CREATE DATABASE "${name}" TEMPLATE "${templateName()}"`));
  return name;
}

/**
 * Starts the real app (as main.ts does) on its own database. With `listen` it also
 * answers on a loopback port, for clients that need a real URL (OpenID Connect).
 */
export async function startTestApp(env: Record<string, string> = {}, options: { listen?: boolean } = {}): Promise<TestApp> {
  const url = databaseUrl(await cloneDatabase());
  const port = options.listen ? await freePort() : 0;
  const baseUrl = `http://127.0.0.1:${port}`;
  const config = loadConfig({
    ...process.env,
    NODE_ENV: 'test',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'silent',
    ROOT_API_KEY: ROOT_KEY,
    DATABASE_URL: url,
    PORT: String(port),
    PUBLIC_URL: baseUrl,
    ...env,
  });
  const app = await createApp(config);
  if (options.listen) await app.listen(port, '127.0.0.1');
  else await app.init();
  const http = request(app.getHttpServer());
  const as = (key: string, method: 'get' | 'post' | 'patch' | 'put' | 'delete', path: string) =>
    http[method](path).set('Authorization', `Bearer ${key}`);
  return {
    app,
    http,
    as,
    root: (method, path) => as(ROOT_KEY, method, path),
    databaseUrl: url,
    baseUrl,
    close: () => app.close(),
  };
}
