import { createHash } from 'node:crypto';
import { crypt64, CRYPT64_CHARS } from './encoding';
import { constantTimeEqual, defineFormat, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * crypt(3) MD5 (`$1$<salt, up to 8 chars>$<22 chars>`), Poul-Henning Kamp's FreeBSD
 * algorithm as in glibc and `openssl passwd -1`. A fixed 1,000 rounds of MD5: cheap, so
 * it runs inline. Written here over node:crypto (no maintained npm package does just this).
 */
const MAGIC = '$1$';
const ORDER: ReadonlyArray<readonly [number[], number]> = [
  [[0, 6, 12], 4],
  [[1, 7, 13], 4],
  [[2, 8, 14], 4],
  [[3, 9, 15], 4],
  [[4, 10, 5], 4],
  [[-1, -1, 11], 2],
];

interface Md5CryptParams {
  salt: Buffer;
  expected: string;
}

export function md5CryptDigest(password: Buffer, salt: Buffer): Buffer {
  const md5 = (...parts: Buffer[]) => {
    const hash = createHash('md5');
    for (const part of parts) hash.update(part);
    return hash.digest();
  };
  const P = password;
  const S = salt;
  const alternate = md5(P, S, P);
  const first: Buffer[] = [P, Buffer.from(MAGIC, 'latin1'), S];
  for (let left = P.length; left > 0; left -= 16) first.push(alternate.subarray(0, Math.min(left, 16)));
  for (let bits = P.length; bits > 0; bits >>= 1) first.push(bits & 1 ? Buffer.alloc(1) : P.subarray(0, 1));
  let digest = md5(...first);
  for (let round = 0; round < 1000; round++) {
    const parts: Buffer[] = [round & 1 ? P : digest];
    if (round % 3) parts.push(S);
    if (round % 7) parts.push(P);
    parts.push(round & 1 ? digest : P);
    digest = md5(...parts);
  }
  return digest;
}

export function md5CryptFormat(limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<Md5CryptParams>({
    id: 'md5-crypt',
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      if (!hash.startsWith(MAGIC)) return null;
      const parts = hash.slice(MAGIC.length).split('$');
      if (parts.length !== 2) return new Refused('malformed MD5-crypt string');
      const [salt, expected] = parts;
      if (salt.length > 8 || !CRYPT64_CHARS.test(salt)) return new Refused('malformed MD5-crypt salt');
      if (expected.length !== 22 || !CRYPT64_CHARS.test(expected)) return new Refused('malformed MD5-crypt hash');
      return { salt: Buffer.from(salt, 'latin1'), expected };
    },
    async verify(password, { salt, expected }) {
      const digest = md5CryptDigest(Buffer.from(password, 'utf8'), salt);
      return constantTimeEqual(Buffer.from(crypt64(digest, ORDER), 'latin1'), Buffer.from(expected, 'latin1'));
    },
  });
}
