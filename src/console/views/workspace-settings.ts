import { api, ApiKey, apiKey, isWorkspaceKey, listAll, paths, Workspace } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import { confirmButton, copyable, field, notice, onSubmit, problemBox, text } from '../forms.js';
import { heading, routes, section, ViewContext } from '../ui.js';

/** Workspace → Settings: its name, the API keys that manage it, and (root key only) its deletion. */
export async function workspaceSettingsView(ctx: ViewContext) {
  const { ws } = ctx.params;
  const p = paths(ws);
  ctx.title('Workspace settings');
  const [workspace, keys] = await Promise.all([api.get<Workspace>(p.workspace), listAll<ApiKey>(p.apiKeys)]);
  const root = !isWorkspaceKey(apiKey() ?? '');

  const details = onSubmit(
    h(
      'form',
      { class: 'stack' },
      field({ label: 'Name', name: 'name', value: workspace.name, required: true, props: { maxlength: 100, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', value: workspace.description, optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')),
    ),
    async (form) => {
      await api.patch<Workspace>(p.workspace, { name: text(form, 'name'), description: text(form, 'description') || null });
      ctx.workspaceRenamed();
      ctx.flash('Workspace saved.');
      ctx.refresh();
    },
  );

  const remove = h('div');
  mount(
    remove,
    confirmButton(
      'Delete workspace',
      `Delete ${workspace.name}? Its pools and users, groups, API keys, connections and applications are deleted, and its issuer stops. This cannot be undone.`,
      async () => {
        await api.delete(p.workspace);
        ctx.workspaceRenamed();
        ctx.flash(`Workspace ${workspace.name} deleted.`);
        ctx.navigate(routes.workspaces);
      },
      (error) => remove.append(problemBox(error)),
    ),
  );

  return h(
    'div',
    { class: 'narrow' },
    heading('Workspace settings'),
    section('Workspace', null, details),
    apiKeysSection(ctx, keys),
    root && section('Delete workspace', null, remove),
  );
}

/** The keys that manage this workspace (and only it): created with the key shown once, revoked at once. */
function apiKeysSection(ctx: ViewContext, keys: ApiKey[]): HTMLElement {
  const p = paths(ctx.params.ws);
  const created = h('div');
  const inUse = apiKey() ?? '';

  const row = (key: ApiKey): HTMLElement => {
    const revoke = h('div');
    const yours = isWorkspaceKey(inUse) && inUse.startsWith(key.prefix);
    mount(
      revoke,
      confirmButton(
        'Revoke',
        `Revoke ${key.name}? Programs using it are refused at once.${yours ? ' It may be the key this console is signed in with: you would be signed out.' : ''}`,
        async () => {
          await api.delete(p.apiKey(key.id));
          ctx.flash(`API key ${key.name} revoked.`);
          ctx.refresh();
        },
        (error) => revoke.append(problemBox(error)),
      ),
    );
    return h(
      'li',
      { class: 'api-key' },
      h('span', { class: 'link-title' }, key.name),
      h('span', null, h('code', null, `${key.prefix}…`)),
      h('span', { class: 'muted small' }, `Created ${formatTime(key.createdAt)} · ${key.lastUsedAt ? `last used ${formatTime(key.lastUsedAt)}` : 'never used'}`),
      revoke,
    );
  };

  /** The one time a key is on screen. */
  const showKey = (key: ApiKey): void => {
    const title = h('h3', { tabindex: -1 }, `API key ${key.name} created`);
    mount(
      created,
      h(
        'div',
        { class: 'notice notice-success secret', role: 'region', 'aria-label': `${key.name} key` },
        title,
        h('p', null, h('strong', null, 'Copy the key now: '), 'it is shown only this once and cannot be read again. Programs send it as a bearer token.'),
        h('dl', { class: 'facts' }, h('div', null, h('dt', null, 'API key'), h('dd', { class: 'api-key-value' }, copyable(key.key!, 'Copy key')))),
        h('button', { type: 'button', class: 'secondary', onclick: () => ctx.refresh() }, 'I have copied it — done'),
      ),
    );
    title.focus();
  };

  const form = onSubmit(
    h(
      'form',
      { class: 'stack' },
      h('h3', null, 'Create an API key'),
      field({ label: 'Name', name: 'name', required: true, hint: 'What uses it, such as "provisioning script".', props: { maxlength: 100, autocomplete: 'off' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create key')),
    ),
    async (form) => {
      const key = await api.post<ApiKey>(p.apiKeys, { name: text(form, 'name') });
      form.reset();
      showKey(key);
      ctx.announce(`API key ${key.name} created. Copy it now; it is shown only once.`);
    },
  );

  return section(
    'API keys',
    'A workspace key manages this workspace only, through the API or this console; other workspaces do not exist for it.',
    created,
    keys.length ? h('ul', { class: 'link-list' }, keys.map(row)) : notice('info', 'No API key yet.'),
    form,
  );
}
