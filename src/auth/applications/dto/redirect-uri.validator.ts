import { ValidateBy, ValidationOptions } from 'class-validator';

/** As oidc-provider refuses them (lib/helpers/client_schema.js), so no accepted URI breaks the client. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'vbscript:', 'file:', 'blob:', 'about:']);

/**
 * The URL parser drops surrounding spaces and tabs or newlines inside, but the issuer compares
 * redirect URIs as stored, exactly (RFC 6749 §3.1.2.3): such a URI could never match.
 */
const SPACE_OR_CONTROL = /[\u0000-\u0020\u007f-\u009f]/;

/** The out-of-band "redirect" of old native apps: deprecated (OAuth 2.0 for Native Apps, RFC 8252 §7) and never a place to send a code. */
const OUT_OF_BAND = /^urn:ietf:wg:oauth:2\.0:oob(:auto)?$/i;

/**
 * Why a redirect URI is refused, or null: absolute, without a fragment (RFC 6749 §3.1.2),
 * compared exactly; custom schemes are allowed for native apps.
 */
function redirectUriProblem(value: unknown): string | null {
  if (typeof value !== 'string') return 'must be a string';
  if (value.length > 2000) return 'must be at most 2000 characters long';
  if (SPACE_OR_CONTROL.test(value)) return 'must not hold spaces or control characters';
  if (value.includes('#')) return 'must not have a fragment (#)';
  // Keycloak and Auth0 read "*" as a wildcard; here URIs match exactly, so it would match nothing.
  if (value.includes('*')) return 'must not hold "*": wildcards are not supported, list each URI';
  if (OUT_OF_BAND.test(value)) return 'must be a URI the browser can return to (out-of-band is not supported)';
  const url = URL.parse(value);
  if (!url) return 'must be an absolute URI such as https://app.example.com/callback';
  if (FORBIDDEN_SCHEMES.has(url.protocol)) return `must not use the ${url.protocol} scheme`;
  if (url.protocol === 'http:' || url.protocol === 'https:') {
    // The parser mends "https:/app" and "https:app" into https://app/: what is stored must be what matches.
    if (!value.toLowerCase().startsWith(`${url.protocol}//`) || !url.hostname) return `must be an absolute URI such as ${url.protocol}//app.example.com/callback`;
    if (url.username || url.password) return 'must not hold a user name or password';
  }
  return null;
}

/** Names each refused entry of the list, by its index, with the reason. */
export function IsRedirectUri(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isRedirectUri',
      validator: {
        validate: (value) => redirectUriProblem(value) === null,
        defaultMessage: (args) => {
          const list: unknown[] = Array.isArray(args?.value) ? args.value : [args?.value];
          const refused = list.flatMap((value, i) => {
            const problem = redirectUriProblem(value);
            return problem ? [`${args?.property}[${i}] ${problem}`] : [];
          });
          return refused.join('; ');
        },
      },
    },
    options,
  );
}
