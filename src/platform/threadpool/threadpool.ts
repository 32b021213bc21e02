import { randomFill } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { availableParallelism, setPriority } from 'node:os';

/** libuv's default when UV_THREADPOOL_SIZE is unset. */
const LIBUV_DEFAULT = 4;
/** Threads always left to everything but password hashing (JWT signing above all). */
const SPARE_THREADS = 2;
/** The nice value of the pool's threads: below the main thread, which answers every request. */
const THREADPOOL_NICE = 10;

/**
 * Sizes libuv's thread pool from the core count, unless the operator set
 * UV_THREADPOOL_SIZE: `cores + 3` threads (at least libuv's 4), that is argon2's share
 * (`argon2Concurrency`, cores + 1) and 2 spare. Must run before anything queues work on
 * the pool (libuv reads the variable once, at the first job), so main.ts imports it first.
 *
 * Why: argon2 hashes and verifies on this pool, and so do the JWT signatures of every
 * token (jose uses WebCrypto, whose RSA/EC signing runs there), zlib, fs and dns.lookup.
 * With libuv's 4 threads and nothing else, a flood of sign-ins fills every thread with
 * ~25 ms argon2 jobs and each sign-in's two signatures wait behind a dozen of them; on a
 * machine with more than 4 cores the default would also leave cores idle.
 */
export function sizeThreadpool(env: NodeJS.ProcessEnv = process.env): number {
  // A value set but unusable is left for the configuration check to refuse, not replaced.
  if (env.UV_THREADPOOL_SIZE) return threadpoolSize(env) ?? LIBUV_DEFAULT;
  const size = Math.max(LIBUV_DEFAULT, availableParallelism() + 1 + SPARE_THREADS);
  env.UV_THREADPOOL_SIZE = String(size);
  return size;
}

/** The pool's size as libuv will read it, or null when unset or unusable. */
function threadpoolSize(env: NodeJS.ProcessEnv): number | null {
  const value = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, 1024) : null;
}

/**
 * How many argon2 operations may run at once: one per core plus one, so a core that
 * finishes a hash finds the next one already running rather than idling until the main
 * thread hands it over (more would only slice the same cores finer); and never the
 * pool's last SPARE_THREADS threads, so JWT signing never waits for password hashing
 * (at least one, whatever size an operator chose).
 */
export function argon2Concurrency(env: NodeJS.ProcessEnv = process.env): number {
  const pool = threadpoolSize(env) ?? LIBUV_DEFAULT;
  return Math.max(1, Math.min(availableParallelism() + 1, pool - SPARE_THREADS));
}

/**
 * Starts libuv's pool now and lowers its threads' scheduling priority to nice 10 (Linux
 * only; a no-op elsewhere, and if anything already started the pool). Call right after
 * sizeThreadpool.
 *
 * Why: the pool's jobs (argon2, ~25 ms of CPU each; JWT signatures, ~0.4 ms) are
 * throughput work, while the main thread answers every request. At equal priority each
 * job the main thread hands over wakes a pool thread that the scheduler lets preempt the
 * main thread on its own core, and during a sign-in flood the argon2 threads share the
 * cores with it as equals: health probes and token requests wait for the CPU. Niced, the
 * pool still gets every cycle the main thread leaves (the same argon2 throughput), and
 * the main thread runs as soon as it has work.
 */
export function lowerThreadpoolPriority(): number[] {
  if (process.platform !== 'linux') return [];
  try {
    const before = new Set(readdirSync('/proc/self/task'));
    // The first job submitted creates all of the pool's threads, synchronously.
    randomFill(Buffer.alloc(1), () => undefined);
    const pool = readdirSync('/proc/self/task')
      .filter((tid) => !before.has(tid))
      .map(Number);
    for (const tid of pool) setPriority(tid, THREADPOOL_NICE);
    return pool;
  } catch {
    return [];
  }
}
