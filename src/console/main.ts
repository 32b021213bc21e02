/**
 * The console's shell: hash routes (the server serves one page), the header with the
 * workspace's sections, focus and announcements on navigation, and sign-out.
 */
import { api, apiKey, isWorkspaceKey, setApiKey, whenUnauthorized, Workspace } from './api.js';
import { Child, h, mount } from './dom.js';
import { problemBox } from './forms.js';
import { routes, View, ViewContext } from './ui.js';
import { authenticationView } from './views/authentication.js';
import { groupsView } from './views/groups.js';
import { loginView, signInAgain } from './views/login.js';
import { migrationView } from './views/migration.js';
import { poolSettingsView } from './views/pool-settings.js';
import { poolUsersView } from './views/pool-users.js';
import { poolsView } from './views/pools.js';
import { userView } from './views/user.js';
import { workspaceSettingsView } from './views/workspace-settings.js';
import { workspacesView } from './views/workspaces.js';

type Section = 'users' | 'groups' | 'authentication' | 'settings' | null;

interface Route {
  pattern: RegExp;
  names: string[];
  view: View;
  section: Section;
}

const ID = '([^/]+)';
function route(path: string, view: View, section: Section): Route {
  const names: string[] = [];
  const source = path.replace(/:(\w+)/g, (_m, name: string) => {
    names.push(name);
    return ID;
  });
  return { pattern: new RegExp(`^${source}$`), names, view, section };
}

const ROUTES: Route[] = [
  route('/workspaces', workspacesView, null),
  route('/w/:ws/pools', poolsView, 'users'),
  route('/w/:ws/pools/:pool/users', poolUsersView, 'users'),
  route('/w/:ws/pools/:pool/users/:user', userView, 'users'),
  route('/w/:ws/pools/:pool/settings', poolSettingsView, 'users'),
  route('/w/:ws/pools/:pool/migration', migrationView, 'users'),
  route('/w/:ws/pools/:pool/migration/:job', migrationView, 'users'),
  route('/w/:ws/groups', groupsView, 'groups'),
  route('/w/:ws/groups/:group', groupsView, 'groups'),
  route('/w/:ws/authentication', authenticationView, 'authentication'),
  route('/w/:ws/settings', workspaceSettingsView, 'settings'),
];

/** Short forms that land on a screen: `#/w/{ws}` and `#/w/{ws}/pools/{pool}`. */
function canonical(path: string): string {
  const pool = /^\/w\/([^/]+)\/pools\/([^/]+)$/.exec(path);
  if (pool) return `/w/${pool[1]}/pools/${pool[2]}/users`;
  const ws = /^\/w\/([^/]+)\/?$/.exec(path);
  if (ws) return `/w/${ws[1]}/pools`;
  return path;
}

const root = document.getElementById('app')!;
const announcer = document.getElementById('announcer')!;
const workspaceNames = new Map<string, string>();
let current: AbortController | null = null;
let lastPath: string | null = null;
let flashed: string | null = null;
let rendered = false;

function announce(message: string): void {
  // Cleared first, so the same message twice is read twice.
  announcer.textContent = '';
  setTimeout(() => (announcer.textContent = message), 50);
}

function navigate(hash: string): void {
  if (location.hash === hash) void render();
  else location.hash = hash;
}

function signOut(message?: string): void {
  setApiKey(null);
  workspaceNames.clear();
  if (message) signInAgain(message);
  navigate(routes.login);
}

// The API's 401 detail speaks to programs ("send … as `Authorization: Bearer`"): say it for a person.
whenUnauthorized(() => signOut('Your API key is no longer accepted: it was revoked, or the service now has another root key. Sign in again with a valid key.'));

async function workspaceName(ws: string): Promise<string> {
  if (!workspaceNames.has(ws)) workspaceNames.set(ws, (await api.get<Workspace>(`/v1/workspaces/${encodeURIComponent(ws)}`)).name);
  return workspaceNames.get(ws)!;
}

