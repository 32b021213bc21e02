/** What every screen gets from the shell, and the small pieces screens share. */
import type { Invitation, UserStatus } from './api.js';
import { Child, h, uid } from './dom.js';

export interface ViewContext {
  /** The route's parameters (ws, pool, user, group, job). */
  params: Record<string, string>;
  /** Aborted when the admin navigates away: stops polling and late renders. */
  signal: AbortSignal;
  /** Says something to screen readers (and shows it briefly). */
  announce(message: string): void;
  navigate(hash: string): void;
  /** Renders the current route again (after a change that affects the whole screen). */
  refresh(): void;
  /** A success message shown at the top of the next screen rendered (after refresh or navigate). */
  flash(message: string): void;
  /** Sets the browser tab's title. */
  title(text: string): void;
  /** The workspace was renamed: the header reads its name again. */
  workspaceRenamed(): void;
}

export type View = (ctx: ViewContext) => Promise<Child>;

/** Hash routes: `#/w/{ws}/pools/{pool}/users`, built here so screens never concatenate them. */
export const routes = {
  login: '#/login',
  workspaces: '#/workspaces',
  pools: (ws: string) => `#/w/${ws}/pools`,
  pool: (ws: string, pool: string, tab: 'users' | 'settings' | 'migration' = 'users') => `#/w/${ws}/pools/${pool}/${tab}`,
  user: (ws: string, pool: string, user: string) => `#/w/${ws}/pools/${pool}/users/${user}`,
  importJob: (ws: string, pool: string, job: string) => `#/w/${ws}/pools/${pool}/migration/${job}`,
  groups: (ws: string) => `#/w/${ws}/groups`,
  group: (ws: string, group: string) => `#/w/${ws}/groups/${group}`,
  authentication: (ws: string) => `#/w/${ws}/authentication`,
  workspaceSettings: (ws: string) => `#/w/${ws}/settings`,
};

/** The screen's heading, focusable so navigation can move the focus to it. */
export function heading(text: string, ...after: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h1', { tabindex: -1 }, text), ...after);
}

export function breadcrumbs(...items: [string, string | null][]): HTMLElement {
  return h(
    'nav',
    { class: 'breadcrumbs', 'aria-label': 'Breadcrumb' },
    h(
      'ol',
      null,
      items.map(([label, href], i) =>
        h('li', null, href ? h('a', { href }, label) : h('span', { 'aria-current': i === items.length - 1 ? 'page' : null }, label)),
      ),
    ),
  );
}

const STATUS_TEXT: Record<UserStatus, string> = {
  invited: 'Invited',
  pending_verification: 'Email not verified',
  active: 'Active',
  disabled: 'Disabled',
};

export function statusBadge(status: UserStatus): HTMLElement {
  return h('span', { class: `badge badge-${status}` }, STATUS_TEXT[status] ?? status);
}

const INVITATION_TEXT: Record<Invitation['status'], string> = {
  queued: 'Queued for sending',
  sent: 'Sent',
  failed: 'Delivery failed',
  accepted: 'Accepted',
  expired: 'Expired',
};

export function invitationText(invitation: Invitation | null): string {
  return invitation ? (INVITATION_TEXT[invitation.status] ?? invitation.status) : '—';
}

export function badge(text: string, kind: 'ok' | 'warn' | 'off' | 'info' = 'info'): HTMLElement {
  return h('span', { class: `badge badge-${kind}` }, text);
}

/** A section with an h2 (and an optional description under it). */
export function section(title: string, description: Child, ...children: Child[]): HTMLElement {
  const id = uid('section');
  return h(
    'section',
    { class: 'card', 'aria-labelledby': id },
    h('h2', { id }, title),
    description && h('p', { class: 'section-help' }, description),
    ...children,
  );
}

/** Waits, unless the screen is left first. */
export function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new DOMException('left', 'AbortError'));
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      reject(new DOMException('left', 'AbortError'));
    });
  });
}
