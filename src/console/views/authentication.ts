import { api, Application, IdentityProvider, issuerOf, listAll, paths, Pool } from '../api.js';
import { h, mount } from '../dom.js';
import { checkbox, checked, checkedValues, confirmButton, copyable, field, integer, notice, onSubmit, problemBox, select, text } from '../forms.js';
import { badge, heading, routes, section, ViewContext } from '../ui.js';

const METHOD_LABELS: Record<string, string> = { password: 'Password' };

const GRANTS: [string, string, boolean][] = [
  ['authorization_code', 'Authorization code: users sign in on the hosted login page (recommended)', true],
  ['refresh_token', 'Refresh token: stay signed in without asking again', true],
  ['client_credentials', 'Client credentials: the application itself, machine to machine', false],
  ['password', 'Password: the application collects the password (trusted or legacy applications only)', false],
];

/** Authentication: the workspace's issuer, pools connected as providers, and applications. */
export async function authenticationView(ctx: ViewContext) {
  const { ws } = ctx.params;
  const p = paths(ws);
  ctx.title('Authentication');
  const [pools, providers, applications, issuer] = await Promise.all([
    listAll<Pool>(p.pools),
    listAll<IdentityProvider>(p.providers),
    listAll<Application>(p.applications),
    issuerOf(ws),
  ]);
  const discovery = `${issuer}/.well-known/openid-configuration`;
  const poolById = new Map(pools.map((pool) => [pool.id, pool]));

  return h(
    'div',
    null,
    heading('Authentication'),
    h(
      'p',
      { class: 'lead' },
      'Applications sign users in through this workspace’s OpenID Connect issuer. A pool’s users can sign in only once the pool is connected here as an authentication provider, and enabled.',
    ),
    section(
      'Issuer',
      'Configure applications with the issuer; OpenID Connect libraries find every endpoint from the discovery URL.',
      h('dl', { class: 'facts' }, h('div', null, h('dt', null, 'Issuer'), h('dd', null, copyable(issuer))), h('div', null, h('dt', null, 'Discovery URL'), h('dd', null, copyable(discovery)))),
    ),
    providersSection(ctx, pools, providers, poolById),
    applicationsSection(ctx, applications, issuer, discovery),
  );
}

