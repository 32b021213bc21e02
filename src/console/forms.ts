/**
 * Labelled fields, and forms that show the API's problem+json where the admin is looking:
 * the title and detail at the top of the form, each field's message under its input
 * (marked aria-invalid and described by it), and the focus on the first field at fault.
 */
import { ApiError, Problem } from './api.js';
import { Child, h, mount, Props, uid } from './dom.js';

export interface FieldOptions {
  label: string;
  name: string;
  type?: string;
  value?: string | number | null;
  hint?: Child;
  required?: boolean;
  /** Shows "(optional)" after the label. */
  optional?: boolean;
  /** A textarea instead of an input. */
  multiline?: boolean;
  props?: Props;
}

/** A label, an input, an optional hint and a slot for the API's message about this field. */
export function field(options: FieldOptions): HTMLElement {
  const id = uid(`f-${options.name.replace(/\W/g, '-')}`);
  const hintId = options.hint ? `${id}-hint` : null;
  const common = { id, name: options.name, value: options.value ?? '', required: options.required, 'aria-describedby': hintId, ...options.props };
  const input = options.multiline ? h('textarea', common) : h('input', { type: options.type ?? 'text', ...common });
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label, options.optional && h('span', { class: 'optional' }, ' (optional)')),
    input,
    options.hint && h('p', { class: 'hint', id: hintId }, options.hint),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

