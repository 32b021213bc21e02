import { escapeHtml, renderPage } from '../interaction/pages';

/** The hosted self-service pages: small server-rendered forms in the login page's look. */

interface PasswordRule {
  minLength: number;
  maxLength: number;
}

function alert(error?: string): string {
  return error ? `<p class="alert" role="alert" id="form-error">${escapeHtml(error)}</p>` : '';
}

function passwordField(rule: PasswordRule, label: string, autocomplete: 'new-password' | 'current-password'): string {
  return `<label for="password">${label}</label>
  <input id="password" name="password" type="password" autocomplete="${autocomplete}" required minlength="${rule.minLength}" maxlength="${rule.maxLength}" aria-describedby="password-hint">
  <p class="hint" id="password-hint">At least ${rule.minLength} characters${rule.maxLength < 1024 ? `, at most ${rule.maxLength}` : ''}. A few unrelated words make a strong, memorable password.</p>`;
}

const hidden = (name: string, value: string) => `<input type="hidden" name="${name}" value="${escapeHtml(value)}">`;

export function acceptInvitationPage(model: { token: string; email: string; poolName: string; rule: PasswordRule; error?: string }): string {
  return renderPage(
    'Accept your invitation',
    `<h1>Accept your invitation</h1>
<p class="sub">Choose a password for <strong>${escapeHtml(model.email)}</strong> in ${escapeHtml(model.poolName)}.</p>
${alert(model.error)}
<form method="post" action="/self-service/accept-invitation">
  ${hidden('token', model.token)}
  ${passwordField(model.rule, 'Choose a password', 'new-password')}
  <label for="givenName">Given name <span class="hint">(optional)</span></label>
  <input id="givenName" name="givenName" type="text" autocomplete="given-name" maxlength="200">
  <label for="familyName">Family name <span class="hint">(optional)</span></label>
  <input id="familyName" name="familyName" type="text" autocomplete="family-name" maxlength="200">
  <button type="submit">Create my account</button>
</form>`,
  );
}

export function verifyEmailPage(model: { token: string }): string {
  // Confirming takes a click: mail scanners that open links must not spend the token.
  return renderPage(
    'Confirm your email',
    `<h1>Confirm your email</h1>
<p class="sub">One click and your account is ready.</p>
<form method="post" action="/self-service/verify-email">
  ${hidden('token', model.token)}
  <button type="submit">Confirm my email</button>
</form>`,
  );
}

export function resetPasswordPage(model: { token: string; rule?: PasswordRule; error?: string }): string {
  const rule = model.rule ?? { minLength: 8, maxLength: 1024 };
  return renderPage(
    'Choose a new password',
    `<h1>Choose a new password</h1>
<p class="sub">Your other sessions will be signed out.</p>
${alert(model.error)}
<form method="post" action="/self-service/reset-password">
  ${hidden('token', model.token)}
  ${passwordField(rule, 'New password', 'new-password')}
  <button type="submit">Change my password</button>
</form>`,
  );
}

export function registerPage(model: { poolId: string; poolName: string; rule: PasswordRule; email?: string; error?: string }): string {
  return renderPage(
    'Create your account',
    `<h1>Create your account</h1>
<p class="sub">in ${escapeHtml(model.poolName)}</p>
${alert(model.error)}
<form method="post" action="/self-service/register">
  ${hidden('poolId', model.poolId)}
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="email" required maxlength="320" value="${escapeHtml(model.email ?? '')}">
  ${passwordField(model.rule, 'Password', 'new-password')}
  <label for="givenName">Given name <span class="hint">(optional)</span></label>
  <input id="givenName" name="givenName" type="text" autocomplete="given-name" maxlength="200">
  <label for="familyName">Family name <span class="hint">(optional)</span></label>
  <input id="familyName" name="familyName" type="text" autocomplete="family-name" maxlength="200">
  <button type="submit">Create my account</button>
</form>`,
  );
}
