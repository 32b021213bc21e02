import { createHash } from 'node:crypto';
import { decodeBase64 } from './encoding';
import { constantTimeEqual, defineFormat, PasswordFormat, Refused } from './format';
import { PasswordFormatLimits } from './limits';

/**
 * LDAP salted SHA (RFC 2307 style, as OpenLDAP's slappasswd and 389-DS write them):
 * `{SSHA}`, `{SSHA256}`, `{SSHA512}` followed by base64(digest || salt). The scheme label is
 * matched whole, up to its closing brace and case-insensitively, so `{SSHA}` never takes a
 * `{SSHA512}` hash; the digest length then splits digest from salt.
 */
const SCHEME = /^\{([A-Za-z0-9]+)\}/;

interface SshaParams {
  salt: Buffer;
  expected: Buffer;
}

function sshaFormat(id: 'ldap-ssha' | 'ldap-ssha256' | 'ldap-ssha512', label: string, algorithm: string, size: number, limits: PasswordFormatLimits): PasswordFormat {
  return defineFormat<SshaParams>({
    id,
    maxPasswordBytes: limits.maxPasswordBytes,
    parse(hash) {
      const scheme = SCHEME.exec(hash);
      if (!scheme || scheme[1].toUpperCase() !== label) return null;
      const payload = decodeBase64(hash.slice(scheme[0].length));
      if (!payload) return new Refused(`malformed {${label}} base64`);
      const saltLength = payload.length - size;
      if (saltLength < 1 || saltLength > 64) return new Refused(`{${label}} must hold a ${size}-byte digest and a salt of 1 to 64 bytes`);
      return { expected: payload.subarray(0, size), salt: payload.subarray(size) };
    },
    async verify(password, { salt, expected }) {
      const computed = createHash(algorithm).update(password, 'utf8').update(salt).digest();
      return constantTimeEqual(computed, expected);
    },
  });
}

export const ldapFormats = (limits: PasswordFormatLimits): PasswordFormat[] => [
  sshaFormat('ldap-ssha', 'SSHA', 'sha1', 20, limits),
  sshaFormat('ldap-ssha256', 'SSHA256', 'sha256', 32, limits),
  sshaFormat('ldap-ssha512', 'SSHA512', 'sha512', 64, limits),
];
