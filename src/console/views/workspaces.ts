import { api, apiKey, isWorkspaceKey, listAll, Workspace } from '../api.js';
import { formatTime, h } from '../dom.js';
import { field, notice, onSubmit, text } from '../forms.js';
import { heading, routes, section, ViewContext } from '../ui.js';

/** The workspace picker: the root key sees every workspace and may create one. */
export async function workspacesView(ctx: ViewContext) {
  ctx.title('Workspaces');
  const workspaces = await listAll<Workspace>('/v1/workspaces');
  const root = !isWorkspaceKey(apiKey() ?? '');

  const list = workspaces.length
    ? h(
        'ul',
        { class: 'link-list' },
        workspaces.map((ws) =>
          h(
            'li',
            null,
            h('a', { href: routes.pools(ws.id), class: 'link-title' }, ws.name),
            ws.description && h('span', { class: 'muted' }, ws.description),
            h('span', { class: 'muted small' }, `Created ${formatTime(ws.createdAt)}`),
          ),
        ),
      )
    : notice('info', root ? 'There is no workspace yet. Create the first one: it holds your identity pools, groups and applications.' : 'This key sees no workspace.');

  const create = root
    ? section(
        'Create a workspace',
        'A workspace is a tenant: its pools, groups and applications are invisible to the others, and it has its own sign-in issuer.',
        onSubmit(
          h(
            'form',
            { class: 'stack' },
            field({ label: 'Name', name: 'name', required: true, props: { maxlength: 100, autocomplete: 'off' } }),
            field({ label: 'Description', name: 'description', optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
            h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create workspace')),
          ),
          async (form) => {
            const description = text(form, 'description');
            const created = await api.post<Workspace>('/v1/workspaces', { name: text(form, 'name'), ...(description && { description }) });
            ctx.announce(`Workspace ${created.name} created.`);
            ctx.navigate(routes.pools(created.id));
          },
        ),
      )
    : null;

  return h(
    'div',
    { class: 'narrow' },
    heading('Workspaces'),
    h('p', { class: 'lead' }, root ? 'Pick a workspace to manage, or create one.' : 'The workspace this key manages.'),
    section('Your workspaces', null, list),
    create,
  );
}
