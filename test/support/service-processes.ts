import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './server-process';

export { freePort };

/**
 * Real service processes for fault tests: a private build of the current source, the
 * service spawned in a chosen role (and killed with any signal), and a private
 * redis-server that a test may shut down, restart on the same port or flush.
 */

const ROOT = resolve(__dirname, '../..');

export interface PrivateBuild {
  /** The entry to run (`<dir>/dist/src/main.js`). */
  main: string;
  remove: () => void;
}

/**
 * Compiles the current source with tsc into a temporary folder (with a node_modules
 * symlink so the server resolves its packages). dist/ is left alone: others may run
 * servers from it, and `nest build` empties it first.
 */
export async function privateBuild(): Promise<PrivateBuild> {
  const dir = mkdtempSync(join(tmpdir(), 'ip-e2e-build-'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  const tsc = require.resolve('typescript/bin/tsc', { paths: [ROOT] });
  try {
    await promisify(execFile)(process.execPath, [tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist')], { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`tsc failed: ${(error as { stdout?: string }).stdout ?? (error as Error).message}`);
  }
  return { main: join(dir, 'dist/src/main.js'), remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ServiceProcess {
  pid: number;
  /** Where it answers (a worker: its health checks only). */
  baseUrl: string;
  output: () => string;
  /** Resolves with the exit; `kill('SIGKILL')` for a crash, `stop()` for a clean stop. */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill: (signal: NodeJS.Signals) => Promise<void>;
  stop: () => Promise<void>;
}

/**
 * Starts `node <main>` with exactly `env` plus PATH and PORT (nothing else inherited);
 * resolves when it is ready: /health/live answers (every role serves it).
 */
export async function startService(main: string, env: Record<string, string>): Promise<ServiceProcess> {
  const port = await freePort();
  const baseUrl = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), PUBLIC_URL: baseUrl, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  const keep = (chunk: Buffer) => {
    // The tail is enough to explain a failure.
    out = (out + chunk.toString('utf8')).slice(-200_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  let gone = false;
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((done) =>
    child.once('exit', (code, signal) => {
      gone = true;
      done({ code, signal });
    }),
  );
  const kill = async (signal: NodeJS.Signals) => {
    if (gone) return;
    child.kill(signal);
    await exited;
  };
  const service: ServiceProcess = {
    pid: child.pid!,
    baseUrl,
    output: () => out,
    exited,
    kill,
    stop: async () => {
      if (gone) return;
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await kill('SIGTERM');
      clearTimeout(timer);
    },
  };
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (gone) throw new Error(`the service exited during start:\n${out}`);
    if (Date.now() > deadline) {
      await kill('SIGKILL');
      throw new Error(`the service was not ready within 60 s:\n${out}`);
    }
    const res = await fetch(`${baseUrl}/health/live`).catch(() => null);
    if (res?.ok) return service;
    await new Promise((r) => setTimeout(r, 100));
  }
}

export interface PrivateRedis {
  port: number;
  url: string;
  /** Runs one command on a short-lived connection. */
  command: (...args: string[]) => Promise<string>;
  /** `SHUTDOWN NOSAVE`: everything in it is lost; resolves once the process is gone. */
  shutdownNoSave: () => Promise<void>;
  /** Starts it again on the same port, empty. */
  start: () => Promise<void>;
  stop: () => Promise<void>;
}

/** A redis-server on a free port without persistence, which a test may stop, restart and flush. */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  let exited: Promise<unknown> = Promise.resolve();
  const start = async () => {
    const current = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = current;
    exited = new Promise((done) => current.once('exit', done));
    await new Promise<void>((ready, fail) => {
      let text = '';
      const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${text}`)), 10_000);
      current.stdout!.on('data', (chunk: Buffer) => {
        if (text.length < 10_000) text += chunk.toString();
        if (/Ready to accept connections/i.test(text)) {
          clearTimeout(timer);
          ready();
        }
      });
      void exited.then(() => {
        clearTimeout(timer);
        fail(new Error(`redis-server exited: ${text}`));
      });
    });
  };
  const command = async (...args: string[]) => {
    const { stdout } = await promisify(execFile)('redis-cli', ['-p', String(port), ...args]);
    return stdout.trim();
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    command,
    shutdownNoSave: async () => {
      await command('SHUTDOWN', 'NOSAVE').catch(() => undefined);
      await exited;
      child = null;
    },
    start,
    stop: async () => {
      const current = child;
      child = null;
      if (!current || current.exitCode !== null || current.signalCode !== null) return;
      current.kill('SIGKILL');
      await exited;
    },
  };
}
