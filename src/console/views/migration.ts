import { api, ImportError, ImportJob, Page, paths, request } from '../api.js';
import { formatTime, h, mount } from '../dom.js';
import { checkbox, checked, field, onSubmit, problemBox, select, showError, text } from '../forms.js';
import { badge, routes, section, sleep, ViewContext } from '../ui.js';
import { loadPool, poolFrame } from './pool-frame.js';

const JSON_LIMIT = 10_000;
const FINISHED = new Set<ImportJob['status']>(['completed', 'failed', 'cancelled']);

const EXAMPLE = [
  '{"externalId":"crm-1","email":"ada@example.com","givenName":"Ada","groups":["admins"],"passwordHash":"$2b$10$..."}',
  '{"externalId":"crm-2","email":"bob@example.com","password":"bob\'s old password","status":"active"}',
  '{"email":"carol@example.com","familyName":"Shaw"}',
].join('\n');

/** Pool → Migration: upload NDJSON or JSON, follow the job live, read its errors by line. */
export async function migrationView(ctx: ViewContext) {
  const { ws, pool: poolId, job: jobId } = ctx.params;
  const p = paths(ws);
  const [{ pool, provider }, recent] = await Promise.all([loadPool(ws, poolId), api.get<Page<ImportJob>>(p.imports(poolId), { limit: 10 })]);
  ctx.title(`${pool.name} – Migration`);

  const upload = onSubmit(
    h(
      'form',
      { class: 'stack' },
      field({
        label: 'File of users',
        name: 'file',
        type: 'file',
        hint: 'NDJSON (.ndjson, .jsonl: one JSON record a line, up to 2 GB by default) or JSON (.json: an array of records, or {"users": [...]}, up to 10,000).',
        props: { accept: '.ndjson,.jsonl,.json,application/x-ndjson,application/json' },
      }),
      h(
        'div',
        { class: 'grid-2' },
        select({
          label: 'When a user already exists',
          name: 'onConflict',
          value: 'skip',
          choices: [
            ['skip', 'Skip the record (keep the user as is)'],
            ['update', 'Update the user from the record'],
            ['fail', 'Report the record as an error'],
          ],
          hint: 'A record matches by externalId, then by email, so importing a file again is safe.',
        }),
        h(
          'div',
          null,
          checkbox({
            label: 'Email an invitation to users without a password',
            name: 'sendInvitations',
            hint: 'Records with neither password nor passwordHash become “invited”; off: no email is sent until you invite them.',
          }),
        ),
      ),
      h('div', { class: 'actions' }, h('button', { type: 'submit' }, 'Start import')),
    ),
    async (form) => {
      const file = (form.elements.namedItem('file') as HTMLInputElement).files?.[0];
      if (!file) return showError(form, 'Choose a file', 'Pick an NDJSON or JSON file of user records.');
      const options = { onConflict: text(form, 'onConflict'), sendInvitations: checked(form, 'sendInvitations') };
      let job: ImportJob;
      if (/\.json$/i.test(file.name) || file.type === 'application/json') {
        let parsed: unknown;
        try {
          parsed = JSON.parse(await file.text());
        } catch {
          return showError(form, 'This file is not valid JSON', 'Check quoting, commas and brackets; for one record a line, name the file .ndjson.');
        }
        const users = Array.isArray(parsed) ? parsed : (parsed as { users?: unknown })?.users;
        if (!Array.isArray(users)) return showError(form, 'No records found', 'A JSON file holds an array of user records, or an object {"users": [...]}.');
        if (users.length > JSON_LIMIT) return showError(form, 'Too many records for JSON', `JSON uploads take up to ${JSON_LIMIT.toLocaleString()} records; save the file as NDJSON (one record a line) for more.`);
        job = await request<ImportJob>('POST', p.imports(poolId), { json: { users, options } });
      } else {
        job = await request<ImportJob>('POST', p.imports(poolId), { body: file, contentType: 'application/x-ndjson', query: options });
      }
      ctx.announce('File uploaded. The import has started.');
      ctx.navigate(routes.importJob(ws, poolId, job.id));
    },
  );

  // Recent imports; loaded again when the job on screen finishes, so its row is current.
  const history = h('div', { class: 'history' });
  const renderHistory = (page: Page<ImportJob>): void =>
    mount(
      history,
      page.items.length
        ? h(
            'table',
            { class: 'table' },
            h('caption', { class: 'visually-hidden' }, 'Recent imports'),
            h('thead', null, h('tr', null, ['Started', 'Status', 'Records', 'Created', 'Updated', 'Skipped', 'Failed', ''].map((c) => h('th', { scope: 'col' }, c)))),
            h(
              'tbody',
              null,
              page.items.map((job) =>
                h(
                  'tr',
                  { 'aria-current': job.id === jobId ? 'true' : null },
                  h('td', null, formatTime(job.createdAt)),
                  h('td', null, jobBadge(job)),
                  h('td', null, `${job.processed} of ${job.total}`),
                  h('td', null, job.created),
                  h('td', null, job.updated),
                  h('td', null, job.skipped),
                  h('td', null, job.failed),
                  h('td', null, h('a', { href: routes.importJob(ws, poolId, job.id), 'aria-label': `View the import of ${formatTime(job.createdAt)}` }, 'View')),
                ),
              ),
            ),
          )
        : h('p', null, 'No import yet.'),
    );
  renderHistory(recent);
  const jobPanel = jobId
    ? await importJobPanel(ctx, p.importJob(poolId, jobId), async () => renderHistory(await api.get<Page<ImportJob>>(p.imports(poolId), { limit: 10 }, ctx.signal)))
    : null;

  return poolFrame(
    ws,
    pool,
    provider,
    'migration',
    jobPanel,
    section(
      'Import users',
      'Bring an existing user base over: passwords (plain, or hashes from bcrypt, argon2, scrypt, PBKDF2, crypt or LDAP) keep working and are upgraded at each user’s first sign-in.',
      upload,
      h('details', { class: 'example' }, h('summary', null, 'Example NDJSON file'), h('pre', null, EXAMPLE)),
    ),
    section('Recent imports', null, history),
  );
}

