import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';
import { databaseUrl, runPrefix } from './databases';

/**
 * The built server (`node dist/src/main.js`) as a child process, for what only a real
 * process shows: exit codes, what it prints, signals and its log stream.
 */

const ROOT = resolve(__dirname, '../..');
const DIST_MAIN = join(ROOT, 'dist/src/main.js');
const LOCK = join(ROOT, 'node_modules/.cache/identity-pools-e2e/build.lock');

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs);
  }
  return newest;
}

function isStale(): boolean {
  return !existsSync(DIST_MAIN) || newestMtime(join(ROOT, 'src')) > statSync(DIST_MAIN).mtimeMs;
}

async function withLock<T>(work: () => T): Promise<T> {
  mkdirSync(join(LOCK, '..'), { recursive: true });
  const deadline = Date.now() + 60_000;
  for (;;) {
    try {
      mkdirSync(LOCK);
      break;
    } catch {
      // Another jest worker builds; a lock older than a minute was left by a killed run.
      const age = Date.now() - (statSync(LOCK, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
      if (age > 60_000 || Date.now() > deadline) {
        rmSync(LOCK, { recursive: true, force: true });
      }
      await new Promise((r) => setTimeout(r, 200));
    }
  }
  try {
    return work();
  } finally {
    rmSync(LOCK, { recursive: true, force: true });
  }
}

let snapshot: string | undefined;

/**
 * Runs `npm run build` when dist is missing or older than src, then copies dist to a
 * private directory so a build started meanwhile (nest deletes dist first) cannot pull
 * the server out from under the test. Returns the entry file to run.
 */
export async function builtServer(): Promise<string> {
  if (snapshot) return snapshot;
  const cache = join(ROOT, 'node_modules/.cache/identity-pools-e2e');
  const dir = join(cache, `${runPrefix()}_${randomBytes(3).toString('hex')}`);
  await withLock(() => {
    // Copies of earlier runs.
    for (const old of readdirSync(cache)) {
      const path = join(cache, old);
      if (old.startsWith('ip_test_') && Date.now() - statSync(path).mtimeMs > 3_600_000) rmSync(path, { recursive: true, force: true });
    }
    if (isStale()) execFileSync('npm', ['run', 'build'], { cwd: ROOT, stdio: 'pipe' });
    cpSync(join(ROOT, 'dist'), dir, { recursive: true });
  });
  snapshot = join(dir, 'src/main.js');
  return snapshot;
}

/** A port nobody listens on right now, so PUBLIC_URL can be known before the app starts. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolvePort(port));
    });
  });
}

/** A database URL of this run that does not exist yet (the server creates it; teardown drops it). */
export function freshDatabaseUrl(): string {
  return databaseUrl(`${runPrefix()}_proc_${randomBytes(4).toString('hex')}`);
}

export interface ServerProcess {
  child: ChildProcess;
  port: number;
  baseUrl: string;
  /** Everything printed so far (stdout then stderr interleaved as received). */
  output: () => string;
  stdout: () => string;
  stderr: () => string;
  /** Resolves with the first match of `pattern` in the output. */
  waitFor: (pattern: RegExp, timeoutMs?: number) => Promise<RegExpMatchArray>;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>;
  stop: () => Promise<void>;
}

/**
 * Starts the built server with exactly `env` (plus PATH and a free PORT unless given);
 * nothing is inherited, so a variable the developer has set cannot change the outcome.
 */
export async function startServer(env: Record<string, string | undefined>): Promise<ServerProcess> {
  const main = await builtServer();
  const port = env.PORT ? Number(env.PORT) : await freePort();
  const started = Date.now();
  const child = spawn(process.execPath, [main], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, PORT: String(port), ...env } as NodeJS.ProcessEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let stdout = '';
  let stderr = '';
  const listeners = new Set<() => void>();
  const onData = (which: 'out' | 'err') => (chunk: Buffer) => {
    const text = chunk.toString('utf8');
    out += text;
    if (which === 'out') stdout += text;
    else stderr += text;
    listeners.forEach((l) => l());
  };
  child.stdout!.on('data', onData('out'));
  child.stderr!.on('data', onData('err'));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; afterMs: number }>((done) =>
    child.once('exit', (code, signal) => {
      // Let the pipes drain so `output()` is complete.
      setTimeout(() => {
        listeners.forEach((l) => l());
        done({ code, signal, afterMs: Date.now() - started });
      }, 50);
    }),
  );
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const waitFor = (pattern: RegExp, timeoutMs = 15_000) =>
    new Promise<RegExpMatchArray>((resolveMatch, reject) => {
      const check = () => {
        const match = out.match(pattern);
        if (match) {
          cleanup();
          resolveMatch(match);
        } else if (hasExited) {
          cleanup();
          reject(new Error(`server exited before printing ${pattern}; output:\n${out}`));
        }
      };
      const timer = setTimeout(() => {
        cleanup();
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${pattern}; output:\n${out}`));
      }, timeoutMs);
      const cleanup = () => {
        clearTimeout(timer);
        listeners.delete(check);
      };
      listeners.add(check);
      void exited.then(check);
      check();
    });

  return {
    child,
    port,
    baseUrl: `http://127.0.0.1:${port}`,
    output: () => out,
    stdout: () => stdout,
    stderr: () => stderr,
    waitFor,
    exited,
    stop: async () => {
      if (hasExited || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Waits until the server answers /health/live (migrations ran and it listens), or fails if it exits first. */
export async function waitUntilListening(server: ServerProcess, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let exited = false;
  void server.exited.then(() => (exited = true));
  for (;;) {
    const res = await fetch(`${server.baseUrl}/health/live`).catch(() => null);
    if (res?.ok) return;
    if (exited) throw new Error(`server exited before listening; output:\n${server.output()}`);
    if (Date.now() > deadline) throw new Error(`server did not listen within ${timeoutMs} ms; output:\n${server.output()}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** A private redis-server on a free port, without persistence, that a test may stop and restart. */
export interface RedisProcess {
  port: number;
  url: string;
  stop: () => Promise<void>;
  start: () => Promise<void>;
}

export async function startRedis(): Promise<RedisProcess> {
  const port = await freePort();
  let child: ChildProcess | null = null;
  const start = async () => {
    child = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const current = child;
    await new Promise<void>((ready, fail) => {
      let text = '';
      const timer = setTimeout(() => fail(new Error(`redis-server did not start: ${text}`)), 10_000);
      current.stdout!.on('data', (chunk: Buffer) => {
        text += chunk.toString();
        if (/Ready to accept connections/i.test(text)) {
          clearTimeout(timer);
          ready();
        }
      });
      current.once('exit', (code) => {
        clearTimeout(timer);
        fail(new Error(`redis-server exited with ${code}: ${text}`));
      });
    });
  };
  const stop = async () => {
    const current = child;
    child = null;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const gone = new Promise((done) => current.once('exit', done));
    current.kill('SIGKILL');
    await gone;
  };
  await start();
  return { port, url: `redis://127.0.0.1:${port}`, start, stop };
}
