import { api, paths, Pool, publicUrl } from '../api.js';
import { h, mount } from '../dom.js';
import { checkbox, checked, checkedValues, confirmButton, field, integer, onSubmit, problemBox, text } from '../forms.js';
import { routes, section, ViewContext } from '../ui.js';
import { loadPool, poolFrame } from './pool-frame.js';

/** Pool → Settings: sign-up, password policy, lockout, invitations, authentication methods; delete. */
export async function poolSettingsView(ctx: ViewContext) {
  const { ws, pool: poolId } = ctx.params;
  const p = paths(ws);
  const [{ pool, provider }, base] = await Promise.all([loadPool(ws, poolId), publicUrl(ws)]);
  ctx.title(`${pool.name} – Settings`);

  const signUpUrl = `${base}/self-service/register?pool=${pool.id}`;
  const requireVerification = checkbox({
    label: 'Require email verification',
    name: 'selfRegistration.requireEmailVerification',
    checked: pool.selfRegistration.requireEmailVerification,
    hint: 'New users must follow a link emailed to them before they can sign in.',
  });
  const signUpLink = h('p', { class: 'hint' }, 'Sign-up page: ', h('code', { class: 'copyable' }, signUpUrl));
  const form = h(
    'form',
    { class: 'settings' },
    h(
      'fieldset',
      null,
      h('legend', null, 'Pool'),
      field({ label: 'Name', name: 'name', value: pool.name, required: true, props: { maxlength: 100, autocomplete: 'off' } }),
      field({ label: 'Description', name: 'description', value: pool.description, optional: true, props: { maxlength: 500, autocomplete: 'off' } }),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Self-registration'),
      checkbox({
        label: 'Let users sign up themselves',
        name: 'selfRegistration.enabled',
        checked: pool.selfRegistration.enabled,
        hint: 'Off: only admins add users (by invitation, with a password, or by import).',
      }),
      requireVerification,
      signUpLink,
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Authentication methods'),
      checkbox({
        label: 'Password',
        name: 'authenticationMechanisms',
        checked: pool.authenticationMechanisms.includes('password'),
        hint: 'With no method, nobody in this pool can sign in.',
        props: { value: 'password' },
      }),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Password policy'),
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'Minimum length', name: 'passwordPolicy.minLength', type: 'number', value: pool.passwordPolicy.minLength, hint: 'At least 8.', props: { min: 8, max: 1024 } }),
        field({ label: 'Maximum length', name: 'passwordPolicy.maxLength', type: 'number', value: pool.passwordPolicy.maxLength, props: { min: 8, max: 1024 } }),
      ),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Lockout after failed sign-ins'),
      h(
        'div',
        { class: 'grid-2' },
        field({ label: 'Failed attempts before locking', name: 'lockout.maxFailedAttempts', type: 'number', value: pool.lockout.maxFailedAttempts, props: { min: 1, max: 100 } }),
        field({ label: 'Lock duration (seconds)', name: 'lockout.durationSeconds', type: 'number', value: pool.lockout.durationSeconds, hint: '900 seconds = 15 minutes.', props: { min: 1 } }),
      ),
    ),
    h(
      'fieldset',
      null,
      h('legend', null, 'Invitations'),
      field({ label: 'Invitation links stay valid for (hours)', name: 'invitationTtlHours', type: 'number', value: pool.invitationTtlHours, props: { min: 1, max: 8760 } }),
    ),
    h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save settings')),
  );

  // Email verification only means something when users may sign up.
  const sync = (): void => {
    const enabled = checked(form, 'selfRegistration.enabled');
    requireVerification.querySelector('input')!.disabled = !enabled;
    signUpLink.hidden = !enabled;
  };
  form.addEventListener('change', sync);
  sync();

  onSubmit(form, async () => {
    const updated = await api.patch<Pool>(p.pool(poolId), {
      name: text(form, 'name'),
      description: text(form, 'description') || null,
      authenticationMechanisms: checkedValues(form, 'authenticationMechanisms'),
      selfRegistration: { enabled: checked(form, 'selfRegistration.enabled'), requireEmailVerification: checked(form, 'selfRegistration.requireEmailVerification') },
      passwordPolicy: { minLength: integer(form, 'passwordPolicy.minLength'), maxLength: integer(form, 'passwordPolicy.maxLength') },
      lockout: { maxFailedAttempts: integer(form, 'lockout.maxFailedAttempts'), durationSeconds: integer(form, 'lockout.durationSeconds') },
      invitationTtlHours: integer(form, 'invitationTtlHours'),
    });
    // The heading and the security notes depend on the settings: render the screen again.
    ctx.flash(`Settings of ${updated.name} saved.`);
    ctx.refresh();
  });

  const remove = h('div');
  mount(
    remove,
    confirmButton(
      'Delete pool',
      `Delete ${pool.name}? All of its users, their passwords, group memberships and invitations are deleted. This cannot be undone.`,
      async () => {
        await api.delete(p.pool(poolId));
        ctx.flash(`Pool ${pool.name} deleted.`);
        ctx.navigate(routes.pools(ws));
      },
      (error) => remove.append(problemBox(error)),
    ),
  );

  return poolFrame(ws, pool, provider, 'settings', section('Settings', null, form), section('Delete pool', null, remove));
}
