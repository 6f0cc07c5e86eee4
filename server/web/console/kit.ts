/**
 * What every console view shares: the REST client of the signed-in credential, error handling
 * that turns a refused call into a toast, and the "shown once" box with a copy button.
 */
import { isSwitchboardError, type RestClient } from '@switchboard/sdk';
import { h, toast } from '../shared/dom.ts';

/** What a view gets. */
export interface ViewContext {
  rest: RestClient;
  /** Runs a call; a failure is shown as a toast and resolves to undefined. */
  run<T>(what: string, task: () => Promise<T>): Promise<T | undefined>;
  /** Draws the current view again (after a change). */
  refresh(): Promise<void>;
}

/** Runs a REST call and reports its error as a toast (the SDK throws coded SwitchboardErrors). */
export async function attempt<T>(what: string, task: () => Promise<T>): Promise<T | undefined> {
  try {
    return await task();
  } catch (err) {
    const message = isSwitchboardError(err) ? `${err.message} (${err.code})` : err instanceof Error ? err.message : String(err);
    toast(message, 'error', `Could not ${what}`);
    return undefined;
  }
}

/** Copies text: the Clipboard API where the page is a secure context, else a selection and execCommand. */
export async function copy(text: string, field?: HTMLInputElement): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    field?.select();
    document.execCommand('copy');
  }
  toast('Copied to the clipboard.', 'success');
}

/** A read-only value with a Copy button. */
export function copyField(label: string, value: string, attrs: { id?: string; secret?: boolean } = {}): HTMLElement {
  const field = h('input', { value, readonly: true, spellcheck: 'false', 'aria-label': label, id: attrs.id, class: 'mono' });
  return h(
    'div',
    { class: 'copy-field' },
    field,
    h('button', { type: 'button', class: 'small', 'data-copy': label, onclick: () => void copy(value, field) }, 'Copy'),
  );
}

/** A secret shown this once, with what to do with it. */
export function secretBox(title: string, value: string, note: string, ...actions: HTMLElement[]): HTMLElement {
  const box = h(
    'div',
    { class: 'secret', role: 'status' },
    h('strong', { text: title }),
    copyField(title, value, { id: 'secret-value' }),
    h('p', { class: 'hint', text: note }),
    h('div', { class: 'row' }, ...actions, h('button', { type: 'button', class: 'secondary small', onclick: () => box.remove() }, 'Done')),
  );
  return box;
}

/** A section with a heading. */
export function section(title: string, ...children: (Node | undefined | false)[]): HTMLElement {
  return h('section', { class: 'card panel', 'aria-label': title }, h('h2', { text: title }), ...children);
}

/** Formats an ISO time as a short local date and time. */
export function when(iso: string): string {
  return new Date(iso).toLocaleString([], { dateStyle: 'medium', timeStyle: 'short' });
}

/** A labelled checkbox. */
export function checkbox(label: string, checked: boolean, onchange: (checked: boolean) => void, name?: string): HTMLElement {
  const input = h('input', { type: 'checkbox', checked, name, onchange: () => onchange(input.checked) });
  return h('label', { class: 'check' }, input, label);
}
