import { api, ApiError, AuthorizedApplication, Group, listAll, paths, Pool, User, userLabel } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import { actionButton, confirmButton, field, notice, onSubmit, problemBox, textOrNull } from '../forms.js';
import { breadcrumbs, heading, invitationText, routes, section, sleep, statusBadge, ViewContext } from '../ui.js';
import { policyHint } from './pool-users.js';

const PROFILE_FIELDS = ['email', 'mobile', 'givenName', 'familyName', 'name'] as const;

/** A user: edit the profile, disable or enable, invitation and its delivery, password, groups, delete. */
export async function userView(ctx: ViewContext) {
  const { ws, pool: poolId, user: userId } = ctx.params;
  const p = paths(ws);
  const userPath = p.user(poolId, userId);
  const [pool, loaded, groups, firstApplications] = await Promise.all([
    api.get<Pool>(p.pool(poolId)),
    api.get<User>(userPath),
    listAll<Group>(`${userPath}/groups`),
    listAll<AuthorizedApplication>(`${userPath}/applications`),
  ]);
  let user = loaded;
  let authorized = firstApplications;

  const summary = h('div', { class: 'user-summary' });
  const access = h('div');
  const invitation = h('div', { 'aria-live': 'polite' });

  function renderSummary(): void {
    mount(
      summary,
      h(
        'dl',
        { class: 'facts' },
        h('div', null, h('dt', null, 'Status'), h('dd', null, statusBadge(user.status), user.lockedUntil && h('span', { class: 'badge badge-warn' }, `Locked until ${formatTime(user.lockedUntil)}`))),
        h('div', null, h('dt', null, 'Email'), h('dd', null, user.email ?? '—', user.email && (user.emailVerified ? ' (verified)' : ' (not verified)'))),
        h('div', null, h('dt', null, 'Mobile'), h('dd', null, user.mobile ?? '—')),
        h('div', null, h('dt', null, 'Last sign-in'), h('dd', null, formatTime(user.lastSignInAt))),
        h('div', null, h('dt', null, 'Created'), h('dd', null, formatTime(user.createdAt))),
        user.externalId && h('div', null, h('dt', null, 'External id'), h('dd', null, user.externalId)),
        h('div', null, h('dt', null, 'User id'), h('dd', null, h('code', null, user.id))),
      ),
    );
  }

  // The heading and breadcrumb follow the name as it is edited.
  const head = h('div');
  function renderHead(): void {
    mount(head, breadcrumbs(['Users', routes.pools(ws)], [pool.name, routes.pool(ws, poolId)], [userLabel(user), null]), heading(userLabel(user)));
    ctx.title(userLabel(user));
  }

  function update(next: User): void {
    const renamed = userLabel(next) !== userLabel(user);
    // Disabling or a new password ends the user's grants: the applications list follows.
    const grantsMayHaveEnded = next.status !== user.status || next.updatedAt !== user.updatedAt;
    user = next;
    if (grantsMayHaveEnded) void reloadApplications();
    if (renamed || !head.firstChild) renderHead();
    renderSummary();
    renderAccess();
    renderInvitation();
    renderResetByEmail();
    // A new address of an invited user queues a new invitation (as a re-send does): follow its delivery too.
    if (user.invitation?.status === 'queued') void follow();
  }

  function renderAccess(): void {
    const disabled = user.status === 'disabled';
    const toggle = h('button', { type: 'button', class: disabled ? '' : 'secondary' }, disabled ? 'Enable user' : 'Disable user');
    const message = h('div', { role: 'status' });
    toggle.addEventListener('click', async () => {
      toggle.disabled = true;
      try {
        update(await api.patch<User>(userPath, { status: disabled ? 'active' : 'disabled' }));
        ctx.announce(user.status === 'disabled' ? `${userLabel(user)} is disabled and cannot sign in.` : `${userLabel(user)} is enabled.`);
        access.querySelector<HTMLButtonElement>('button')?.focus();
      } catch (error) {
        toggle.disabled = false;
        // The API's 409 names the endpoint (PUT …/password); an admin needs the way out on this screen.
        if (disabled && error instanceof ApiError && error.status === 409) {
          const invite = user.email ? h('button', { type: 'button', class: 'secondary' }, 'Send a new invitation') : null;
          invite?.addEventListener('click', () => sendInvitation(invite, message));
          mount(
            message,
            problemBox(
              new ApiError({
                ...error.problem,
                title: `${userLabel(user)} has no password yet`,
                detail: `An enabled user without a password could not sign in. Set a password for them under “Set password” (that enables them too)${invite ? ', or send them a new invitation' : ''}.`,
              }),
            ),
            invite && h('div', { class: 'actions' }, invite),
          );
          password.querySelector<HTMLInputElement>('input[name="password"]')?.focus();
        } else {
          mount(message, problemBox(error));
        }
      }
    });
    // An address not yet proven (imported unverified, changed, or a registration whose link ran out).
    const verifiable = user.email && !user.emailVerified && (user.status === 'active' || user.status === 'pending_verification');
    const verify = verifiable
      ? actionButton('Email a verification link', message, async () => {
          await api.post<void>(`${userPath}/email-verifications`);
          return `A link to verify ${user.email} is on its way; it works for 24 hours.`;
        })
      : null;
    const unlock = user.lockedUntil ? h('button', { type: 'button', class: 'secondary' }, 'Unlock') : null;
    unlock?.addEventListener('click', async () => {
      try {
        update(await api.patch<User>(userPath, { lockedUntil: null }));
        ctx.announce('Unlocked.');
      } catch (error) {
        mount(message, problemBox(error));
      }
    });
    // Only an active user can hold sessions; a disabled one lost them when it was disabled.
    const signOut =
      user.status === 'active'
        ? actionButton('Sign out everywhere', message, async () => {
            await api.post<void>(`${userPath}/sign-out`);
            ctx.announce(`${userLabel(user)} is signed out everywhere.`);
            void reloadApplications();
            return 'Signed out everywhere: their sessions and refresh tokens have stopped working. They can sign in again.';
          })
        : null;
    mount(
      access,
      h(
        'p',
        null,
        disabled
          ? 'This user is disabled: they cannot sign in, and their sessions and refresh tokens have stopped working.'
          : user.status === 'invited'
            ? 'Disabling a user stops their sign-ins at once. An invited user’s invitation is withdrawn too: to enable them later, set their password or send a new invitation.'
            : 'Disabling a user stops their sign-ins at once and ends their sessions. Signing them out everywhere ends their sessions and refresh tokens in every application, and lets them sign in again.',
      ),
      h('div', { class: 'actions' }, toggle, signOut, verify, unlock),
      message,
    );
  }

  /** A new invitation (a disabled user who never chose a password becomes invited again); problems show in `message`. */
  async function sendInvitation(button: HTMLButtonElement, message: HTMLElement): Promise<void> {
    button.disabled = true;
    try {
      await api.post<void>(`${userPath}/invitations`);
      ctx.announce('A new invitation is queued. Earlier links stop working.');
      update(await api.get<User>(userPath));
    } catch (error) {
      button.disabled = false;
      mount(message, problemBox(error));
    }
  }

  // The invitation and its delivery: queued → sent (or failed), followed live after a re-send.
  let following = false;
  function renderInvitation(): void {
    const inv = user.invitation;
    const resend = h('button', { type: 'button', class: 'secondary' }, inv ? 'Re-send invitation' : 'Send invitation');
    const message = h('div');
    resend.addEventListener('click', () => sendInvitation(resend, message));
    const canSend = user.email && (user.status === 'invited' || (inv !== null && inv.status !== 'accepted'));
    mount(
      invitation,
      inv
        ? h(
            'dl',
            { class: 'facts' },
            h('div', null, h('dt', null, 'Delivery'), h('dd', { class: 'invitation-status' }, invitationText(inv))),
            h('div', null, h('dt', null, 'Sent'), h('dd', null, formatTime(inv.sentAt))),
            h('div', null, h('dt', null, 'Link expires'), h('dd', null, inv.status === 'accepted' ? '—' : formatTime(inv.expiresAt))),
          )
        : h(
            'p',
            null,
            // null also means withdrawn (API: address changed, user disabled, password set), not only "never invited".
            user.status === 'invited'
              ? 'The invitation was withdrawn when the email address changed: links sent earlier no longer work.'
              : 'No open invitation: the user was not invited (an admin set their password, or they signed up or were imported), or it was withdrawn when they were disabled or given a password.',
          ),
      inv?.status === 'failed' && notice('warning', 'The mail server did not accept the invitation after several attempts. Check the address and the service’s SMTP settings, then send it again.'),
      canSend && h('p', { class: 'hint' }, 'Sending again makes a new link; links sent earlier stop working.'),
      canSend && h('div', { class: 'actions' }, resend),
      message,
    );
  }

  async function follow(): Promise<void> {
    if (following) return;
    following = true;
    try {
      for (let i = 0; i < 30 && user.invitation?.status === 'queued'; i++) {
        await sleep(1000, ctx.signal);
        update(await api.get<User>(userPath, undefined, ctx.signal));
      }
      if (user.invitation) ctx.announce(`Invitation: ${invitationText(user.invitation).toLowerCase()}.`);
    } catch {
      // Left the screen, or the user is gone: nothing to follow.
    } finally {
      following = false;
    }
  }

  const profile = onSubmit(
    h(
      'form',
      { class: 'stack' },
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'Email', name: 'email', type: 'email', value: user.email, hint: 'Changing it marks the email as not verified.', props: { autocomplete: 'off' } }),
        field({ label: 'Mobile', name: 'mobile', type: 'tel', value: user.mobile, hint: 'International format, e.g. +14155550100.', props: { autocomplete: 'off' } }),
        field({ label: 'Given name', name: 'givenName', value: user.givenName, props: { autocomplete: 'off' } }),
        field({ label: 'Family name', name: 'familyName', value: user.familyName, props: { autocomplete: 'off' } }),
        field({ label: 'Display name', name: 'name', value: user.name, props: { autocomplete: 'off' } }),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save profile')),
    ),
    async (form) => {
      const changes: Record<string, string | null> = {};
      for (const name of PROFILE_FIELDS) {
        const value = textOrNull(form, name);
        if (value !== user[name]) changes[name] = value;
      }
      if (Object.keys(changes).length === 0) return 'Nothing changed.';
      update(await api.patch<User>(userPath, changes));
      return 'Profile saved.';
    },
  );

  const password = onSubmit(
    h(
      'form',
      { class: 'stack' },
      field({ label: 'New password', name: 'password', type: 'password', hint: policyHint(pool), props: { autocomplete: 'new-password' } }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Set password')),
    ),
    async (form) => {
      const input = form.elements.namedItem('password') as HTMLInputElement;
      await api.put<void>(`${userPath}/password`, { password: input.value });
      input.value = '';
      update(await api.get<User>(userPath));
      return 'Password set. The user is active and can sign in with it; their earlier sessions have ended.';
    },
  );

  // The link lets the user choose the password, where setting one above means telling it to them.
  const resetByEmail = h('div', { class: 'stack' });
  function renderResetByEmail(): void {
    if (!user.email || user.status === 'disabled') {
      mount(resetByEmail);
      return;
    }
    const message = h('div', { role: 'status' });
    const send = actionButton('Email a reset link', message, async () => {
      await api.post<void>(`${userPath}/password-resets`);
      return `A link to choose a new password is on its way to ${user.email}; it works for an hour. The current password works until then.`;
    });
    mount(resetByEmail, h('p', null, 'Or let the user choose one:'), h('div', { class: 'actions' }, send), message);
  }

  const applications = h('div', { 'aria-live': 'polite' });
  function renderApplications(): void {
    if (!authorized.length) {
      mount(applications, h('p', null, 'Not signed in to any application.'));
      return;
    }
    mount(
      applications,
      h(
        'ul',
        { class: 'stack' },
        authorized.map((app) => {
          const message = h('div', { role: 'status' });
          // Done, the item goes: the list re-renders without it, and the announcement says what happened.
          const revoke = actionButton('Revoke', message, async () => {
            await api.delete(`${userPath}/applications/${encodeURIComponent(app.id)}`);
            authorized = authorized.filter((other) => other !== app);
            renderApplications();
            const done = `${app.name} can no longer use ${userLabel(user)}’s sign-in; they can sign in to it again.`;
            ctx.announce(done);
            return done;
          });
          return h(
            'li',
            null,
            h('strong', null, app.name),
            h('p', null, `Authorized since ${formatTime(app.authorizedAt)}; scopes ${app.scopes.join(', ')}.`),
            h('div', { class: 'actions' }, revoke),
            message,
          );
        }),
      ),
    );
  }
  renderApplications();

  async function reloadApplications(): Promise<void> {
    authorized = await listAll<AuthorizedApplication>(`${userPath}/applications`).catch(() => authorized);
    renderApplications();
  }

  const groupList = groups.length
    ? h('ul', { class: 'chips' }, groups.map((group) => h('li', null, h('a', { href: routes.group(ws, group.id) }, group.name))))
    : h('p', null, 'Not in any group.');

  const remove = h('div', { 'aria-live': 'polite' });
  mount(
    remove,
    confirmButton(
      'Delete user',
      `Delete ${userLabel(user)}? Their password, group memberships and invitations are deleted too. This cannot be undone.`,
      async () => {
        await api.delete(userPath);
        ctx.flash(`${userLabel(user)} deleted.`);
        ctx.navigate(routes.pool(ws, poolId));
      },
      (error) => remove.append(problemBox(error)),
    ),
  );

  update(user);

  return h(
    'div',
    null,
    head,
    h(
      'div',
      { class: 'columns' },
      h('div', null, section('Overview', null, summary), section('Profile', null, profile), section('Groups', h('span', null, 'Assign groups under ', h('a', { href: routes.groups(ws) }, 'Groups'), '.'), groupList),
        section('Applications', 'The applications this user has signed in to. Revoking one ends its refresh tokens; the user can sign in to it again.', applications),
      ),
      h(
        'div',
        null,
        section('Access', null, access),
        section('Invitation', null, invitation),
        section('Set password', 'The user becomes active, a disabled one too, and open invitation links stop working.', password, resetByEmail),
        section('Delete', null, remove),
      ),
    ),
  );
}
