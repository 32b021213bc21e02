import { api, Page, paths, Pool, User, userLabel } from '../api.js';
import { Child, formatTime, h, mount, uid } from '../dom.js';
import { field, onSubmit, problemBox, select, text } from '../forms.js';
import { invitationText, routes, section, statusBadge, ViewContext } from '../ui.js';
import { loadPool, poolFrame } from './pool-frame.js';

const PAGE_SIZE = 20;

/** What the pool's password policy asks for, in words. */
export function policyHint(pool: Pool): string {
  return `At least ${pool.passwordPolicy.minLength} characters, at most ${pool.passwordPolicy.maxLength}.`;
}

/** Pool → Users: create users (by invitation or with a password), and a searchable, paged list. */
export async function poolUsersView(ctx: ViewContext) {
  const { ws, pool: poolId } = ctx.params;
  const p = paths(ws);
  const { pool, provider } = await loadPool(ws, poolId);
  ctx.title(`${pool.name} – Users`);

  // The list: search, status filter, pages by cursor (a stack of the cursors that led here).
  // The summary line is the live region (not the table, which would be read out whole).
  const summaryLine = h('p', { class: 'muted summary', role: 'status', tabindex: -1 });
  const results = h('div', { class: 'results' });
  const cursors: (string | null)[] = [null];
  let query = { search: '', status: '' };

  // While an invitation is queued, the list looks again every few seconds until it is sent
  // (unless the admin is working in the list: the focus stays where it is).
  let follow: ReturnType<typeof setTimeout> | undefined;
  let follows = 0;
  ctx.signal.addEventListener('abort', () => clearTimeout(follow));

  async function load(): Promise<void> {
    const cursor = cursors[cursors.length - 1];
    clearTimeout(follow);
    results.setAttribute('aria-busy', 'true');
    try {
      const page = await api.get<Page<User>>(p.users(poolId), { ...query, limit: PAGE_SIZE, cursor }, ctx.signal);
      mount(results, usersTable(page));
      if (page.items.some((user) => user.invitation?.status === 'queued') && follows++ < 20) {
        const tick = (): void => {
          if (results.contains(document.activeElement)) follow = setTimeout(tick, 2000);
          else void load();
        };
        follow = setTimeout(tick, 2000);
      }
    } catch (error) {
      if ((error as Error).name !== 'AbortError') mount(results, problemBox(error));
    } finally {
      results.removeAttribute('aria-busy');
    }
  }

  function usersTable(page: Page<User>): Child[] {
    const number = cursors.length;
    const summary = page.items.length
      ? `Page ${number}: ${page.items.length} user${page.items.length === 1 ? '' : 's'}${query.search ? ` matching “${query.search}”` : ''}.`
      : query.search || query.status
        ? 'No user matches.'
        : 'No user in this pool yet. Create the first one above, or import users under Migration.';
    const previous = h('button', { type: 'button', class: 'secondary', disabled: number === 1 }, 'Previous page');
    const next = h('button', { type: 'button', class: 'secondary', disabled: !page.nextCursor }, 'Next page');
    // The buttons are rebuilt with the page; the focus goes to the new page's summary.
    const turn = async (): Promise<void> => {
      await load();
      summaryLine.focus();
    };
    previous.addEventListener('click', () => {
      cursors.pop();
      void turn();
    });
    next.addEventListener('click', () => {
      cursors.push(page.nextCursor);
      void turn();
    });
    if (summaryLine.textContent !== summary) summaryLine.textContent = summary;
    return [
      page.items.length > 0 &&
        h(
          'table',
          { class: 'table' },
          h('caption', { class: 'visually-hidden' }, `Users of ${pool.name}`),
          h('thead', null, h('tr', null, ['User', 'Mobile', 'Status', 'Invitation', 'Last sign-in'].map((c) => h('th', { scope: 'col' }, c)))),
          h(
            'tbody',
            null,
            page.items.map((user) =>
              h(
                'tr',
                null,
                h(
                  'td',
                  null,
                  h('a', { href: routes.user(ws, poolId, user.id) }, userLabel(user)),
                  user.email && userLabel(user) !== user.email && h('div', { class: 'muted small' }, user.email),
                ),
                h('td', null, user.mobile ?? '—'),
                h('td', null, statusBadge(user.status), user.lockedUntil && h('span', { class: 'badge badge-warn' }, 'Locked')),
                h('td', null, invitationText(user.invitation)),
                h('td', null, formatTime(user.lastSignInAt)),
              ),
            ),
          ),
        ),
      (number > 1 || page.nextCursor) && h('div', { class: 'actions pager' }, previous, h('span', { class: 'muted' }, `Page ${number}`), next),
    ];
  }

  const statuses: [string, string][] = [
    ['', 'Any status'],
    ['invited', 'Invited'],
    ['pending_verification', 'Email not verified'],
    ['active', 'Active'],
    ['disabled', 'Disabled'],
  ];
  const search = h(
    'form',
    { class: 'filters', role: 'search', 'aria-label': 'Users' },
    field({ label: 'Search users', name: 'search', type: 'search', hint: 'Start of an email, mobile number or name.', props: { autocomplete: 'off' } }),
    select({ label: 'Status', name: 'status', choices: statuses }),
    h('div', { class: 'actions' }, h('button', { type: 'submit', class: 'secondary' }, 'Search')),
  );
  const apply = (): void => {
    query = { search: text(search, 'search'), status: text(search, 'status') };
    cursors.splice(1);
    void load();
  };
  let typing: ReturnType<typeof setTimeout> | undefined;
  search.addEventListener('submit', (event) => {
    event.preventDefault();
    apply();
  });
  search.addEventListener('input', (event) => {
    clearTimeout(typing);
    typing = setTimeout(apply, (event.target as HTMLElement).tagName === 'SELECT' ? 0 : 300);
  });

  // Create user: a panel that opens from the button, as in the guide.
  const panelId = uid('create-user');
  const toggle = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': panelId }, 'Create user');
  const form = createUserForm(pool, async (user) => {
    ctx.announce(`${userLabel(user)} created.`);
    cursors.splice(1);
    await load();
  }, p.users(poolId), ws);
  const panel = section('Create user', 'An email address or a mobile number is required (or both); the names are optional.', form);
  panel.id = panelId;
  panel.hidden = true;
  toggle.addEventListener('click', () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute('aria-expanded', String(!panel.hidden));
    if (!panel.hidden) panel.querySelector<HTMLInputElement>('input')?.focus();
  });
  const close = h('button', { type: 'button', class: 'secondary' }, 'Close');
  close.addEventListener('click', () => {
    panel.hidden = true;
    toggle.setAttribute('aria-expanded', 'false');
    toggle.focus();
  });
  form.querySelector('.actions')?.append(close);

  await load();
  return poolFrame(
    ws,
    pool,
    provider,
    'users',
    h('div', { class: 'toolbar' }, toggle),
    panel,
    section('Users', null, search, summaryLine, results),
  );
}

