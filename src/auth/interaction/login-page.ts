import { escapeHtml, renderPage } from './pages';

export interface LoginPageModel {
  action: string;
  applicationName: string;
  identifier?: string;
  error?: string;
}

/** The hosted login form: one POST form with `identifier` and `password`. */
export function renderLoginPage(model: LoginPageModel): string {
  const alert = model.error ? `<p class="alert" role="alert" id="form-error">${escapeHtml(model.error)}</p>` : '';
  const describedBy = model.error ? ' aria-describedby="form-error"' : '';
  return renderPage(
    'Sign in',
    `<h1>Sign in</h1>
<p class="sub">to continue to ${escapeHtml(model.applicationName)}</p>
${alert}
<form method="post" action="${escapeHtml(model.action)}" novalidate>
  <label for="identifier">Email or mobile number</label>
  <input id="identifier" name="identifier" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required autofocus value="${escapeHtml(model.identifier ?? '')}"${describedBy}>
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required${describedBy}>
  <button type="submit">Sign in</button>
</form>`,
  );
}
