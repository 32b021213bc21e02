import { ApiError, isWorkspaceKey, Page, request, setApiKey, Workspace } from '../api.js';
import { h } from '../dom.js';
import { field, notice, onSubmit } from '../forms.js';
import { heading, routes, ViewContext } from '../ui.js';

/** Why the admin is back on the sign-in screen (a key that stopped working). */
let reason: string | null = null;
export function signInAgain(message: string): void {
  reason = message;
}

export async function loginView(ctx: ViewContext) {
  ctx.title('Sign in');
  const form = h(
    'form',
    { class: 'stack', 'aria-labelledby': 'login-heading' },
    field({
      label: 'API key',
      name: 'key',
      type: 'password',
      required: true,
      hint: 'The root key (ROOT_API_KEY, or the one printed when the service starts) or a workspace key (ipk_…).',
      props: { autocomplete: 'off', spellcheck: 'false', autocapitalize: 'off', autofocus: true },
    }),
    h('button', { type: 'submit' }, 'Sign in'),
  );
  onSubmit(form, async () => {
    const key = (form.elements.namedItem('key') as HTMLInputElement).value.trim();
    if (!key) throw new ApiError({ title: 'Paste an API key', status: 0, errors: [{ field: 'key', message: 'The API key is required.' }] });
    // The key is checked by using it; it is stored only once it works.
    let page: Page<Workspace>;
    try {
      page = await request<Page<Workspace>>('GET', '/v1/workspaces', { key, query: { limit: 2 } });
    } catch (error) {
      // The API's 401 speaks to programs (“send a valid API key as Authorization: Bearer”); say it for a person.
      if (error instanceof ApiError && error.status === 401) {
        throw new ApiError({
          ...error.problem,
          title: 'This key was not accepted',
          detail: 'Paste the whole key: the root key (ROOT_API_KEY) or a workspace key that has not been revoked. Keys are case-sensitive.',
          errors: [{ field: 'key', message: 'Not a valid API key.' }],
        });
      }
      throw error;
    }
    setApiKey(key);
    reason = null;
    // A workspace key sees exactly its own workspace: go straight in.
    if (isWorkspaceKey(key) && page.items.length === 1) ctx.navigate(routes.pools(page.items[0].id));
    else ctx.navigate(routes.workspaces);
  });
  const shown = reason;
  return h(
    'div',
    { class: 'login' },
    h('div', { class: 'card login-card' }, [
      h('p', { class: 'brand-large' }, 'Identity Pools'),
      heading('Sign in to the console'),
      h('p', { class: 'sub', id: 'login-heading' }, 'Manage identity pools, users, groups and sign-in for your applications.'),
      shown && notice('warning', shown),
      form,
      h(
        'p',
        { class: 'hint' },
        'The key stays in this browser tab only (session storage) and is sent only in the Authorization header. Closing the tab or signing out forgets it.',
      ),
    ]),
  );
}
