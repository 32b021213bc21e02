/**
 * Caps on the cost parameters of stored hashes. Imported hashes carry their own cost, so
 * without caps one hostile record (bcrypt cost 31, PBKDF2 with 4 billion iterations, scrypt
 * asking for 64 GiB) would pin a core or exhaust memory at every sign-in attempt against
 * that user. A hash over a cap is refused at import (`checkHash`) and never verified.
 *
 * Each cap sits at or a little above the highest cost in common use (the defaults of
 * passlib, Django, node-argon2, Laravel…), so real exports pass and absurd costs do not.
 * Times below are one verification at the cap on one core of an idle 2-core machine
 * (Node 20, OpenSSL 3); a loaded machine takes about twice as long. Verifications run at
 * most one per core at a time (PasswordHasher's gate), so the caps bound the whole cost.
 * PBKDF2, scrypt, argon2 and bcrypt run on libuv's thread pool; SHA-crypt (rare: Linux
 * shadow files) runs on the main thread in slices, yielding to the event loop between them.
 */
export interface PasswordFormatLimits {
  /** argon2 memory in KiB. Default 256 MiB (node-argon2 and RFC 9106's second choice use 64 MiB). */
  argon2MemoryKiB: number;
  /** argon2 passes. Default 10 (common values are 2 to 4). */
  argon2TimeCost: number;
  /** argon2 memory × passes, in KiB: the work. Default 1 GiB·pass (e.g. 256 MiB × 4), about one second. */
  argon2Work: number;
  /** argon2 lanes. Default 16. */
  argon2Parallelism: number;
  /**
   * bcrypt cost (log2 of the rounds). Default 14: about 1 s (10 is the usual default,
   * 12 Laravel's and Rails', 13–14 rare).
   */
  bcryptCost: number;
  /**
   * PBKDF2 iterations, for every digest. Default 2,000,000: about 1 s for SHA-1/SHA-512
   * and 0.85 s for SHA-256 (Django 5.2 uses 1,000,000, OWASP asks 600,000 for SHA-256).
   */
  pbkdf2Iterations: number;
  /** scrypt memory, 128·N·r bytes. Default 128 MiB (passlib's default ln=16,r=8 needs 64 MiB). */
  scryptMemoryBytes: number;
  /** scrypt work, N·r·p. Default 2^21 (about 1 s; passlib's default is 2^19, Django's 655,360). */
  scryptWork: number;
  /**
   * SHA-crypt rounds. Default 700,000, about 1.4 s (glibc's default is 5,000, hardened
   * login.defs use up to 100,000, passlib's defaults are 535,000 for SHA-256 and 656,000
   * for SHA-512). Computed here in JavaScript over node:crypto at about 2 µs a round, in
   * slices of at most ~8 ms.
   */
  shaCryptRounds: number;
  /**
   * SHA-crypt hashes the password once per round, so its cost is rounds × length: the
   * product (rounds × (password bytes + 64)) is capped too, so a long password against a
   * high round count fails instead of costing seconds. Default 700,000 × 320, which lets
   * any password up to 256 bytes through at the highest rounds, and 4 KiB ones at 54,000.
   */
  shaCryptWork: number;
  /** Longest password (UTF-8 bytes) checked against a non-argon2 format: pool policies allow 1,024 characters. Default 4096. */
  maxPasswordBytes: number;
}

export const DEFAULT_LIMITS: Readonly<PasswordFormatLimits> = Object.freeze({
  argon2MemoryKiB: 256 * 1024,
  argon2TimeCost: 10,
  argon2Work: 1024 * 1024,
  argon2Parallelism: 16,
  bcryptCost: 14,
  pbkdf2Iterations: 2_000_000,
  scryptMemoryBytes: 128 * 1024 * 1024,
  scryptWork: 2 ** 21,
  shaCryptRounds: 700_000,
  shaCryptWork: 700_000 * 320,
  maxPasswordBytes: 4096,
});

/** Longest hash string looked at; longer ones are not parsed at all. */
export const MAX_HASH_LENGTH = 2048;