function providersSection(ctx: ViewContext, pools: Pool[], providers: IdentityProvider[], poolById: Map<string, Pool>): HTMLElement {
  const { ws } = ctx.params;
  const p = paths(ws);
  const connected = new Set(providers.map((provider) => provider.poolId));
  const unconnected = pools.filter((pool) => !connected.has(pool.id));
  const ordered = [...providers].sort((a, b) => a.priority - b.priority);

  const rows = ordered.map((provider) => {
    const pool = poolById.get(provider.poolId);
    const name = pool?.name ?? provider.poolId;
    const methods = pool?.authenticationMechanisms ?? provider.signInMethods;
    const disconnect = h('div');
    mount(
      disconnect,
      confirmButton(
        'Disconnect',
        `Disconnect ${name}? Its users can no longer sign in to any application, and their refresh tokens stop working.`,
        async () => {
          await api.delete(p.provider(provider.id));
          ctx.flash(`${name} disconnected.`);
          ctx.refresh();
        },
        (error) => disconnect.append(problemBox(error)),
      ),
    );
    const form = onSubmit(
      h(
        'form',
        { class: 'provider', 'aria-label': `${name} connection` },
        h(
          'div',
          { class: 'pool-head' },
          h('h3', null, h('a', { href: routes.pool(ws, provider.poolId) }, name)),
          provider.enabled ? badge('Enabled', 'ok') : badge('Disabled: nobody can sign in', 'warn'),
        ),
        h(
          'fieldset',
          null,
          h('legend', null, 'Sign-in methods'),
          methods.map((method) => checkbox({ label: METHOD_LABELS[method] ?? method, name: 'signInMethods', checked: provider.signInMethods.includes(method), props: { value: method } })),
        ),
        h(
          'div',
          { class: 'grid-2' },
          checkbox({ label: 'Enabled', name: 'enabled', checked: provider.enabled, hint: 'Disabling stops this pool’s sign-ins at once.' }),
          field({ label: 'Priority', name: 'priority', type: 'number', value: provider.priority, hint: 'Lowest first, when an email is in several pools.', props: { min: -1000, max: 1000 } }),
        ),
        h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Save'), disconnect),
      ),
      async (form) => {
        await api.patch<IdentityProvider>(p.provider(provider.id), {
          signInMethods: checkedValues(form, 'signInMethods'),
          enabled: checked(form, 'enabled'),
          priority: integer(form, 'priority'),
        });
        ctx.flash(`Connection of ${name} saved.`);
        ctx.refresh();
      },
    );
    return h('li', null, form);
  });

  const connect = unconnected.length
    ? onSubmit(
        h(
          'form',
          { class: 'stack' },
          h('h3', null, 'Connect a pool'),
          select({ label: 'Identity pool', name: 'poolId', choices: unconnected.map((pool) => [pool.id, pool.name]) }),
          h(
            'fieldset',
            null,
            h('legend', null, 'Sign-in methods'),
            checkbox({ label: 'Password', name: 'signInMethods', checked: true, props: { value: 'password' } }),
          ),
          h(
            'div',
            { class: 'grid-2' },
            checkbox({ label: 'Enabled', name: 'enabled', checked: true }),
            field({ label: 'Priority', name: 'priority', type: 'number', value: 0, hint: 'Lowest first.', props: { min: -1000, max: 1000 } }),
          ),
          h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Connect pool')),
        ),
        async (form) => {
          const pool = poolById.get(text(form, 'poolId'));
          await api.post<IdentityProvider>(p.providers, {
            type: 'identity_pool',
            poolId: text(form, 'poolId'),
            signInMethods: checkedValues(form, 'signInMethods'),
            enabled: checked(form, 'enabled'),
            priority: integer(form, 'priority') ?? 0,
          });
          ctx.flash(`${pool?.name ?? 'The pool'} is connected: its users can sign in to this workspace’s applications.`);
          ctx.refresh();
        },
      )
    : h('p', { class: 'muted' }, pools.length ? 'Every pool of this workspace is connected.' : 'This workspace has no pool yet.');

  return section(
    'Authentication providers',
    'Each connected pool is a place where the login page looks users up.',
    h(
      'div',
      { class: 'columns' },
      h('div', null, rows.length ? h('ul', { class: 'provider-list' }, rows) : notice('warning', 'No pool is connected: nobody can sign in to applications yet.')),
      h('div', { class: 'side-form' }, connect),
    ),
  );
}

