import { pbkdf2 } from 'node:crypto';
import { promisify } from 'node:util';
import { decodeAdaptedBase64, decodeBase64 } from './encoding';
import { constantTimeEqual, defineFormat, parsePositiveInt, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

const pbkdf2Async = promisify(pbkdf2);

type Digest = 'sha1' | 'sha256' | 'sha512';
const DIGEST_BYTES: Record<Digest, number> = { sha1: 20, sha256: 32, sha512: 64 };
/** Keycloak derives 512 bits whatever the digest; a team leaving it writes them in passlib's form. */
const KEYCLOAK_KEY_BYTES = 64;

interface Pbkdf2Params {
  digest: Digest;
  iterations: number;
  salt: Buffer;
  expected: Buffer;
}

/** Node's pbkdf2 runs on libuv's thread pool, so the event loop stays free. */
async function derive(password: string, { digest, iterations, salt, expected }: Pbkdf2Params): Promise<boolean> {
  const computed = await pbkdf2Async(Buffer.from(password, 'utf8'), salt, iterations, expected.length, digest);
  return constantTimeEqual(computed, expected);
}

/** `blocks`: digest-sized blocks of the derived key; each costs the iterations again. */
function checkIterations(text: string, limits: PasswordFormatLimits, blocks = 1): number | Refused {
  const iterations = parsePositiveInt(text);
  if (iterations === null) return new Refused('malformed PBKDF2 iteration count');
  if (iterations > limits.pbkdf2Iterations) return new Refused(`PBKDF2 iterations ${iterations} are over the limit ${limits.pbkdf2Iterations}`);
  if (iterations * blocks > limits.pbkdf2Iterations) return new Refused(`PBKDF2 work (iterations × key blocks) ${iterations * blocks} is over the limit ${limits.pbkdf2Iterations}`);
  return iterations;
}

/**
 * passlib's PBKDF2: `$pbkdf2-sha256$<rounds>$<salt>$<checksum>`, salt and checksum in
 * passlib's "adapted base64" (ab64: `.` for `+`, no padding), the checksum as long as the
 * digest, or 64 bytes as Keycloak derives. passlib writes SHA-1 as `$pbkdf2$`;
 * `$pbkdf2-sha1$` is accepted as well.
 */
function passlibPbkdf2(digest: Digest, idents: string[], limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<Pbkdf2Params>({
    id: `pbkdf2-${digest}`,
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      const ident = idents.find((prefix) => hash.startsWith(prefix));
      if (!ident) return null;
      const parts = hash.slice(ident.length).split('$');
      if (parts.length !== 3) return new Refused('malformed PBKDF2 string');
      const salt = decodeAdaptedBase64(parts[1]);
      const expected = decodeAdaptedBase64(parts[2]);
      const lengths = [...new Set([DIGEST_BYTES[digest], KEYCLOAK_KEY_BYTES])];
      if (!expected || !lengths.includes(expected.length)) return new Refused(`PBKDF2 checksum must be ${lengths.join(' or ')} bytes of ab64`);
      const iterations = checkIterations(parts[0], limits, Math.ceil(expected.length / DIGEST_BYTES[digest]));
      if (iterations instanceof Refused) return iterations;
      if (!salt || salt.length > 1024) return new Refused('malformed PBKDF2 salt');
      return { digest, iterations, salt, expected };
    },
    verify: derive,
  });
}

/**
 * Django's PBKDF2PasswordHasher: `pbkdf2_sha256$<iterations>$<salt>$<hash>`. The salt is
 * text (its UTF-8 bytes are the salt; Django's own are 22 alphanumerics), the hash
 * standard padded base64 of the 32-byte derived key.
 */
function djangoPbkdf2Sha256(limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<Pbkdf2Params>({
    id: 'django-pbkdf2-sha256',
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      if (!hash.startsWith('pbkdf2_sha256$')) return null;
      const parts = hash.slice('pbkdf2_sha256$'.length).split('$');
      if (parts.length !== 3) return new Refused('malformed Django PBKDF2 string');
      const iterations = checkIterations(parts[0], limits);
      if (iterations instanceof Refused) return iterations;
      // Printable, no `$` (Django refuses it), at most 256 characters.
      if (!/^[\x21-\x23\x25-\x7e\u00a0-\uffff]{1,256}$/.test(parts[1])) return new Refused('malformed Django PBKDF2 salt');
      const expected = decodeBase64(parts[2]);
      if (!expected || expected.length !== 32) return new Refused('Django PBKDF2 hash must be 32 bytes of base64');
      return { digest: 'sha256', iterations, salt: Buffer.from(parts[1], 'utf8'), expected };
    },
    verify: derive,
  });
}

export const pbkdf2Formats = (limits: PasswordFormatLimits): PasswordFormat[] => [
  passlibPbkdf2('sha1', ['$pbkdf2$', '$pbkdf2-sha1$'], limits),
  passlibPbkdf2('sha256', ['$pbkdf2-sha256$'], limits),
  passlibPbkdf2('sha512', ['$pbkdf2-sha512$'], limits),
  djangoPbkdf2Sha256(limits),
];
