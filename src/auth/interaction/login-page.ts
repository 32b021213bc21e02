import { escapeHtml, fieldState, PAGE_SECURITY_HEADERS, PageLink, pageTitle, redirectingFormSecurityHeaders, renderFormError, renderLinks, renderPage } from './pages';

export interface LoginPageModel {
  action: string;
  applicationName: string;
  identifier?: string;
  error?: string;
  /** Ways out of the form: a forgotten password, an account to create. */
  links: PageLink[];
}

/**
 * The hosted login form: one POST form with `identifier` and `password`. After a refusal
 * both fields are marked invalid (the page never says which one was wrong), the title
 * says there was an error, and the focus goes to the password, the field to type again
 * (to the identifier when that is blank).
 */
export function renderLoginPage(model: LoginPageModel): string {
  const refused = Boolean(model.error);
  // The identifier is kept after a refusal; only when it is blank does typing start there.
  const focusPassword = refused && Boolean(model.identifier?.trim());
  return renderPage(
    pageTitle('Sign in', model.error),
    `<h1>Sign in</h1>
<p class="sub">to continue to ${escapeHtml(model.applicationName)}</p>
${renderFormError(model.error)}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  <label for="identifier">Email or mobile number</label>
  <input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required value="${escapeHtml(model.identifier ?? '')}"${fieldState({ invalid: refused, autofocus: !focusPassword })}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${fieldState({ invalid: refused, autofocus: focusPassword })}>
  <button type="submit">Sign in</button>
</form>${renderLinks(model.links)}`,
  );
}

/**
 * The login page's headers. A successful post ends, after oidc-provider's redirects, at the
 * application's redirect URI (already checked against the client's by oidc-provider), so
 * form-action names it; without one the page has no form-action.
 */
export function loginPageSecurityHeaders(redirectUri: unknown): Record<string, string> {
  return typeof redirectUri === 'string' ? redirectingFormSecurityHeaders([redirectUri]) : PAGE_SECURITY_HEADERS;
}
