import { escapeHtml, fieldState, PageLink, pageTitle, renderFormError, renderLinks, renderPage } from '../interaction/pages';

/**
 * The hosted self-service pages: small server-rendered forms in the login page's look,
 * with its accessibility patterns. A refused form comes back with the message in a
 * role=alert, the fields at fault marked aria-invalid and described by it, the focus on
 * the first of them, and "– error" in the title. Validation is the server's (`novalidate`):
 * its messages are the ones shown, the same for everyone and every browser.
 */

interface PasswordRule {
  minLength: number;
  maxLength: number;
}

/** Why a submitted form was refused: the message shown, and the fields at fault (by input name). */
export interface FormError {
  message: string;
  fields: string[];
}

/** The values a re-rendered form keeps (never the password). */
type Names = { givenName?: string; familyName?: string };

/** Renders inputs in order: the first invalid one (or the first one) gets the focus. */
class Fields {
  private focused = false;

  constructor(private readonly error?: FormError) {}

  /** The attributes of one input: invalid when the error names it, focused when it comes first. */
  state(name: string, hint?: string): string {
    const invalid = this.error?.fields.includes(name) ?? false;
    const someFieldInvalid = this.error?.fields.some((field) => FOCUSABLE.has(field)) ?? false;
    const autofocus = !this.focused && (invalid || !someFieldInvalid);
    if (autofocus) this.focused = true;
    return fieldState({ invalid, hint, autofocus });
  }

  password(rule: PasswordRule, label: string): string {
    return `<label for="password">${label}</label>
  <input id="password" name="password" type="password" autocomplete="new-password" required minlength="${rule.minLength}"${this.state('password', 'password-hint')}>
  <p class="hint" id="password-hint">At least ${rule.minLength} characters${rule.maxLength < 1024 ? `, at most ${rule.maxLength}` : ''}. A few unrelated words make a strong, memorable password.</p>`;
  }

  email(value = ''): string {
    return `<label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" autocapitalize="none" spellcheck="false" required value="${escapeHtml(value)}"${this.state('email')}>`;
  }

  names(values: Names): string {
    return `<label for="givenName">Given name <span class="optional">(optional)</span></label>
  <input id="givenName" name="givenName" type="text" autocomplete="given-name" value="${escapeHtml(values.givenName ?? '')}"${this.state('givenName')}>
  <label for="familyName">Family name <span class="optional">(optional)</span></label>
  <input id="familyName" name="familyName" type="text" autocomplete="family-name" value="${escapeHtml(values.familyName ?? '')}"${this.state('familyName')}>`;
  }
}

/** The inputs users can type in; an error about anything else (the token) focuses the first field. */
const FOCUSABLE = new Set(['email', 'password', 'givenName', 'familyName']);

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

/**
 * The account a new password is for, unseen and not sent: password managers save the
 * password under it instead of under no account (chromium.org, "Create Amazing Password Forms").
 * A mobile-only user has no address to name: nothing.
 */
const accountName = (email: string | null) => (email ? `<input id="username" type="email" autocomplete="username" value="${escapeHtml(email)}" readonly hidden>` : '');

export function acceptInvitationPage(model: { action: string; token: string; email: string; poolName: string; rule: PasswordRule; values?: Names; error?: FormError }): string {
  const fields = new Fields(model.error);
  return renderPage(
    pageTitle('Accept your invitation', model.error?.message),
    `<h1>Accept your invitation</h1>
<p class="sub">Choose a password for <strong>${escapeHtml(model.email)}</strong> in ${escapeHtml(model.poolName)}.</p>
${renderFormError(model.error?.message)}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  ${hidden('token', model.token)}
  ${accountName(model.email)}
  ${fields.password(model.rule, 'Choose a password')}
  ${fields.names(model.values ?? {})}
  <button type="submit">Create my account</button>
</form>`,
  );
}

export function verifyEmailPage(model: { action: string; token: string }): string {
  // Confirming takes a click: mail scanners that open links must not spend the token.
  return renderPage(
    'Confirm your email',
    `<h1>Confirm your email</h1>
<p class="sub">One click and your account is ready.</p>
<form method="post" action="${escapeHtml(model.action)}">
  ${hidden('token', model.token)}
  <button type="submit">Confirm my email</button>
</form>`,
  );
}

export function resetPasswordPage(model: { action: string; token: string; email: string | null; rule: PasswordRule; error?: FormError }): string {
  const fields = new Fields(model.error);
  return renderPage(
    pageTitle('Choose a new password', model.error?.message),
    `<h1>Choose a new password</h1>
<p class="sub">Your other sessions will be signed out.</p>
${renderFormError(model.error?.message)}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  ${hidden('token', model.token)}
  ${accountName(model.email)}
  ${fields.password(model.rule, 'New password')}
  <button type="submit">Change my password</button>
</form>`,
  );
}

/** Where a form posts, and the links under it (back to the sign-in it came from). */
export interface FormPlace {
  action: string;
  links?: PageLink[];
}

export function registerPage(model: FormPlace & { poolId: string; poolName: string; rule: PasswordRule; email?: string; values?: Names; error?: FormError }): string {
  const fields = new Fields(model.error);
  return renderPage(
    pageTitle('Create your account', model.error?.message),
    `<h1>Create your account</h1>
<p class="sub">in ${escapeHtml(model.poolName)}</p>
${renderFormError(model.error?.message)}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  ${hidden('poolId', model.poolId)}
  ${fields.email(model.email)}
  ${fields.password(model.rule, 'Password')}
  ${fields.names(model.values ?? {})}
  <button type="submit">Create my account</button>
</form>${renderLinks(model.links)}`,
  );
}

export function forgotPasswordPage(model: FormPlace & { email?: string; error?: FormError }): string {
  const fields = new Fields(model.error);
  return renderPage(
    pageTitle('Reset your password', model.error?.message),
    `<h1>Reset your password</h1>
<p class="sub">Enter the email address of your account and we will send you a link to choose a new password.</p>
${renderFormError(model.error?.message)}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  ${fields.email(model.email)}
  <button type="submit">Send me a link</button>
</form>${renderLinks(model.links)}`,
  );
}
