import { api, IdentityProvider, listAll, paths, Pool } from '../api.js';
import { formatTime, h } from '../dom.js';
import { field, notice, onSubmit, text } from '../forms.js';
import { badge, heading, routes, section, ViewContext } from '../ui.js';

/**
 * Why a pool's users cannot sign in yet, if they cannot: no authentication method, or
 * the pool is not connected (or not enabled) as an authentication provider.
 */
export function poolSecurityNotes(ws: string, pool: Pool, provider: IdentityProvider | undefined): HTMLElement[] {
  const notes: HTMLElement[] = [];
  if (pool.authenticationMechanisms.length === 0) {
    notes.push(
      notice(
        'warning',
        h('strong', null, 'No authentication method. '),
        'Users of this pool have no way to prove who they are, so nobody can sign in. ',
        h('a', { href: routes.pool(ws, pool.id, 'settings') }, 'Choose a method in the pool settings'),
        '.',
      ),
    );
  }
  if (!provider) {
    notes.push(
      notice(
        'warning',
        h('strong', null, 'Not connected. '),
        'Users cannot access applications until the pool is connected as an authentication provider. ',
        h('a', { href: routes.authentication(ws) }, 'Connect it under Authentication'),
        '.',
      ),
    );
  } else if (!provider.enabled) {
    notes.push(
      notice(
        'warning',
        h('strong', null, 'Connection disabled. '),
        'The pool is connected as an authentication provider but disabled: its users cannot sign in to applications. ',
        h('a', { href: routes.authentication(ws) }, 'Enable it under Authentication'),
        '.',
      ),
    );
  }
  return notes;
}

/** Users → the workspace's identity pools: create one, see which are ready and which can sign in. */
export async function poolsView(ctx: ViewContext) {
  const { ws } = ctx.params;
  const p = paths(ws);
  ctx.title('Users');
  const [pools, providers] = await Promise.all([listAll<Pool>(p.pools), listAll<IdentityProvider>(p.providers)]);
  const providerOf = new Map(providers.map((provider) => [provider.poolId, provider]));

  const list = pools.length
    ? h(
        'ul',
        { class: 'pool-list' },
        pools.map((pool) => {
          const provider = providerOf.get(pool.id);
          const signIn = provider?.enabled && pool.authenticationMechanisms.length > 0;
          return h(
            'li',
            { class: 'pool' },
            h(
              'div',
              { class: 'pool-head' },
              h('h3', null, h('a', { href: routes.pool(ws, pool.id) }, pool.name)),
              badge('Ready to add users', 'ok'),
              signIn ? badge('Sign-in connected', 'ok') : badge('Cannot sign in yet', 'warn'),
            ),
            pool.description && h('p', null, pool.description),
            h('p', { class: 'muted small' }, `Created ${formatTime(pool.createdAt)} · passwords of ${pool.passwordPolicy.minLength}–${pool.passwordPolicy.maxLength} characters`),
            ...poolSecurityNotes(ws, pool, provider),
            h('p', { class: 'actions' }, h('a', { href: routes.pool(ws, pool.id), class: 'button-link' }, `Add users to ${pool.name}`)),
          );
        }),
      )
    : notice('info', 'No identity pool yet. Create one below: users always belong to a pool.');

  const create = onSubmit(
    h(
      'form',
      { class: 'stack' },
      field({ label: 'Name', name: 'name', required: true, hint: 'Unique in this workspace, e.g. “Customers” or “Staff”.', props: { maxlength: 100, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
      h('p', { class: 'hint' }, 'New pools accept passwords of at least 8 characters and lock an account for 15 minutes after 5 failed sign-ins; change that in the pool’s settings.'),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create pool')),
    ),
    async (form) => {
      const description = text(form, 'description');
      const pool = await api.post<Pool>(p.pools, { name: text(form, 'name'), ...(description && { description }) });
      ctx.flash(`Pool ${pool.name} created. It is ready to add users.`);
      ctx.refresh();
    },
  );

  return h(
    'div',
    null,
    heading('Users'),
    h('p', { class: 'lead' }, 'Users live in identity pools. Each pool has its own password policy, lockout and sign-up settings. Open a pool to add and manage its users.'),
    h('div', { class: 'columns' }, section('Identity pools', null, list), section('Create pool', null, create)),
  );
}
