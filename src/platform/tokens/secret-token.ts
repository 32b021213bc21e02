import { createHash, randomBytes } from 'node:crypto';

/** A link token: 256 random bits, URL-safe. Only its SHA-256 is ever stored. */
export function newSecretToken(): { token: string; hash: Buffer } {
  const token = randomBytes(32).toString('base64url');
  return { token, hash: hashSecretToken(token) };
}

export function hashSecretToken(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}
