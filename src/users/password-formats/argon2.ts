import * as argon2 from 'argon2';
import { decodeBase64Unpadded } from './encoding';
import { defineFormat, parsePositiveInt, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * argon2id and argon2i PHC strings: `$argon2id$v=19$m=65536,t=3,p=4$<salt>$<hash>` (salt and
 * hash in unpadded base64; `v=` absent on version 1.0 hashes). The identifier is matched
 * whole, so `$argon2i$` never takes an `$argon2id$` hash nor the other way round.
 * Verified by the `argon2` package, which compares with timingSafeEqual.
 */
const PHC = /^\$(argon2id|argon2i|argon2d)\$(?:v=([0-9]+)\$)?m=([0-9]+),t=([0-9]+),p=([0-9]+)\$([^$]*)\$([^$]*)$/;

interface Argon2Params {
  hash: string;
}

function argon2Format(id: 'argon2id' | 'argon2i', limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<Argon2Params>({
    id,
    parse(hash) {
      if (!hash.startsWith(`$${id}$`)) return null;
      const match = PHC.exec(hash);
      if (!match || match[1] !== id) return new Refused('malformed argon2 string');
      const [, , version, mText, tText, pText, saltText, hashText] = match;
      if (version !== undefined && version !== '16' && version !== '19') return new Refused(`unknown argon2 version ${version}`);
      const m = parsePositiveInt(mText);
      const t = parsePositiveInt(tText);
      const p = parsePositiveInt(pText);
      if (m === null || t === null || p === null) return new Refused('malformed argon2 parameters');
      if (p > limits.argon2Parallelism) return new Refused(`argon2 parallelism ${p} is over the limit ${limits.argon2Parallelism}`);
      if (m < 8 * p) return new Refused('argon2 memory is below 8 KiB per lane');
      if (m > limits.argon2MemoryKiB) return new Refused(`argon2 memory ${m} KiB is over the limit ${limits.argon2MemoryKiB} KiB`);
      if (t > limits.argon2TimeCost) return new Refused(`argon2 time cost ${t} is over the limit ${limits.argon2TimeCost}`);
      if (m * t > limits.argon2Work) return new Refused(`argon2 work (memory × time) ${m * t} is over the limit ${limits.argon2Work}`);
      const salt = decodeBase64Unpadded(saltText);
      const digest = decodeBase64Unpadded(hashText);
      if (!salt || salt.length < 8 || salt.length > 64) return new Refused('argon2 salt must be 8 to 64 bytes of unpadded base64');
      if (!digest || digest.length < 4 || digest.length > 128) return new Refused('argon2 hash must be 4 to 128 bytes of unpadded base64');
      return { hash };
    },
    verify: (password, { hash }) => argon2.verify(hash, password),
  });
}

export const argon2Formats = (limits: PasswordFormatLimits): PasswordFormat[] => [argon2Format('argon2id', limits), argon2Format('argon2i', limits)];
