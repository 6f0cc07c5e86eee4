/**
 * The few DOM helpers the pages share: build elements without innerHTML (every text goes in as
 * text, so nothing a user typed is ever parsed as markup), find required elements, show toasts.
 */

/** Attributes of `h`: `class`, `text`, event handlers (`onclick`), anything else as an attribute. */
export type Attrs = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** A child of `h`: an element, a text, or nothing. */
export type Child = Node | string | undefined | false;

/**
 * Creates an element.
 * @example h('button', { class: 'secondary', onclick: () => leave() }, 'Leave')
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Attrs = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    if (typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'text') el.textContent = String(value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  for (const child of children) if (child !== undefined && child !== false) el.append(child);
  return el;
}

/** The element with this id and type; a page missing it is a bug, so it throws. */
export function byId<T extends HTMLElement = HTMLElement>(id: string, type: { new (): T; prototype: T } = HTMLElement as never): T {
  const el = document.getElementById(id);
  if (!(el instanceof type)) throw new Error(`#${id} is missing from the page or is not a ${type.name}`);
  return el;
}

/** A toast's look. */
export type ToastLevel = 'info' | 'success' | 'warning' | 'error';

/** Shows a toast in `#toasts` for a few seconds (errors stay until dismissed). */
export function toast(message: string, level: ToastLevel = 'info', title?: string): void {
  const box = byId('toasts');
  const close = () => item.remove();
  const item = h(
    'div',
    { class: `toast ${level}`, role: level === 'error' ? 'alert' : 'status' },
    h('div', { class: 'toast-body' }, title ? h('strong', { text: title }) : undefined, h('span', { text: message })),
    h('button', { type: 'button', class: 'icon', 'aria-label': 'Dismiss', onclick: close }, '×'),
  );
  box.append(item);
  while (box.children.length > 5) box.firstElementChild?.remove();
  if (level !== 'error') setTimeout(close, 6000);
}

/** Formats an ISO time as the local hour and minute. */
export function clock(iso: string): string {
  return new Date(iso).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}
