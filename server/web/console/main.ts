/**
 * The console: an operator (operator token) manages apps and their keys; an app (API key) manages
 * its rooms, endpoints and users and watches a room live. Every call goes through the SDK's REST
 * client. The credential is kept in sessionStorage only: it survives a reload of this tab, is
 * never shared with other tabs and is gone when the tab closes (localStorage would keep it on disk).
 */
import { createRestClient, type RestClient } from '@switchboard/sdk';
import { byId, h } from '../shared/dom.ts';
import { renderApps } from './apps.ts';
import { attempt, type ViewContext } from './kit.ts';
import { renderRooms, stopWatching } from './rooms.ts';
import { renderUsers } from './users.ts';

const STORE = 'switchboard.console';

/** Who is signed in: the operator, an app, or the operator looking into one of its apps. */
interface Held {
  operator?: string;
  app?: { apiKey: string; name: string };
}

const form = byId('sign-in', HTMLFormElement);
const secret = byId('secret', HTMLInputElement);
const secretLabel = byId('secret-label');
const signInError = byId('sign-in-error');
const screen = byId('console-screen');
const who = byId('who');

let held: Held = readHeld();

function readHeld(): Held {
  try {
    const parsed = JSON.parse(sessionStorage.getItem(STORE) ?? '{}') as Held;
    return typeof parsed === 'object' && parsed !== null ? parsed : {};
  } catch {
    return {};
  }
}

function keep(next: Held): void {
  held = next;
  if (next.operator || next.app) sessionStorage.setItem(STORE, JSON.stringify(next));
  else sessionStorage.removeItem(STORE);
}

function kind(): 'app' | 'operator' {
  return (form.querySelector<HTMLInputElement>('input[name=kind]:checked')?.value as 'app' | 'operator' | undefined) ?? 'app';
}

for (const radio of form.querySelectorAll<HTMLInputElement>('input[name=kind]'))
  radio.addEventListener('change', () => {
    secretLabel.textContent = kind() === 'app' ? 'API key' : 'Operator token';
    secret.placeholder = kind() === 'app' ? 'sk_…' : 'the ADMIN_TOKEN';
    secret.focus();
  });

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(kind(), secret.value.trim());
});
byId('sign-out', HTMLButtonElement).addEventListener('click', () => {
  stopWatching();
  keep({});
  secret.value = '';
  location.hash = '';
  show();
});
window.addEventListener('hashchange', () => void draw());
// Leaving or reloading the page stops the watch, so its endpoint does not outlive it.
window.addEventListener('pagehide', () => stopWatching());

async function signIn(as: 'app' | 'operator', value: string): Promise<void> {
  signInError.hidden = true;
  const rest = createRestClient(
    as === 'app' ? { baseUrl: location.origin, apiKey: value } : { baseUrl: location.origin, adminToken: value },
  );
  try {
    if (as === 'app') await rest.rooms.list();
    else await rest.apps.list();
  } catch (err) {
    signInError.textContent =
      err instanceof Error && 'code' in err && err.code === 'unauthenticated'
        ? `That ${as === 'app' ? 'API key' : 'operator token'} is not valid.`
        : `Could not reach the server: ${err instanceof Error ? err.message : String(err)}`;
    signInError.hidden = false;
    return;
  }
  // An API key does not say its app's name; its prefix tells keys apart, as the operator's list shows it.
  keep(as === 'app' ? { app: { apiKey: value, name: `key ${value.slice(0, 8)}…` } } : { operator: value });
  // A new hash draws through hashchange, the same hash again draws here; never both, since a
  // second draw would replace the form someone started filling in.
  const next = as === 'app' ? '#rooms' : '#apps';
  const redraw = location.hash === next;
  location.hash = next;
  show(redraw);
}

function show(redraw = true): void {
  const signedIn = Boolean(held.operator || held.app);
  byId('sign-in-screen').hidden = signedIn;
  screen.hidden = !signedIn;
  byId('session').hidden = !signedIn;
  if (!signedIn) {
    secret.focus();
    return;
  }
  if (redraw) void draw();
}

function route(): { view: 'apps' | 'rooms' | 'users'; room?: string } {
  const [view, ...rest] = location.hash.slice(1).split('/');
  if (view === 'users' && held.app) return { view: 'users' };
  if ((view === 'rooms' || !held.operator) && held.app)
    return { view: 'rooms', room: rest.length ? decodeURIComponent(rest.join('/')) : undefined };
  return { view: 'apps' };
}

// Draws overlap (a sign-in's hash change, a tab click while the last view still loads): each one
// renders off-screen and only the latest is shown, so a slow earlier one cannot replace it.
let drawing = 0;

async function draw(): Promise<void> {
  if (!held.operator && !held.app) return;
  const mine = ++drawing;
  const { view, room } = route();
  // keepalive (for requests without a body, the only kind it allows from a Request): the watcher's
  // endpoint is revoked on `pagehide`, and that DELETE must outlive the page.
  const base = { baseUrl: location.origin, fetch: (request: Request) => fetch(request, request.body ? {} : { keepalive: true }) };
  const rest: RestClient = createRestClient(
    view === 'apps' ? { ...base, adminToken: held.operator ?? '' } : { ...base, apiKey: held.app?.apiKey ?? '' },
  );
  who.textContent = view === 'apps' ? 'operator' : `app: ${held.app?.name ?? ''}`;
  const body = h('div', { class: 'view' });
  const ctx: ViewContext = { rest, run: attempt, refresh: draw };
  const tab = (href: string, label: string, current: boolean) =>
    h('a', { href, class: 'tab', 'aria-current': current ? 'page' : undefined }, label);
  const tabs = h(
    'nav',
    { class: 'tabs', 'aria-label': 'Console sections' },
    held.operator && tab('#apps', 'Apps and keys', view === 'apps'),
    held.app && tab('#rooms', 'Rooms and endpoints', view === 'rooms'),
    held.app && tab('#users', 'Users', view === 'users'),
    held.operator &&
      held.app &&
      h(
        'button',
        {
          type: 'button',
          class: 'link',
          onclick: () => {
            stopWatching();
            keep({ operator: held.operator });
            location.hash = '#apps';
          },
        },
        `Close ${held.app.name}`,
      ),
  );
  // The last view stays up while this one loads, instead of a blank page.
  screen.replaceChildren(tabs, screen.querySelector('.view') ?? body);
  const target = body;
  if (view === 'apps') {
    stopWatching();
    await renderApps(target, ctx, (apiKey, name) => {
      keep({ ...held, app: { apiKey, name } });
      location.hash = '#rooms';
    });
  } else if (view === 'users') {
    stopWatching();
    await renderUsers(target, ctx);
  } else
    await renderRooms(target, ctx, room, (name) => {
      const next = name ? `#rooms/${encodeURIComponent(name)}` : '#rooms';
      // The same room again draws it again (fresh counts and history); another one goes through hashchange.
      if (location.hash === next) void draw();
      else location.hash = next;
    });
  if (mine !== drawing) return;
  screen.replaceChildren(tabs, body);
  body.querySelector<HTMLElement>('[autofocus]')?.focus();
}

show();
