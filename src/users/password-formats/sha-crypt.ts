import { hash as digestOf } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { crypt64, CRYPT64_CHARS } from './encoding';
import { constantTimeEqual, defineFormat, parsePositiveInt, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * crypt(3) SHA-256 (`$5$`) and SHA-512 (`$6$`), per Ulrich Drepper's "Unix crypt using
 * SHA-256 and SHA-512" (the algorithm of glibc, libxcrypt, passlib and `openssl passwd -5/-6`):
 * `$6$[rounds=<N>$]<salt, up to 16 chars>$<hash>` with 5,000 rounds when `rounds=` is absent.
 *
 * Written here over node:crypto's one-shot hash (there is no native SHA-crypt in Node, and
 * the npm packages for it are unmaintained or pull native code). The rounds run on the
 * main thread, so the loop yields to the event loop every few milliseconds.
 */

type Variant = {
  id: 'sha256-crypt' | 'sha512-crypt';
  prefix: string;
  algorithm: 'sha256' | 'sha512';
  size: number;
  /** Length of the encoded hash. */
  encodedLength: number;
  order: ReadonlyArray<readonly [number[], number]>;
};

const triples = (list: number[][]): Array<[number[], number]> => list.map((indexes) => [indexes, 4]);

const SHA256: Variant = {
  id: 'sha256-crypt',
  prefix: '$5$',
  algorithm: 'sha256',
  size: 32,
  encodedLength: 43,
  order: [
    ...triples([[0, 10, 20], [21, 1, 11], [12, 22, 2], [3, 13, 23], [24, 4, 14], [15, 25, 5], [6, 16, 26], [27, 7, 17], [18, 28, 8], [9, 19, 29]]),
    [[-1, 31, 30], 3],
  ],
};

const SHA512: Variant = {
  id: 'sha512-crypt',
  prefix: '$6$',
  algorithm: 'sha512',
  size: 64,
  encodedLength: 86,
  order: [
    ...triples([
      [0, 21, 42], [22, 43, 1], [44, 2, 23], [3, 24, 45], [25, 46, 4], [47, 5, 26], [6, 27, 48],
      [28, 49, 7], [50, 8, 29], [9, 30, 51], [31, 52, 10], [53, 11, 32], [12, 33, 54], [34, 55, 13],
      [56, 14, 35], [15, 36, 57], [37, 58, 16], [59, 17, 38], [18, 39, 60], [40, 61, 19], [62, 20, 41],
    ]),
    [[-1, -1, 63], 2],
  ],
};

const DEFAULT_ROUNDS = 5000;
const MIN_ROUNDS = 1000;
/** Longest the rounds run before yielding to the event loop, in milliseconds (checked every 64 rounds). */
const SLICE_MS = 8;

interface ShaCryptParams {
  rounds: number;
  salt: Buffer;
  expected: string;
}

/** `source` repeated to `length` bytes. */
function stretch(source: Buffer, length: number): Buffer {
  const out = Buffer.alloc(length);
  for (let offset = 0; offset < length; offset += source.length) source.copy(out, offset, 0, Math.min(source.length, length - offset));
  return out;
}

/** The SHA-crypt digest of `password` (before encoding), per the specification's steps. */
export async function shaCryptDigest(algorithm: 'sha256' | 'sha512', password: Buffer, salt: Buffer, rounds: number): Promise<Buffer> {
  const H = (...parts: Buffer[]) => digestOf(algorithm, Buffer.concat(parts), 'buffer');
  const P = password;
  const S = salt;
  const B = H(P, S, P);
  const n = B.length;

  const a: Buffer[] = [P, S, stretch(B, P.length)];
  for (let bits = P.length; bits > 0; bits >>= 1) a.push(bits & 1 ? B : P);
  let C = H(...a);

  const pStretched = stretch(H(...new Array<Buffer>(P.length).fill(P)), P.length);
  const sStretched = stretch(H(...new Array<Buffer>(16 + C[0]).fill(S)), S.length);

  // Each round hashes at most C, S', P', P' (in some order): one buffer, reused.
  const block = Buffer.alloc(n + S.length + 2 * P.length);
  let sliceStart = performance.now();
  for (let round = 0; round < rounds; round++) {
    if ((round & 63) === 63 && performance.now() - sliceStart > SLICE_MS) {
      await yieldToEventLoop();
      sliceStart = performance.now();
    }
    const odd = round & 1;
    let length = (odd ? pStretched : C).copy(block, 0);
    if (round % 3) length += sStretched.copy(block, length);
    if (round % 7) length += pStretched.copy(block, length);
    length += (odd ? C : pStretched).copy(block, length);
    C = digestOf(algorithm, block.subarray(0, length), 'buffer');
  }
  return C;
}

function shaCryptFormat(variant: Variant, limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<ShaCryptParams>({
    id: variant.id,
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      if (!hash.startsWith(variant.prefix)) return null;
      const parts = hash.slice(variant.prefix.length).split('$');
      let rounds = DEFAULT_ROUNDS;
      if (parts.length === 3 && parts[0].startsWith('rounds=')) {
        const explicit = parsePositiveInt(parts.shift()!.slice('rounds='.length));
        if (explicit === null || explicit < MIN_ROUNDS || explicit > 999_999_999) return new Refused('malformed SHA-crypt rounds');
        rounds = explicit;
      }
      if (parts.length !== 2) return new Refused('malformed SHA-crypt string');
      const [salt, expected] = parts;
      if (salt.length > 16 || !CRYPT64_CHARS.test(salt)) return new Refused('malformed SHA-crypt salt');
      if (expected.length !== variant.encodedLength || !CRYPT64_CHARS.test(expected)) return new Refused('malformed SHA-crypt hash');
      if (rounds > limits.shaCryptRounds) return new Refused(`SHA-crypt rounds ${rounds} are over the limit ${limits.shaCryptRounds}`);
      return { rounds, salt: Buffer.from(salt, 'latin1'), expected };
    },
    async verify(password, { rounds, salt, expected }) {
      const bytes = Buffer.from(password, 'utf8');
      // Each round hashes the password twice or so: bound rounds × length, not rounds alone.
      if (rounds * (bytes.length + 64) > limits.shaCryptWork) return false;
      const digest = await shaCryptDigest(variant.algorithm, bytes, salt, rounds);
      return constantTimeEqual(Buffer.from(crypt64(digest, variant.order), 'latin1'), Buffer.from(expected, 'latin1'));
    },
  });
}

export const shaCryptFormats = (limits: PasswordFormatLimits): PasswordFormat[] => [shaCryptFormat(SHA512, limits), shaCryptFormat(SHA256, limits)];
