import { availableParallelism } from 'node:os';

/** libuv's default when UV_THREADPOOL_SIZE is unset. */
const LIBUV_DEFAULT = 4;
/** Threads kept free of password hashing for everything else that uses the pool. */
const SPARE_THREADS = 2;

/**
 * Sizes libuv's thread pool from the core count, unless the operator set
 * UV_THREADPOOL_SIZE. Must run before anything queues work on the pool (libuv reads the
 * variable once, at the first job), so main.ts imports it first.
 *
 * Why: argon2 hashes and verifies on this pool, and so do the JWT signatures of every
 * token (jose uses WebCrypto, whose RSA/EC signing runs there), zlib, fs and dns.lookup.
 * At libuv's default of 4 threads, a flood of sign-ins fills every thread with 40 ms
 * argon2 jobs, and each sign-in's two signatures wait in line behind a dozen of them; on
 * a machine with more than 4 cores the default would also leave cores idle. With
 * `cores + 2` threads and argon2 held to one job per core (see `argon2Concurrency`), the
 * hashing uses every core and signatures always find a free thread.
 */
export function sizeThreadpool(env: NodeJS.ProcessEnv = process.env): number {
  const configured = threadpoolSize(env);
  if (configured !== null) return configured;
  const size = Math.max(LIBUV_DEFAULT, availableParallelism() + SPARE_THREADS);
  env.UV_THREADPOOL_SIZE = String(size);
  return size;
}

/** The pool's size as libuv will read it, or null when unset or unusable. */
function threadpoolSize(env: NodeJS.ProcessEnv): number | null {
  const value = Number(env.UV_THREADPOOL_SIZE);
  return Number.isInteger(value) && value >= 1 ? Math.min(value, 1024) : null;
}

/**
 * How many argon2 operations may run at once: one per core (more only slices the same
 * cores finer and makes every sign-in slower), and always at least one thread less than
 * the pool has, so JWT signing and the rest never queue behind password hashing.
 */
export function argon2Concurrency(env: NodeJS.ProcessEnv = process.env): number {
  const pool = threadpoolSize(env) ?? LIBUV_DEFAULT;
  return Math.max(1, Math.min(availableParallelism(), pool - 1));
}
