import { scrypt, ScryptOptions } from 'node:crypto';
import { decodeBase64Unpadded } from './encoding';
import { constantTimeEqual, defineFormat, parsePositiveInt, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * passlib's scrypt: `$scrypt$ln=<log2 N>,r=<block size>,p=<parallelism>$<salt>$<checksum>`.
 * passlib writes salt and checksum in base64 with `+/` and no padding ("b64s", not the
 * ab64 of its PBKDF2 hashes); the checksum is 32 bytes. Computed by node:crypto's scrypt
 * on libuv's thread pool with N = 2^ln.
 */
const SCRYPT = /^\$scrypt\$ln=([0-9]+),r=([0-9]+),p=([0-9]+)\$([^$]*)\$([^$]*)$/;

interface ScryptParams {
  salt: Buffer;
  expected: Buffer;
  options: ScryptOptions;
}

function scryptAsync(password: Buffer, salt: Buffer, length: number, options: ScryptOptions): Promise<Buffer> {
  return new Promise((resolve, reject) => scrypt(password, salt, length, options, (error, key) => (error ? reject(error) : resolve(key))));
}

export function scryptFormat(limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<ScryptParams>({
    id: 'scrypt',
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      if (!hash.startsWith('$scrypt$')) return null;
      const match = SCRYPT.exec(hash);
      if (!match) return new Refused('malformed scrypt string');
      const ln = parsePositiveInt(match[1]);
      const r = parsePositiveInt(match[2]);
      const p = parsePositiveInt(match[3]);
      if (ln === null || r === null || p === null || ln > 30) return new Refused('malformed scrypt parameters');
      const N = 2 ** ln;
      const memory = 128 * N * r;
      if (memory > limits.scryptMemoryBytes) return new Refused(`scrypt memory 128·N·r = ${memory} bytes is over the limit ${limits.scryptMemoryBytes}`);
      if (N * r * p > limits.scryptWork) return new Refused(`scrypt work N·r·p = ${N * r * p} is over the limit ${limits.scryptWork}`);
      const salt = decodeBase64Unpadded(match[4]);
      const expected = decodeBase64Unpadded(match[5]);
      if (!salt || salt.length > 1024) return new Refused('malformed scrypt salt');
      if (!expected || expected.length !== 32) return new Refused('scrypt checksum must be 32 bytes of unpadded base64');
      // What OpenSSL allocates (V: 128·r·(N+2), B: 128·r·p) plus slack; the caps above bound it.
      const maxmem = 128 * r * (N + 2) + 128 * r * p + 1024 * 1024;
      return { salt, expected, options: { N, r, p, maxmem } };
    },
    async verify(password, { salt, expected, options }) {
      const computed = await scryptAsync(Buffer.from(password, 'utf8'), salt, expected.length, options);
      return constantTimeEqual(computed, expected);
    },
  });
}