function jobBadge(job: ImportJob): HTMLElement {
  const kind = job.status === 'completed' ? (job.failed ? 'warn' : 'ok') : job.status === 'failed' ? 'warn' : job.status === 'cancelled' ? 'off' : 'info';
  const label = { queued: 'Queued', running: 'Running', completed: 'Completed', failed: 'Failed', cancelled: 'Cancelled' }[job.status];
  return badge(label, kind);
}

/** One import: a progress bar and live counts while it runs, then the errors by line. */
async function importJobPanel(ctx: ViewContext, jobPath: string, finished: () => Promise<void>): Promise<HTMLElement> {
  let job = await api.get<ImportJob>(jobPath);
  const progress = h('div', { class: 'progress-block' });
  const status = h('p', { class: 'job-status', role: 'status' });
  const errors = h('div', { class: 'import-errors' });
  const cancel = h('button', { type: 'button', class: 'secondary' }, 'Cancel import');
  // A running import stops only after the chunk it is writing: until the job says
  // cancelled, the screen says the cancellation is under way instead of "Running."
  // (from the click, before the API has answered; then from the job, on any screen).
  let cancelling = false;
  cancel.addEventListener('click', async () => {
    cancelling = true;
    render();
    try {
      job = await api.post<ImportJob>(`${jobPath}/cancel`);
      render();
    } catch (error) {
      cancelling = false;
      render();
      errors.replaceChildren(problemBox(error));
    }
  });

  function render(): void {
    const running = !FINISHED.has(job.status);
    const stopping = cancelling || job.cancelRequested;
    cancel.disabled = stopping;
    // Until the upload is counted, total is 0: the bar is indeterminate.
    const bar = job.total > 0 ? h('progress', { id: 'import-progress', max: job.total, value: job.processed }) : h('progress', { id: 'import-progress' });
    const percent = job.total > 0 ? Math.floor((job.processed / job.total) * 100) : 0;
    mount(
      progress,
      h('label', { for: 'import-progress' }, running ? `Importing: ${job.processed} of ${job.total} records (${percent}%)` : `${job.processed} of ${job.total} records processed`),
      bar,
      h(
        'dl',
        { class: 'counts' },
        [
          ['Created', job.created],
          ['Updated', job.updated],
          ['Skipped', job.skipped],
          ['Failed', job.failed],
        ].map(([label, value]) => h('div', null, h('dt', null, label), h('dd', null, value))),
      ),
      job.error && h('p', { class: 'notice notice-warning' }, job.error),
      running && h('div', { class: 'actions' }, cancel),
    );
    const said = {
      queued: stopping ? 'Cancelling…' : 'Waiting for a worker.',
      running: stopping ? 'Cancelling: the import stops after the records it is writing now.' : 'Running.',
      completed: job.failed ? `Completed with ${job.failed} error${job.failed === 1 ? '' : 's'}.` : 'Completed without errors.',
      failed: 'The import failed.',
      cancelled: 'Cancelled. Records imported before stay.',
    }[job.status];
    if (status.textContent !== said) status.textContent = said;
  }

  async function loadErrors(cursor: string | null = null): Promise<void> {
    const page = await api.get<Page<ImportError>>(`${jobPath}/errors`, { limit: 100, cursor }, ctx.signal);
    let body = errors.querySelector('tbody');
    if (!body) {
      if (page.items.length === 0) return mount(errors, h('p', null, 'No errors: every record was taken.'));
      body = h('tbody');
      mount(
        errors,
        h('h3', null, 'Records not imported'),
        h(
          'table',
          { class: 'table' },
          h('caption', { class: 'visually-hidden' }, 'Records not imported, by line of the file'),
          h('thead', null, h('tr', null, ['Line', 'Record', 'Problem', 'Message'].map((c) => h('th', { scope: 'col' }, c)))),
          body,
        ),
      );
    }
    body.append(
      ...page.items.map((e) => h('tr', null, h('td', null, e.line), h('td', null, e.identifier ?? '—'), h('td', null, h('code', null, e.code)), h('td', null, e.message))),
    );
    errors.querySelector('.more')?.remove();
    if (page.nextCursor) {
      const more = h('button', { type: 'button', class: 'secondary more' }, 'Show more errors');
      more.addEventListener('click', () => void loadErrors(page.nextCursor));
      errors.append(more);
    }
  }

  async function poll(): Promise<void> {
    try {
      while (!FINISHED.has(job.status)) {
        await sleep(1000, ctx.signal);
        job = await api.get<ImportJob>(jobPath, undefined, ctx.signal);
        render();
      }
      await Promise.all([loadErrors(), finished()]);
    } catch (error) {
      if ((error as Error).name !== 'AbortError') errors.replaceChildren(problemBox(error));
    }
  }

  render();
  void poll();
  return section(`Import of ${formatTime(job.createdAt)}`, null, status, progress, errors);
}
