import type { Request, Response } from 'express';

/**
 * An application's browser origins are those of its redirect URIs: the only pages the
 * issuer already sends its users back to. oidc-provider's clientBasedCORS (token,
 * revocation, introspection) and our userinfo ask the same question.
 */
export function originAllowed(origin: string, redirectUris: readonly string[]): boolean {
  return redirectUris.some((uri) => uri.startsWith(`${origin}/`) || uri === origin);
}

const PREFLIGHT_MAX_AGE_SECONDS = 3600;

/**
 * Fetch's CORS for an endpoint that learns its application only from the request's
 * credentials, as oidc-provider does for its own: a preflight carries none, so it is
 * answered for any origin, and the actual request is checked against the application
 * (`originAllowed`). Returns true when the request was a preflight, now answered.
 */
export function corsForEndpoint(req: Request, res: Response, methods: string): boolean {
  res.vary('Origin');
  const origin = req.headers.origin;
  if (!origin) return false;
  res.setHeader('Access-Control-Allow-Origin', origin);
  if (req.method !== 'OPTIONS' || !req.headers['access-control-request-method']) {
    // Lets the application read why a token was refused (RFC 6750 §3).
    res.setHeader('Access-Control-Expose-Headers', 'WWW-Authenticate');
    return false;
  }
  res.setHeader('Access-Control-Allow-Methods', methods);
  const headers = req.headers['access-control-request-headers'];
  if (headers) res.setHeader('Access-Control-Allow-Headers', headers);
  res.setHeader('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS));
  res.status(204).end();
  return true;
}
