import { api, Group, listAll, Page, paths, Pool, User, userLabel } from '../api.js';
import { h, mount, uid } from '../dom.js';
import { confirmButton, field, notice, onSubmit, problemBox, text } from '../forms.js';
import { heading, routes, section, statusBadge, ViewContext } from '../ui.js';

const PER_POOL = 10;

/** Groups (of the workspace): create, select one, assign users from any pool, list and remove members. */
export async function groupsView(ctx: ViewContext) {
  const { ws, group: groupId } = ctx.params;
  const p = paths(ws);
  const [groups, pools] = await Promise.all([listAll<Group>(p.groups), listAll<Pool>(p.pools)]);
  ctx.title(groupId ? `${groups.find((g) => g.id === groupId)?.name ?? 'Group'} – Groups` : 'Groups');

  const list = groups.length
    ? h(
        'ul',
        { class: 'link-list' },
        groups.map((group) =>
          h(
            'li',
            null,
            h('a', { href: routes.group(ws, group.id), class: 'link-title', 'aria-current': group.id === groupId ? 'page' : null }, group.name),
            group.description && h('span', { class: 'muted' }, group.description),
          ),
        ),
      )
    : h('p', null, 'No group yet.');

  const create = onSubmit(
    h(
      'form',
      { class: 'stack' },
      field({ label: 'Name', name: 'name', required: true, hint: 'Unique in this workspace. Applications see it in the “groups” claim.', props: { maxlength: 100, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create group')),
    ),
    async (form) => {
      const description = text(form, 'description');
      const group = await api.post<Group>(p.groups, { name: text(form, 'name'), ...(description && { description }) });
      ctx.flash(`Group ${group.name} created. Assign users to it below.`);
      ctx.navigate(routes.group(ws, group.id));
    },
  );

  const group = groupId ? groups.find((g) => g.id === groupId) ?? (await api.get<Group>(p.group(groupId))) : null;
  const detail = group
    ? await groupDetail(ctx, group, pools)
    : section('Members', null, h('p', null, groups.length ? 'Select a group to see its members and assign users to it.' : 'Create a group first.'));

  return h(
    'div',
    null,
    heading('Groups'),
    h('p', { class: 'lead' }, 'Groups belong to the workspace: their members can come from any of its pools. Applications receive a user’s group names in the “groups” claim.'),
    h('div', { class: 'columns columns-narrow-wide' }, h('div', null, section('All groups', null, list), section('Create group', null, create)), detail),
  );
}

async function groupDetail(ctx: ViewContext, group: Group, pools: Pool[]): Promise<HTMLElement> {
  const { ws } = ctx.params;
  const p = paths(ws);
  const poolNames = new Map(pools.map((pool) => [pool.id, pool.name]));
  const membersPath = `${p.group(group.id)}/members`;
  const members = h('div', { class: 'members' });
  const memberMessage = h('div', { role: 'status' });

  async function loadMembers(): Promise<void> {
    const all: User[] = [];
    let cursor: string | null = null;
    do {
      const page: Page<User> = await api.get<Page<User>>(membersPath, { limit: 200, cursor }, ctx.signal);
      all.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    if (all.length === 0) return mount(members, h('p', null, 'No members yet. Use “Assign users” to add some.'));
    mount(
      members,
      h(
        'table',
        { class: 'table' },
        h('caption', { class: 'visually-hidden' }, `Members of ${group.name}`),
        h('thead', null, h('tr', null, ['User', 'Pool', 'Status', ''].map((c) => h('th', { scope: 'col' }, c)))),
        h(
          'tbody',
          null,
          all.map((user) => {
            const remove = h('button', { type: 'button', class: 'secondary small', 'aria-label': `Remove ${userLabel(user)} from ${group.name}` }, 'Remove');
            remove.addEventListener('click', async () => {
              remove.disabled = true;
              try {
                await api.delete(`${membersPath}/${encodeURIComponent(user.id)}`);
                mount(memberMessage, `${userLabel(user)} removed from ${group.name}.`);
                await loadMembers();
                members.querySelector<HTMLElement>('button')?.focus();
              } catch (error) {
                remove.disabled = false;
                mount(memberMessage, problemBox(error));
              }
            });
            return h(
              'tr',
              null,
              h('td', null, h('a', { href: routes.user(ws, user.poolId, user.id) }, userLabel(user)), user.email && userLabel(user) !== user.email && h('div', { class: 'muted small' }, user.email)),
              h('td', null, poolNames.get(user.poolId) ?? '—'),
              h('td', null, statusBadge(user.status)),
              h('td', { class: 'cell-actions' }, remove),
            );
          }),
        ),
      ),
    );
  }

  // Assign users: search every pool of the workspace, tick users, save them all at once.
  const selected = new Map<string, User>();
  const panelId = uid('assign');
  const open = h('button', { type: 'button', 'aria-expanded': 'false', 'aria-controls': panelId }, 'Assign users');
  const candidates = h('div', { class: 'candidates', 'aria-live': 'polite' });
  const count = h('p', { class: 'muted', role: 'status' }, 'No user selected.');
  const save = h('button', { type: 'submit', disabled: true }, 'Save');
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
  const finder = field({ label: 'Find users', name: 'search', type: 'search', hint: `Start of an email, mobile number or name, in every pool of this workspace (up to ${PER_POOL} per pool).`, props: { autocomplete: 'off' } });
  const assign = h('form', { class: 'stack assign', id: panelId, hidden: true, 'aria-label': `Assign users to ${group.name}` }, finder, candidates, count, h('div', { class: 'actions' }, save, cancel));

  const updateCount = (): void => {
    count.textContent = selected.size ? `${selected.size} user${selected.size === 1 ? '' : 's'} selected: ${[...selected.values()].map(userLabel).join(', ')}.` : 'No user selected.';
    save.disabled = selected.size === 0;
  };

  let searchRun = 0;
  async function find(): Promise<void> {
    const run = ++searchRun;
    const search = text(assign, 'search');
    try {
      const pages = await Promise.all(pools.map((pool) => api.get<Page<User>>(p.users(pool.id), { search, limit: PER_POOL }, ctx.signal)));
      if (run !== searchRun) return;
      const found = pages.flatMap((page) => page.items);
      if (found.length === 0) return mount(candidates, h('p', null, pools.length ? 'No user matches.' : 'This workspace has no pool, so no users yet.'));
      mount(
        candidates,
        h(
          'fieldset',
          null,
          h('legend', null, search ? `Users matching “${search}”` : 'Users'),
          found.map((user) => {
            const id = uid('candidate');
            const box = h('input', { type: 'checkbox', id, value: user.id, checked: selected.has(user.id) });
            box.addEventListener('change', () => {
              if (box.checked) selected.set(user.id, user);
              else selected.delete(user.id);
              updateCount();
            });
            return h(
              'div',
              { class: 'check' },
              box,
              h('label', { for: id }, userLabel(user), h('span', { class: 'muted' }, ` · ${[user.email !== userLabel(user) && user.email, poolNames.get(user.poolId)].filter(Boolean).join(' · ')}`)),
            );
          }),
        ),
      );
    } catch (error) {
      if ((error as Error).name !== 'AbortError') mount(candidates, problemBox(error));
    }
  }

  let typing: ReturnType<typeof setTimeout> | undefined;
  assign.addEventListener('input', (event) => {
    if ((event.target as HTMLInputElement).name !== 'search') return;
    clearTimeout(typing);
    typing = setTimeout(() => void find(), 250);
  });
  const close = (): void => {
    assign.hidden = true;
    open.setAttribute('aria-expanded', 'false');
    selected.clear();
    updateCount();
    open.focus();
  };
  open.addEventListener('click', () => {
    assign.hidden = !assign.hidden;
    open.setAttribute('aria-expanded', String(!assign.hidden));
    if (!assign.hidden) {
      void find();
      assign.querySelector<HTMLInputElement>('input')?.focus();
    }
  });
  cancel.addEventListener('click', close);
  onSubmit(assign, async () => {
    const names = [...selected.values()].map(userLabel);
    const result = await api.post<{ added: number; alreadyMembers: number }>(membersPath, { userIds: [...selected.keys()] });
    close();
    await loadMembers();
    const message = `Added ${result.added} to ${group.name}${result.alreadyMembers ? ` (${result.alreadyMembers} already ${result.alreadyMembers === 1 ? 'was a member' : 'were members'})` : ''}: ${names.join(', ')}.`;
    mount(memberMessage, notice('success', message));
  });
  // Searching on Enter: the search box submits nothing, it searches.
  finder.querySelector('input')!.addEventListener('keydown', (event) => {
    if (event.key === 'Enter') {
      event.preventDefault();
      void find();
    }
  });

  const edit = onSubmit(
    h(
      'form',
      { class: 'stack', 'aria-label': 'Name and description' },
      field({ label: 'Group name', name: 'name', value: group.name, required: true, props: { maxlength: 100, autocomplete: 'off' } }),
      field({ label: 'Group description', name: 'description', value: group.description, optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save')),
    ),
    async (form) => {
      const saved = await api.patch<Group>(p.group(group.id), { name: text(form, 'name'), description: text(form, 'description') || null });
      ctx.flash(`Group ${saved.name} saved.`);
      ctx.refresh();
    },
  );

  const remove = h('div');
  mount(
    remove,
    confirmButton(
      'Delete group',
      `Delete ${group.name}? Its members stay in their pools; only the group and its memberships go.`,
      async () => {
        await api.delete(p.group(group.id));
        ctx.flash(`Group ${group.name} deleted.`);
        ctx.navigate(routes.groups(ws));
      },
      (error) => remove.append(problemBox(error)),
    ),
  );

  await loadMembers();
  return h(
    'div',
    null,
    section(
      group.name,
      group.description,
      h('div', { class: 'toolbar' }, open),
      assign,
      memberMessage,
      h('h3', null, 'Members'),
      members,
    ),
    section('Name and description', null, edit),
    section('Delete group', null, remove),
  );
}