/** A checkbox with its label on the right, and an optional hint. */
export function checkbox(options: { label: string; name: string; checked?: boolean; hint?: string; props?: Props }): HTMLElement {
  const id = uid(`f-${options.name.replace(/\W/g, '-')}`);
  const hintId = options.hint ? `${id}-hint` : null;
  return h(
    'div',
    { class: 'check' },
    h('input', { id, type: 'checkbox', name: options.name, checked: options.checked ?? false, 'aria-describedby': hintId, ...options.props }),
    h('label', { for: id }, options.label),
    options.hint && h('p', { class: 'hint', id: hintId }, options.hint),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

/** A labelled select. */
export function select(options: { label: string; name: string; value?: string; choices: [string, string][]; hint?: string; props?: Props }): HTMLElement {
  const id = uid(`f-${options.name.replace(/\W/g, '-')}`);
  const hintId = options.hint ? `${id}-hint` : null;
  return h(
    'div',
    { class: 'field' },
    h('label', { for: id }, options.label),
    h(
      'select',
      { id, name: options.name, 'aria-describedby': hintId, ...options.props },
      options.choices.map(([value, label]) => h('option', { value, selected: value === options.value }, label)),
    ),
    options.hint && h('p', { class: 'hint', id: hintId }, options.hint),
    h('p', { class: 'field-error', id: `${id}-error`, hidden: true }),
  );
}

/** The text value of a named control, trimmed; '' when absent. */
export function text(form: HTMLFormElement, name: string): string {
  const control = form.elements.namedItem(name);
  return control && 'value' in control ? String(control.value).trim() : '';
}

/** A trimmed text value, or null when empty (to clear an optional field). */
export function textOrNull(form: HTMLFormElement, name: string): string | null {
  return text(form, name) || null;
}

export function checked(form: HTMLFormElement, name: string): boolean {
  const control = form.elements.namedItem(name);
  return control instanceof HTMLInputElement && control.checked;
}

/** The values of the checked boxes named `name`. */
export function checkedValues(form: HTMLFormElement, name: string): string[] {
  return [...form.querySelectorAll<HTMLInputElement>(`input[type="checkbox"][name="${name}"]`)].filter((c) => c.checked).map((c) => c.value);
}

/** A number, or undefined when the field is empty (the API keeps its value). */
export function integer(form: HTMLFormElement, name: string): number | undefined {
  const value = text(form, name);
  return value === '' ? undefined : Number(value);
}

/** The control an API error names, for fields such as `passwordPolicy.minLength`. */
function controlFor(form: HTMLFormElement, fieldName: string): HTMLElement | null {
  return form.querySelector<HTMLElement>(`[name="${CSS.escape(fieldName)}"]`);
}

function clearProblem(form: HTMLFormElement): void {
  form.querySelector('.problem')?.remove();
  for (const control of form.querySelectorAll<HTMLElement>('[aria-invalid="true"]')) {
    control.removeAttribute('aria-invalid');
    const errorId = `${control.id}-error`;
    const described = (control.getAttribute('aria-describedby') ?? '').split(' ').filter((id) => id && id !== errorId);
    if (described.length) control.setAttribute('aria-describedby', described.join(' '));
    else control.removeAttribute('aria-describedby');
  }
  for (const slot of form.querySelectorAll<HTMLElement>('.field-error')) {
    slot.hidden = true;
    slot.textContent = '';
  }
}

/**
 * Shows a problem at the top of the form (title, detail, and a summary of the fields at
 * fault that links to each) and next to each field it names; focuses the first such field.
 */
export function showProblem(form: HTMLFormElement, problem: Problem): void {
  clearProblem(form);
  const fieldErrors = problem.errors ?? [];
  const summary: HTMLElement[] = [];
  let first: HTMLElement | null = null;
  for (const error of fieldErrors) {
    const control = controlFor(form, error.field);
    const slot = control && form.querySelector<HTMLElement>(`#${CSS.escape(control.id)}-error`);
    if (!control || !slot) {
      summary.push(h('li', null, h('code', null, error.field), ': ', error.message));
      continue;
    }
    control.setAttribute('aria-invalid', 'true');
    const described = new Set((control.getAttribute('aria-describedby') ?? '').split(' ').filter(Boolean));
    described.add(slot.id);
    control.setAttribute('aria-describedby', [...described].join(' '));
    // The API's messages start with the field's name in lower case ("password must be …"): a sentence here.
    const message = error.message.charAt(0).toUpperCase() + error.message.slice(1);
    slot.textContent = slot.textContent ? `${slot.textContent} ${message}` : message;
    slot.hidden = false;
    first ??= control;
    // The summary names the field as its label does, and takes the focus there.
    const label = form.querySelector(`label[for="${CSS.escape(control.id)}"]`)?.firstChild?.textContent ?? error.field;
    const jump = h('a', { href: `#${control.id}` }, label);
    jump.addEventListener('click', (event) => {
      event.preventDefault();
      control.focus();
    });
    summary.push(h('li', null, jump, `: ${error.message}`));
  }
  // One field at fault is marked, described and focused: its message by the field says it
  // all. The API's generic detail for invalid fields speaks to programs ("see `errors`").
  const onlyOneMarked = summary.length === 1 && first !== null;
  const generic = !!problem.detail && problem.detail.includes('`errors`');
  const detail = generic ? (onlyOneMarked ? 'Correct the field marked below.' : null) : problem.detail !== problem.title ? problem.detail : null;
  const box = h(
    'div',
    { class: 'problem', role: 'alert', tabindex: -1 },
    h('p', { class: 'problem-title' }, problem.title),
    detail && h('p', null, detail),
    summary.length > 0 && !onlyOneMarked && h('p', null, `Correct these ${summary.length} fields:`),
    summary.length > 0 && !onlyOneMarked && h('ul', null, summary),
  );
  form.prepend(box);
  (first ?? box).focus();
}

/** Shows an error that is not the API's (a file that is not JSON, for instance) the same way. */
export function showError(form: HTMLFormElement, title: string, detail: string): void {
  showProblem(form, { title, detail, status: 0 });
}

export function toProblem(error: unknown): Problem {
  if (error instanceof ApiError) return error.problem;
  return { title: 'Something went wrong', status: 0, detail: error instanceof Error ? error.message : String(error) };
}

/**
 * Handles a form's submission in script (it never submits natively): clears old errors,
 * marks it busy, runs `action`, then shows its result in the form's live status line or
 * the API's problem in the form.
 */
export function onSubmit(form: HTMLFormElement, action: (form: HTMLFormElement) => Promise<string | void>): HTMLFormElement {
  const status = h('p', { class: 'form-status', role: 'status' });
  form.append(status);
  form.noValidate = true;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    if (form.getAttribute('aria-busy') === 'true') return;
    clearProblem(form);
    status.textContent = '';
    const buttons = [...form.querySelectorAll<HTMLButtonElement>('button[type="submit"], button:not([type])')];
    form.setAttribute('aria-busy', 'true');
    buttons.forEach((b) => (b.disabled = true));
    try {
      const message = await action(form);
      if (message && form.isConnected) status.textContent = message;
    } catch (error) {
      if ((error as Error).name !== 'AbortError') showProblem(form, toProblem(error));
    } finally {
      form.removeAttribute('aria-busy');
      buttons.forEach((b) => (b.disabled = false));
    }
  });
  return form;
}