function applicationsSection(ctx: ViewContext, applications: Application[], issuer: string, discovery: string): HTMLElement {
  const { ws } = ctx.params;
  const p = paths(ws);
  const created = h('div');

  const list = h('div');
  const item = (app: Application): HTMLElement => {
    const actions = h('div', { class: 'actions' });
    const problems = h('div');
    const fail = (error: unknown): void => mount(problems, problemBox(error));
    if (app.tokenEndpointAuthMethod !== 'none') {
      actions.append(
        confirmButton(
          'Rotate secret',
          `Give ${app.name} a new client secret? The current one stops working at once; tokens already issued stay valid.`,
          async () => {
            showCredentials(await api.post<Application>(p.rotateSecret(app.id), {}), `${app.name} has a new secret`);
            ctx.announce(`${app.name} has a new client secret. Copy it now; it is shown only once.`);
          },
          fail,
        ),
      );
    }
    actions.append(
      confirmButton(
        'Delete',
        `Delete ${app.name}? It can no longer sign users in or refresh their tokens.`,
        async () => {
          await api.delete(p.application(app.id));
          ctx.flash(`Application ${app.name} deleted.`);
          ctx.refresh();
        },
        fail,
      ),
    );
    const redirects = app.redirectUris.length ? h('ul', { class: 'plain' }, app.redirectUris.map((uri) => h('li', null, h('code', null, uri)))) : '—';
    return h(
      'li',
      null,
      h('h3', null, app.name),
      h(
        'dl',
        { class: 'facts' },
        h('div', null, h('dt', null, 'Client ID'), h('dd', null, copyable(app.clientId))),
        h('div', null, h('dt', null, 'Grant types'), h('dd', null, app.grantTypes.join(', '))),
        h('div', null, h('dt', null, 'Redirect URIs'), h('dd', null, redirects)),
        h('div', null, h('dt', null, 'Client type'), h('dd', null, app.tokenEndpointAuthMethod === 'none' ? 'Public (no secret, PKCE)' : `Confidential (${app.tokenEndpointAuthMethod})`)),
        h('div', null, h('dt', null, 'Token signing'), h('dd', null, app.tokenSigningAlg)),
      ),
      actions,
      problems,
    );
  };

  /** The one time a client secret is on screen: at creation and after a rotation. */
  const showCredentials = (app: Application, heading: string): void => {
    const title = h('h3', { tabindex: -1 }, heading);
    mount(
      created,
      h(
        'div',
        { class: 'notice notice-success secret', role: 'region', 'aria-label': `${app.name} credentials` },
        title,
        app.clientSecret
          ? h('p', null, h('strong', null, 'Copy the client secret now: '), 'it is shown only this once and cannot be read again. Store it in your application’s secret configuration.')
          : h('p', null, 'A public client has no secret: it proves itself with PKCE.'),
        h(
          'dl',
          { class: 'facts' },
          h('div', null, h('dt', null, 'Client ID'), h('dd', { class: 'client-id' }, copyable(app.clientId))),
          app.clientSecret && h('div', null, h('dt', null, 'Client secret'), h('dd', { class: 'client-secret' }, copyable(app.clientSecret, 'Copy secret'))),
          h('div', null, h('dt', null, 'Issuer'), h('dd', null, copyable(app.issuer || issuer))),
          h('div', null, h('dt', null, 'Discovery URL'), h('dd', null, copyable(discovery))),
        ),
        h('button', { type: 'button', class: 'secondary', onclick: () => ctx.refresh() }, 'I have copied it — done'),
      ),
    );
    title.focus();
  };
  const renderList = (applications: Application[]): void =>
    mount(list, applications.length ? h('ul', { class: 'app-list' }, applications.map(item)) : h('p', null, 'No application yet.'));
  renderList(applications);

  const form = onSubmit(
    h(
      'form',
      { class: 'stack' },
      h('h3', null, 'Create application'),
      field({ label: 'Name', name: 'name', required: true, hint: 'Shown to users on the login page.', props: { maxlength: 100, autocomplete: 'off' } }),
      field({
        label: 'Redirect URIs',
        name: 'redirectUris',
        multiline: true,
        hint: 'One a line: where users return after signing in, e.g. https://app.example.com/callback. Needed for the authorization code grant.',
        props: { rows: 3, spellcheck: 'false' },
      }),
      h(
        'fieldset',
        null,
        h('legend', null, 'Grant types'),
        GRANTS.map(([value, label, on]) => checkbox({ label, name: 'grantTypes', checked: on, props: { value } })),
      ),
      select({
        label: 'Client type',
        name: 'tokenEndpointAuthMethod',
        value: 'client_secret_basic',
        choices: [
          ['client_secret_basic', 'Confidential, server-side: a client secret, sent with HTTP Basic'],
          ['client_secret_post', 'Confidential, server-side: a client secret, sent in the request body'],
          ['none', 'Public (single-page or mobile app): no secret, PKCE required'],
        ],
      }),
      select({
        label: 'Token signing algorithm',
        name: 'tokenSigningAlg',
        value: 'RS256',
        choices: [
          ['RS256', 'RS256 (RSA): what every OpenID Connect library accepts'],
          ['ES256', 'ES256 (elliptic curve P-256): smaller tokens'],
        ],
      }),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Create application')),
    ),
    async (form) => {
      const redirectUris = text(form, 'redirectUris')
        .split(/\s+/)
        .filter(Boolean);
      const app = await api.post<Application>(p.applications, {
        name: text(form, 'name'),
        redirectUris,
        grantTypes: checkedValues(form, 'grantTypes'),
        tokenEndpointAuthMethod: text(form, 'tokenEndpointAuthMethod'),
        tokenSigningAlg: text(form, 'tokenSigningAlg'),
      });
      form.reset();
      showCredentials(app, `${app.name} is created`);
      renderList(await listAll<Application>(p.applications));
      ctx.announce(`Application ${app.name} created. Copy its client secret now; it is shown only once.`);
    },
  );

  return section(
    'Applications',
    'Each application gets a client ID (and, if confidential, a secret) to use with the issuer.',
    created,
    h('div', { class: 'columns' }, list, h('div', { class: 'side-form' }, form)),
  );
}