function createUserForm(pool: Pool, created: (user: User) => Promise<void>, usersPath: string, ws: string): HTMLFormElement {
  const passwordField = field({
    label: 'Password',
    name: 'credential.password',
    type: 'password',
    hint: policyHint(pool),
    props: { autocomplete: 'new-password' },
  });
  passwordField.hidden = true;
  const mode = (value: string, label: string, hint: string, checked: boolean) => {
    const id = uid('mode');
    return h(
      'div',
      { class: 'check' },
      h('input', { type: 'radio', id, name: 'credential.mode', value, checked, 'aria-describedby': `${id}-hint` }),
      h('label', { for: id }, label),
      h('p', { class: 'hint', id: `${id}-hint` }, hint),
    );
  };
  const result = h('div', { class: 'created' });
  const form = h(
    'form',
    { class: 'stack' },
    h(
      'div',
      { class: 'grid-2' },
      field({ label: 'Email', name: 'email', type: 'email', hint: 'Needed to send an invitation.', props: { autocomplete: 'off' } }),
      field({ label: 'Mobile', name: 'mobile', type: 'tel', hint: 'International format, e.g. +14155550100.', props: { autocomplete: 'off' } }),
      field({ label: 'Given name', name: 'givenName', optional: true, props: { autocomplete: 'off' } }),
      field({ label: 'Family name', name: 'familyName', optional: true, props: { autocomplete: 'off' } }),
      field({ label: 'Display name', name: 'name', optional: true, hint: 'Shown to applications as the “name” claim.', props: { autocomplete: 'off' } }),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Credentials'),
      mode('invitation', 'Send invitation', 'An email with a registration link; the user chooses a password. Needs an email address.', true),
      mode('password', 'Set a password', 'You choose the password now; the user can sign in at once.', false),
      passwordField,
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create user')),
    result,
  );
  form.addEventListener('change', (event) => {
    const target = event.target as HTMLInputElement;
    if (target.name !== 'credential.mode') return;
    passwordField.hidden = target.value !== 'password';
    if (!passwordField.hidden) passwordField.querySelector('input')?.focus();
  });
  onSubmit(form, async () => {
    mount(result);
    const modeValue = (form.querySelector<HTMLInputElement>('input[name="credential.mode"]:checked')?.value ?? 'invitation') as 'invitation' | 'password';
    const body: Record<string, unknown> = {
      credential: modeValue === 'password' ? { mode: 'password', password: (form.elements.namedItem('credential.password') as HTMLInputElement).value } : { mode: 'invitation' },
    };
    for (const name of ['email', 'mobile', 'givenName', 'familyName', 'name']) {
      const value = text(form, name);
      if (value) body[name] = value;
    }
    const user = await api.post<User>(usersPath, body);
    form.reset();
    passwordField.hidden = true;
    const how =
      modeValue === 'invitation'
        ? `An invitation email is on its way to ${user.email}; the user is “invited” until they choose a password.`
        : 'The user is active and can sign in now.';
    mount(result, h('p', { class: 'notice notice-success' }, h('strong', null, `${userLabel(user)} created. `), how, ' ', h('a', { href: routes.user(ws, pool.id, user.id) }, 'Open user')));
    (form.querySelector('input') as HTMLInputElement).focus();
    await created(user);
    return undefined;
  });
  return form;
}
