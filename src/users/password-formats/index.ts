import { argon2Formats } from './argon2';
import { bcryptFormat } from './bcrypt';
import { PasswordFormat, PasswordFormatId } from './format';
import { ldapFormats } from './ldap';
import { DEFAULT_LIMITS, PasswordFormatLimits } from './limits';
import { md5CryptFormat } from './md5-crypt';
import { pbkdf2Formats } from './pbkdf2';
import { scryptFormat } from './scrypt';
import { shaCryptFormats } from './sha-crypt';

export { DEFAULT_LIMITS, MAX_HASH_LENGTH } from './limits';
export type { PasswordFormatLimits } from './limits';
export type { Inspection, PasswordFormat, PasswordFormatId } from './format';

/** Whether a stored or imported hash can be verified here: its format, or why not. */
export type HashCheck =
  | { supported: true; format: PasswordFormatId }
  | { supported: false; code: 'unknown_format'; message: string }
  | { supported: false; code: 'invalid_hash'; format: PasswordFormatId; message: string };

/**
 * The password hash formats this service verifies (API.md, "Bulk migration"), each detected
 * from the hash string alone. No two formats detect the same string: every one matches its
 * whole identifier (`$argon2i$` is not a prefix match of `$argon2id$`, `{SSHA}` not of
 * `{SSHA512}`). argon2id comes first: it is what every hash becomes after one sign-in.
 */
export class PasswordFormatRegistry {
  readonly formats: readonly PasswordFormat[];

  constructor(readonly limits: Readonly<PasswordFormatLimits> = DEFAULT_LIMITS) {
    this.formats = Object.freeze([
      ...argon2Formats(limits),
      bcryptFormat(limits),
      scryptFormat(limits),
      ...pbkdf2Formats(limits),
      ...shaCryptFormats(limits),
      md5CryptFormat(limits),
      ...ldapFormats(limits),
    ]);
  }

  /** The format of `hash` when it is well-formed and within the limits; null otherwise. */
  detectFormat(hash: string): PasswordFormat | null {
    return this.formats.find((format) => format.detects(hash)) ?? null;
  }

  /** True when `password` matches `hash` in any known format; false for unknown or refused hashes. Never throws. */
  async verifyAny(password: string, hash: string): Promise<boolean> {
    const format = this.detectFormat(hash);
    return format ? format.verify(password, hash) : false;
  }

  /** For imports: accept the hash, or say why not (unknown format, or malformed / over a cost limit). */
  checkHash(hash: string): HashCheck {
    for (const format of this.formats) {
      const inspection = format.inspect(hash);
      if (!inspection) continue;
      if (inspection.ok) return { supported: true, format: format.id };
      return { supported: false, code: 'invalid_hash', format: format.id, message: `${format.id}: ${inspection.reason}` };
    }
    return { supported: false, code: 'unknown_format', message: 'unknown password hash format' };
  }
}

/** The registry with the default limits. */
export const passwordFormats = new PasswordFormatRegistry();

export const detectFormat = (hash: string): PasswordFormat | null => passwordFormats.detectFormat(hash);
export const verifyAny = (password: string, hash: string): Promise<boolean> => passwordFormats.verifyAny(password, hash);
export const checkHash = (hash: string): HashCheck => passwordFormats.checkHash(hash);
