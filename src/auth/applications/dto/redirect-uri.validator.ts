import { ValidateBy, ValidationOptions } from 'class-validator';

const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:']);

/** Absolute, without a fragment (RFC 6749 §3.1.2); custom schemes are allowed for native apps. */
export function isRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000 || value.includes('#')) return false;
  try {
    const url = new URL(value);
    return !FORBIDDEN_SCHEMES.has(url.protocol) && (!url.protocol.startsWith('http') || !!url.hostname);
  } catch {
    return false;
  }
}

export function IsRedirectUri(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRedirectUri',
      validator: {
        validate: isRedirectUri,
        defaultMessage: (args) => `each value in ${args?.property} must be an absolute URI without a fragment`,
      },
    },
    options,
  );
}
