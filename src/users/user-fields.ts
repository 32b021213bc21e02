import { pgLower } from '../platform/text/pg-lower';
import { PasswordPolicy } from '../pools/pool.entity';

/**
 * Emails are trimmed and kept as given, but the domain is lower-cased (it is case-insensitive
 * by RFC 5321) as lower() folds it, so an address stored and the same one typed again
 * compare equal under lower(email).
 */
export function normalizeEmail(email: string): string {
  const trimmed = email.trim();
  const at = trimmed.lastIndexOf('@');
  return at < 0 ? trimmed : trimmed.slice(0, at + 1) + pgLower(trimmed.slice(at + 1));
}

/** The policy's complaint about a password, or null when it is acceptable. */
export function passwordPolicyViolation(policy: PasswordPolicy, password: string): string | null {
  const length = [...password].length;
  if (length < policy.minLength) return `password must be at least ${policy.minLength} characters`;
  if (length > policy.maxLength) return `password must be at most ${policy.maxLength} characters`;
  return null;
}

export const E164 = /^\+[1-9]\d{1,14}$/;

/** A number as people write it ("+1 (415) 555-0100"): a plus, then digits among spaces, dashes, dots and parentheses. */
const WRITTEN_NUMBER = /^\+[\d\s().-]*$/;

/**
 * Typed text as the identifiers it is compared with are stored: a user search's prefix, the
 * identifier of a sign-in. Mobiles are stored in E.164 only, so a number written with
 * separators loses them; other text is only trimmed.
 */
export function asStoredIdentifier(typed: string): string {
  // A query string or a form decodes an unencoded "+" as a space: `?search=+1415` arrives as
  // " 1415". No email or name starts with a space before a digit, but every mobile starts with "+".
  const text = /^ [\d(]/.test(typed) ? `+${typed.slice(1)}` : typed;
  // Stored values are trimmed, so spaces around the text (pasted) would match nothing.
  return WRITTEN_NUMBER.test(text) ? text.replace(/[\s().-]/g, '') : text.trim();
}
