import { api, IdentityProvider, listAll, paths, Pool } from '../api.js';
import { Child, h } from '../dom.js';
import { breadcrumbs, heading, routes } from '../ui.js';
import { poolSecurityNotes } from './pools.js';

export type PoolTab = 'users' | 'settings' | 'migration';

/** The pool and its provider (if connected), for the pool's screens. */
export async function loadPool(ws: string, poolId: string): Promise<{ pool: Pool; provider: IdentityProvider | undefined }> {
  const p = paths(ws);
  const [pool, providers] = await Promise.all([api.get<Pool>(p.pool(poolId)), listAll<IdentityProvider>(p.providers)]);
  return { pool, provider: providers.find((provider) => provider.poolId === poolId) };
}

/** A pool's screens share a heading, its security notes and the tabs Users · Settings · Migration. */
export function poolFrame(ws: string, pool: Pool, provider: IdentityProvider | undefined, tab: PoolTab, ...content: Child[]): HTMLElement {
  const tabs: [PoolTab, string][] = [
    ['users', 'Users'],
    ['settings', 'Settings'],
    ['migration', 'Migration'],
  ];
  return h(
    'div',
    null,
    breadcrumbs(['Users', routes.pools(ws)], [pool.name, null]),
    heading(pool.name),
    pool.description && h('p', { class: 'lead' }, pool.description),
    ...poolSecurityNotes(ws, pool, provider),
    h(
      'nav',
      { class: 'tabs', 'aria-label': `${pool.name} pool` },
      h(
        'ul',
        null,
        tabs.map(([id, label]) => h('li', null, h('a', { href: routes.pool(ws, pool.id, id), 'aria-current': id === tab ? 'page' : null }, label))),
      ),
    ),
    ...content,
  );
}
