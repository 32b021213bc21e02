import { timingSafeEqual } from 'node:crypto';
import { MAX_HASH_LENGTH } from './limits';

export type PasswordFormatId =
  | 'argon2id'
  | 'argon2i'
  | 'bcrypt'
  | 'scrypt'
  | 'pbkdf2-sha1'
  | 'pbkdf2-sha256'
  | 'pbkdf2-sha512'
  | 'django-pbkdf2-sha256'
  | 'sha512-crypt'
  | 'sha256-crypt'
  | 'md5-crypt'
  | 'ldap-ssha'
  | 'ldap-ssha256'
  | 'ldap-ssha512';

/** What a format thinks of a hash string: not its family at all, well-formed, or refused and why. */
export type Inspection = { ok: true } | { ok: false; reason: string };

export interface PasswordFormat {
  readonly id: PasswordFormatId;
  /** True when `hash` is a well-formed hash of this format, within the cost limits. Never throws. */
  detects(hash: string): boolean;
  /** True when `password` matches. False for a wrong password or a hash this format does not detect; never throws. */
  verify(password: string, hash: string): Promise<boolean>;
  /** null when `hash` is not of this format's family (its prefix); otherwise whether it is accepted, and why not. */
  inspect(hash: string): Inspection | null;
}

/** A parser's answer for a hash of its family that it refuses (malformed, or over a cap). */
export class Refused {
  constructor(readonly reason: string) {}
}

export interface FormatDefinition<P> {
  id: PasswordFormatId;
  /** null: not this family; Refused: this family but unusable; otherwise the parsed parameters. */
  parse(hash: string): P | Refused | null;
  /** Compares in constant time; may throw (treated as a mismatch). */
  verify(password: string, parsed: P): Promise<boolean>;
  /** Passwords longer than this (UTF-8 bytes) never match. */
  maxPasswordBytes?: number;
}

/** Wraps a parser and a verifier into a format that never throws and never verifies what it did not parse. */
export function defineFormat<P>(definition: FormatDefinition<P>): PasswordFormat {
  const parse = (hash: unknown): P | Refused | null => {
    if (typeof hash !== 'string') return null;
    if (hash.length > MAX_HASH_LENGTH) return null;
    try {
      return definition.parse(hash);
    } catch {
      return new Refused('malformed');
    }
  };
  return {
    id: definition.id,
    detects: (hash) => {
      const parsed = parse(hash);
      return parsed !== null && !(parsed instanceof Refused);
    },
    inspect: (hash) => {
      const parsed = parse(hash);
      if (parsed === null) return null;
      return parsed instanceof Refused ? { ok: false, reason: parsed.reason } : { ok: true };
    },
    verify: async (password, hash) => {
      const parsed = parse(hash);
      if (parsed === null || parsed instanceof Refused || typeof password !== 'string') return false;
      if (definition.maxPasswordBytes !== undefined && Buffer.byteLength(password, 'utf8') > definition.maxPasswordBytes) return false;
      try {
        return (await definition.verify(password, parsed)) === true;
      } catch {
        return false;
      }
    },
  };
}

/** Constant-time equality of two byte strings; different lengths are simply unequal (the length is not secret). */
export function constantTimeEqual(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/** A positive decimal integer written canonically (no sign, no leading zero, at most 10 digits), or null. */
export function parsePositiveInt(text: string): number | null {
  return /^[1-9][0-9]{0,9}$/.test(text) ? Number(text) : null;
}
