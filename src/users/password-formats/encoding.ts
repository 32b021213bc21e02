/**
 * Strict decoders for the base64 variants hash formats use. Each accepts only what its
 * producers write: the right alphabet, padding present or absent as the format says, and
 * canonical trailing bits (re-encoding gives back the same text). Anything else is null.
 */

const STANDARD_PADDED = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const STANDARD_UNPADDED = /^[A-Za-z0-9+/]*$/;
const ADAPTED_UNPADDED = /^[A-Za-z0-9./]*$/;

function decodeCanonical(text: string, unpadded: boolean): Buffer | null {
  if (unpadded && text.length % 4 === 1) return null;
  const bytes = Buffer.from(text, 'base64');
  let again = bytes.toString('base64');
  if (unpadded) again = again.replace(/=+$/, '');
  return again === text ? bytes : null;
}

/** RFC 4648 base64 with `+/` and `=` padding (LDAP, Django). */
export function decodeBase64(text: string): Buffer | null {
  return STANDARD_PADDED.test(text) ? decodeCanonical(text, false) : null;
}

/** Base64 with `+/` and no padding: PHC strings (argon2) and passlib's scrypt ("b64s"). */
export function decodeBase64Unpadded(text: string): Buffer | null {
  return STANDARD_UNPADDED.test(text) ? decodeCanonical(text, true) : null;
}

/** passlib's "adapted base64" (ab64): base64 with `.` instead of `+`, no padding (passlib's PBKDF2). */
export function decodeAdaptedBase64(text: string): Buffer | null {
  return ADAPTED_UNPADDED.test(text) ? decodeCanonical(text.replace(/\./g, '+'), true) : null;
}

/** The alphabet of crypt(3) (MD5-crypt, SHA-crypt): `./0-9A-Za-z`, six bits a character, least significant first. */
const CRYPT64 = './0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

export const CRYPT64_CHARS = /^[./0-9A-Za-z]*$/;

/**
 * Encodes `bytes` the way crypt(3) does: groups of three bytes, picked in the order
 * `groups` gives (each group lists the bytes from most to least significant and the
 * number of characters to write), each written as 24 bits, low six bits first.
 */
export function crypt64(bytes: Buffer, groups: ReadonlyArray<readonly [number[], number]>): string {
  let out = '';
  for (const [indexes, chars] of groups) {
    let word = 0;
    for (const index of indexes) word = (word << 8) | (index < 0 ? 0 : bytes[index]);
    for (let i = 0; i < chars; i++) {
      out += CRYPT64[word & 0x3f];
      word >>>= 6;
    }
  }
  return out;
}
