import { ValidateBy, ValidationOptions } from 'class-validator';

/** As oidc-provider refuses them (lib/helpers/client_schema.js), so no accepted URI breaks the client. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/**
 * The URL parser drops surrounding spaces and tabs or newlines inside, but the issuer compares
 * redirect URIs as stored, exactly (RFC 6749 §3.1.2.3): such a URI could never match.
 */
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f-\u009f]/;

/** Absolute, without a fragment (RFC 6749 §3.1.2); custom schemes are allowed for native apps. */
export function isRedirectUri(value: unknown): boolean {
  if (typeof value !== 'string' || value.length > 2000 || value.includes('#') || SPACE_OR_CONTROL.test(value)) return false;
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
        defaultMessage: (args) => `each value in ${args?.property} must be an absolute URI without a fragment, spaces or control characters`,
      },
    },
    options,
  );
}
