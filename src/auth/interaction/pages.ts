/**
 * The hosted pages' shell: one small, accessible, self-contained HTML document with
 * inline styles and no external assets, so it renders behind any firewall.
 */
import type { Response } from 'express';
import { escapeHtml } from '../../platform/html/escape';
import { AppError } from '../../platform/problem/app-error';

export { escapeHtml };

const STYLE = `
  :root { color-scheme: light dark; --accent: #3451b2; --link: #3451b2; --focus: #3451b2; --error: #c62828; }
  @media (prefers-color-scheme: dark) { :root { --link: #9db0ff; --focus: #9db0ff; --error: #ff8a80; } }
  * { box-sizing: border-box; }
  body { margin: 0; padding: 2rem 0; min-height: 100vh; display: grid; place-items: center; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: Canvas; color: CanvasText; }
  /* A long email address or application name wraps instead of running out of the card on a phone. */
  main { overflow-wrap: anywhere; width: min(24rem, 100% - 2rem); padding: 2rem; border: 1px solid color-mix(in srgb, CanvasText 15%, transparent); border-radius: 12px; }
  main > :last-child { margin-bottom: 0; }
  h1 { font-size: 1.4rem; margin: 0 0 .25rem; }
  p.sub { margin: 0 0 1.5rem; opacity: .75; }
  label { display: block; font-weight: 600; margin: 1rem 0 .35rem; }
  input { width: 100%; padding: .65rem .75rem; font: inherit; border: 1px solid color-mix(in srgb, CanvasText 55%, transparent); border-radius: 8px; background: Field; color: FieldText; }
  input[aria-invalid="true"] { border: 2px solid var(--error); padding: calc(.65rem - 1px) calc(.75rem - 1px); }
  input:focus-visible, button:focus-visible, a:focus-visible { outline: 3px solid var(--focus); outline-offset: 2px; }
  button { width: 100%; margin-top: 1.5rem; padding: .7rem; font: inherit; font-weight: 600; color: #fff; background: var(--accent); border: 0; border-radius: 8px; cursor: pointer; }
  /* A form that is only a button (confirm the email) sits right under the subtitle. */
  input[type="hidden"]:first-child + button { margin-top: 0; }
  .alert { margin: 0 0 1rem; padding: .75rem; border-radius: 8px; background: color-mix(in srgb, var(--error) 15%, Canvas); border: 1px solid var(--error); }
  .hint { font-size: .875rem; opacity: .75; margin: .35rem 0 0; }
  .optional { font-size: .875rem; font-weight: 400; opacity: .75; }
  footer { margin-top: 1.5rem; font-size: .875rem; line-height: 2; text-align: center; }
  a { color: var(--link); }
`;

/**
 * Pages set their own CSP: nothing loads from anywhere, and no one may frame them. No
 * form-action here: pages with a form add it (formPageSecurityHeaders).
 */
export const PAGE_SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; base-uri 'none'",
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
};

/**
 * The headers of a page with a form: its form may only be sent here, and to `alsoTo` (a CSP
 * source). Chromium checks form-action on the redirects that follow the post as well, so a
 * form whose answer redirects elsewhere must name where.
 */
export function formPageSecurityHeaders(...alsoTo: string[]): Record<string, string> {
  const targets = ["'self'", ...alsoTo].join(' ');
  return { ...PAGE_SECURITY_HEADERS, 'Content-Security-Policy': `${PAGE_SECURITY_HEADERS['Content-Security-Policy']}; form-action ${targets}` };
}

/**
 * The headers of a page whose form's answer redirects to one of `targets` (URLs checked
 * already, e.g. by oidc-provider against the client's): form-action names each one's
 * origin, or its scheme for an app's own (com.example.app:/callback). A target CSP cannot
 * write (an IPv6 loopback) leaves form-action out rather than break the flow.
 */
export function redirectingFormSecurityHeaders(targets: string[]): Record<string, string> {
  const sources = targets.map(cspSource);
  return sources.every((source): source is string => source !== null) ? formPageSecurityHeaders(...sources) : PAGE_SECURITY_HEADERS;
}

/** The CSP source a URL falls under, or null when CSP cannot write one. */
function cspSource(target: string): string | null {
  const url = URL.parse(target);
  if (!url) return null;
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return url.protocol;
  return CSP_HOST.test(url.hostname) ? url.origin : null;
}

/** The host names a CSP host-source can hold (CSP3 §2.3.1 host-char: letters, digits and "-", between dots). */
const CSP_HOST = /^[a-z0-9.-]+$/i;

export function renderPage(title: string, body: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${escapeHtml(title)}</title>
<style>${STYLE}</style>
</head>
<body>
<main>
${body}
</main>
</body>
</html>`;
}

/** The document title of a page that shows an error, so it is the first thing a screen reader says. */
export function pageTitle(title: string, error?: string): string {
  return error ? `${title} – error` : title;
}

/** The id of the form-level error message; invalid fields point at it with aria-describedby. */
export const FORM_ERROR_ID = 'form-error';

/** The form-level error message (nothing without one). */
export function renderFormError(error?: string): string {
  return error ? `<p class="alert" role="alert" id="${FORM_ERROR_ID}">${escapeHtml(error)}</p>` : '';
}

/**
 * The accessibility attributes of one input: `aria-invalid` and a description pointing
 * at the error when it is at fault, its own hint otherwise, and `autofocus` when asked.
 */
export function fieldState(options: { invalid?: boolean; hint?: string; autofocus?: boolean }): string {
  const describedBy = [options.invalid && FORM_ERROR_ID, options.hint].filter(Boolean).join(' ');
  return [
    options.autofocus ? ' autofocus' : '',
    options.invalid ? ' aria-invalid="true"' : '',
    describedBy ? ` aria-describedby="${describedBy}"` : '',
  ].join('');
}

/** A link under a form or a message ("Forgot your password?", "Back to sign in"). */
export interface PageLink {
  href: string;
  text: string;
}

/** The links under a page's content, one per line (nothing without any). */
export function renderLinks(links: PageLink[] = []): string {
  return links.length ? `\n<footer>${links.map((link) => `<a href="${escapeHtml(link.href)}">${escapeHtml(link.text)}</a>`).join('<br>')}</footer>` : '';
}

export function renderMessagePage(title: string, message: string, links?: PageLink[]): string {
  return renderPage(title, `<h1>${escapeHtml(title)}</h1>\n<p>${escapeHtml(message)}</p>${renderLinks(links)}`);
}

/** A refused hosted form (too large, unreadable), answered as a page a browser shows. */
export function sendErrorPage(res: Response, error: AppError): void {
  res.status(error.status).set(PAGE_SECURITY_HEADERS).type('html').send(renderMessagePage(error.title, error.detail));
}