function header(ws: string | null, wsName: string | null, active: Section): HTMLElement {
  const link = (section: Exclude<Section, null>, label: string, href: string) =>
    h('li', null, h('a', { href, 'aria-current': active === section ? 'page' : null }, label));
  const rootKey = !isWorkspaceKey(apiKey() ?? '');
  return h(
    'header',
    { class: 'topbar' },
    h('a', { class: 'skip', href: '#main', onclick: skipToContent }, 'Skip to content'),
    h('span', { class: 'brand' }, 'Identity Pools'),
    ws &&
      h(
        'div',
        { class: 'workspace' },
        h('span', { class: 'muted small' }, 'Workspace'),
        rootKey ? h('a', { href: routes.workspaces, title: 'Switch workspace' }, wsName ?? ws) : h('strong', null, wsName ?? ws),
      ),
    ws &&
      h(
        'nav',
        { 'aria-label': 'Workspace' },
        h(
          'ul',
          null,
          link('users', 'Users', routes.pools(ws)),
          link('groups', 'Groups', routes.groups(ws)),
          link('authentication', 'Authentication', routes.authentication(ws)),
          link('settings', 'Settings', routes.workspaceSettings(ws)),
        ),
      ),
    h('button', { type: 'button', class: 'secondary signout', onclick: () => signOut() }, 'Sign out'),
  );
}

function skipToContent(event: Event): void {
  event.preventDefault();
  document.getElementById('main')?.focus();
}

async function render(): Promise<void> {
  current?.abort();
  const controller = new AbortController();
  current = controller;
  const path = canonical(location.hash.replace(/^#/, '') || '/');
  if (`#${path}` !== location.hash && path !== '/') history.replaceState(null, '', `#${path}`);
  const navigated = path !== lastPath;
  lastPath = path;

  const ctx = (params: Record<string, string>): ViewContext => ({
    params,
    signal: controller.signal,
    announce,
    navigate,
    refresh: () => void render(),
    flash: (message) => (flashed = message),
    title: (text) => (document.title = `${text} – Identity Pools console`),
    workspaceRenamed: () => workspaceNames.clear(),
  });

  if (!apiKey() || path === routes.login.slice(1)) {
    if (apiKey()) return navigate(routes.workspaces);
    if (path !== routes.login.slice(1)) history.replaceState(null, '', routes.login);
    return show(await loginView(ctx({})), null, null, null, true);
  }
  if (path === '/') return navigate(routes.workspaces);

  const match = ROUTES.map((r) => ({ r, m: r.pattern.exec(path) })).find(({ m }) => m);
  if (!match) {
    return show(h('div', { class: 'narrow' }, h('h1', { tabindex: -1 }, 'Not found'), h('p', null, h('a', { href: routes.workspaces }, 'Go to your workspaces'))), null, null, null, true);
  }
  const params: Record<string, string> = {};
  match.r.names.forEach((name, i) => (params[name] = decodeURIComponent(match.m![i + 1])));
  const ws = params.ws ?? null;

  // The previous screen stays until the next one is ready; the page says it is busy.
  root.setAttribute('aria-busy', 'true');
  let content: Child;
  let wsName: string | null = null;
  try {
    [content, wsName] = await Promise.all([match.r.view(ctx(params)), ws ? workspaceName(ws) : Promise.resolve(null)]);
  } catch (error) {
    if ((error as Error).name === 'AbortError') return;
    content = h('div', { class: 'narrow' }, h('h1', { tabindex: -1 }, 'This page could not be loaded'), problemBox(error), h('p', null, h('a', { href: routes.workspaces }, 'Go to your workspaces')));
  } finally {
    root.removeAttribute('aria-busy');
  }
  if (controller.signal.aborted) return;
  show(content, ws, wsName, match.r.section, navigated);
}

function show(content: Child, ws: string | null, wsName: string | null, section: Section, navigated: boolean): void {
  const focused = document.activeElement;
  // Shown on the screen and said by the announcer (a live region that arrives with its text is not read).
  const message = flashed && h('p', { class: 'notice notice-success flash' }, flashed);
  if (flashed) announce(flashed);
  flashed = null;
  const main = h('main', { id: 'main', tabindex: -1 }, message, content);
  mount(root, apiKey() ? header(ws, wsName, section) : null, main);
  // A new screen: the focus goes to its autofocus field or its heading, so keyboard and
  // screen reader users start where a page load would put them. The first screen after a
  // real page load leaves the focus at the top (the skip link comes first), as any page does.
  const firstLoad = !rendered;
  rendered = true;
  const autofocus = main.querySelector<HTMLElement>('[autofocus]');
  if (autofocus) autofocus.focus();
  else if (!firstLoad && (navigated || !focused || !root.contains(focused))) main.querySelector<HTMLElement>('h1')?.focus();
}

window.addEventListener('hashchange', () => void render());
void render();