/** A problem shown outside a form (a list that failed to load). */
export function problemBox(error: unknown): HTMLElement {
  const problem = toProblem(error);
  return h(
    'div',
    { class: 'problem', role: 'alert' },
    h('p', { class: 'problem-title' }, problem.title),
    problem.detail && h('p', null, problem.detail),
  );
}

/** A note box: `info` for guidance, `warning` for what keeps users from signing in. */
export function notice(kind: 'info' | 'warning' | 'success', ...children: Child[]): HTMLElement {
  return h('div', { class: `notice notice-${kind}`, role: kind === 'warning' ? 'note' : null }, ...children);
}

/** A button that asks "are you sure?" in place before it runs `action`. */
export function confirmButton(label: string, question: string, action: () => Promise<void>, onError: (error: unknown) => void): HTMLElement {
  const slot = h('div', { class: 'confirm' });
  const ask = (): void => {
    const yes = h('button', { type: 'button', class: 'danger' }, `Yes, ${label.toLowerCase()}`);
    const no = h('button', { type: 'button', class: 'secondary' }, 'Cancel');
    yes.addEventListener('click', async () => {
      yes.disabled = true;
      try {
        await action();
      } catch (error) {
        onError(error);
        reset();
        // The button that had the focus is gone: put it on the one that replaced it, by the problem.
        slot.querySelector<HTMLButtonElement>('button')?.focus();
      }
    });
    no.addEventListener('click', () => {
      reset();
      (slot.querySelector('button') as HTMLButtonElement | null)?.focus();
    });
    mount(slot, h('p', { class: 'confirm-question' }, question), h('div', { class: 'actions' }, yes, no));
    no.focus();
  };
  const reset = (): void => mount(slot, h('button', { type: 'button', class: 'danger', onclick: ask }, label));
  reset();
  return slot;
}

/** A value shown in full, with a button that copies it. */
export function copyable(value: string, label = 'Copy'): HTMLElement {
  const button = h('button', { type: 'button', class: 'secondary small' }, label);
  const said = h('span', { class: 'muted small', role: 'status' });
  button.addEventListener('click', async () => {
    try {
      await navigator.clipboard.writeText(value);
      said.textContent = 'Copied.';
    } catch {
      said.textContent = 'Select the text and copy it.';
    }
  });
  return h('span', { class: 'copy' }, h('code', null, value), button, said);
}

/** A secondary button whose click runs `action` (once at a time) and says in `message` what it did, or the problem. */
export function actionButton(label: string, message: HTMLElement, action: () => Promise<string>): HTMLButtonElement {
  const button = h('button', { type: 'button', class: 'secondary' }, label);
  button.addEventListener('click', async () => {
    button.disabled = true;
    try {
      mount(message, h('p', null, await action()));
    } catch (error) {
      mount(message, problemBox(error));
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
