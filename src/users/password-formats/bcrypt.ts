import * as bcrypt from 'bcrypt';
import { constantTimeEqual, defineFormat, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * bcrypt `$2a$`, `$2b$`, `$2y$`: `$2b$<cost, two digits>$<22 salt chars><31 hash chars>` in
 * bcrypt's own base64 (`./A-Za-z0-9`). The three minor versions compute the same thing for
 * every password (they differ only in old implementations' bugs), so one verifier serves all.
 *
 * The native `bcrypt` package recomputes the hash from the stored salt on libuv's thread
 * pool, off the event loop: a migrated user base signs in for the first time all at once,
 * and at cost 10-12 each verification is 65-260 ms of CPU. The result is compared here
 * with timingSafeEqual. As everywhere with bcrypt, only the first 72 bytes of a password count.
 */
const BCRYPT = /^\$2([aby])\$([0-9]{2})\$([./A-Za-z0-9]{22})([./A-Za-z0-9]{31})$/;

interface BcryptParams {
  /** `$2b$12$` and the salt: what bcrypt.hash takes as its salt. */
  setting: string;
  hash: string;
}

export function bcryptFormat(limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<BcryptParams>({
    id: 'bcrypt',
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      if (!/^\$2[aby]\$/.test(hash)) return null;
      const match = BCRYPT.exec(hash);
      if (!match) return new Refused('malformed bcrypt string');
      const cost = Number(match[2]);
      if (cost < 4 || cost > 31) return new Refused(`bcrypt cost ${cost} is out of range`);
      if (cost > limits.bcryptCost) return new Refused(`bcrypt cost ${cost} is over the limit ${limits.bcryptCost}`);
      return { setting: hash.slice(0, 29), hash };
    },
    async verify(password, { setting, hash }) {
      // The native code takes $2a$ and $2b$ only; $2y$ (PHP's name) computes the same, so it
      // is computed as $2b$ and the minor versions are left out of the comparison.
      const computed = await bcrypt.hash(password, setting.replace(/^\$2y\$/, '$2b$'));
      return constantTimeEqual(Buffer.from(computed.slice(4), 'latin1'), Buffer.from(hash.slice(4), 'latin1'));
    },
  });
}
