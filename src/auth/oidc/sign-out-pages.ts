import { createHash } from 'node:crypto';
import type { KoaContextWithOIDC } from 'oidc-provider';
import { PAGE_SECURITY_HEADERS, redirectingFormSecurityHeaders, renderMessagePage, renderPage } from '../interaction/pages';

/** The page RP-initiated logout shows around oidc-provider's sign-out `form` (OpenID Connect RP-Initiated Logout 1.0 §2): sent at once, or asked. */
export function signOutPage(ctx: KoaContextWithOIDC, form: string, issuer: string): void {
  const atOnce = hintNamesSignedInUser(ctx);
  const headers = signOutPageHeaders(ctx, issuer);
  ctx.set(atOnce ? withSignOutScript(headers) : headers);
  ctx.body = atOnce ? signOutAtOnce(form) : askToSignOut(form);
}

/** Where sign-out ends when the application gave no post_logout_redirect_uri. */
export function signedOutPage(ctx: KoaContextWithOIDC): void {
  ctx.set(PAGE_SECURITY_HEADERS);
  ctx.body = renderMessagePage('Signed out', 'You have been signed out. You can close this window.');
}

/**
 * RP-initiated logout with an `id_token_hint` (checked by oidc-provider: signed by this
 * issuer for the application) that names the signed-in user: Keycloak, Auth0 and Cognito
 * sign out at once, without asking, and so does this issuer. Another user's hint, or none,
 * could come from any page that links here, so the user is asked.
 */
function hintNamesSignedInUser(ctx: KoaContextWithOIDC): boolean {
  const hint = ctx.oidc.entities.IdTokenHint as { payload?: { sub?: unknown } } | undefined;
  return hint?.payload?.sub !== undefined && hint.payload.sub === ctx.oidc.session?.accountId;
}

/** oidc-provider's sign-out form (`op.logoutForm`, carrying its xsrf), to be confirmed with a click. */
function askToSignOut(form: string): string {
  return renderPage('Sign out', `<h1>Sign out?</h1>\n${form}\n<button form="op.logoutForm" type="submit" name="logout" value="yes">Sign out</button>`);
}

/** Sends the sign-out form as the page loads. */
const SUBMIT_SIGN_OUT = "document.getElementById('op.logoutForm').submit()";

const SUBMIT_SIGN_OUT_SOURCE = `'sha256-${createHash('sha256').update(SUBMIT_SIGN_OUT).digest('base64')}'`;

/** The sign-out page's headers, with that one script allowed by its hash. */
function withSignOutScript(headers: Record<string, string>): Record<string, string> {
  return { ...headers, 'Content-Security-Policy': `${headers['Content-Security-Policy']}; script-src ${SUBMIT_SIGN_OUT_SOURCE}` };
}

/**
 * The sign-out form posts to the issuer's end_session endpoint, which redirects to the
 * application's post_logout_redirect_uri (checked against the client's by oidc-provider),
 * or to its own success page without one: form-action names the issuer and that URI
 * (Chromium checks it on the redirect too).
 */
function signOutPageHeaders(ctx: KoaContextWithOIDC, issuer: string): Record<string, string> {
  const backTo = ctx.oidc.params?.post_logout_redirect_uri;
  return redirectingFormSecurityHeaders(typeof backTo === 'string' ? [issuer, backTo] : [issuer]);
}

/** The same form, confirmed and sent by the page itself, as oidc-provider's form_post pages are (a button without JavaScript). */
function signOutAtOnce(form: string): string {
  const confirmed = form.replace('</form>', '<input type="hidden" name="logout" value="yes"/><noscript><button type="submit">Sign out</button></noscript></form>');
  return renderPage('Signing out', `<h1>Signing out…</h1>\n${confirmed}\n<script>${SUBMIT_SIGN_OUT}</script>`);
}
