/**
 * The chat page: sign in with a username and password (`POST /v1/auth/token`), then one socket
 * (the browser SDK) carries every joined room. The SDK reconnects and rejoins with `since`; the
 * page shows the connection's state and renders what the SDK delivers, keyed by message id.
 */
import {
  createClient,
  createRestClient,
  isSwitchboardError,
  type ConnectionState,
  type SwitchboardClient,
  type UserInfo,
} from '@switchboard/sdk';
import { byId, toast } from '../shared/dom.ts';
import { createChatView, nameOf, type ChatView } from './view.ts';

const APP_KEY = 'switchboard.chat.app';
const USER_KEY = 'switchboard.chat.username';

const form = byId('sign-in', HTMLFormElement);
const appInput = byId('app', HTMLInputElement);
const usernameInput = byId('username', HTMLInputElement);
const passwordInput = byId('password', HTMLInputElement);
const signInError = byId('sign-in-error');
const signInButton = byId('sign-in-button', HTMLButtonElement);
const banner = byId('banner');
const status = byId('status');

const rest = createRestClient({ baseUrl: location.origin });
let session: { client: SwitchboardClient; view: ChatView; stops: (() => void)[] } | undefined;

// The app id comes from the link the server printed (`/?app=<id>`), else from the last visit.
const fromQuery = new URLSearchParams(location.search).get('app');
appInput.value = fromQuery ?? localStorage.getItem(APP_KEY) ?? '';
usernameInput.value = localStorage.getItem(USER_KEY) ?? '';
(appInput.value ? (usernameInput.value ? passwordInput : usernameInput) : appInput).focus();

form.addEventListener('submit', (event) => {
  event.preventDefault();
  void signIn(appInput.value.trim(), usernameInput.value.trim(), passwordInput.value);
});
byId('sign-out', HTMLButtonElement).addEventListener('click', () => void signOut());

/** An access token and when to stop using it (a minute before it expires). */
interface HeldToken {
  token: string;
  staleAt: number;
}

async function fetchToken(app: string, username: string, password: string): Promise<HeldToken> {
  const { accessToken, expiresIn } = await rest.auth.signIn({ app, username, password });
  return { token: accessToken, staleAt: Date.now() + Math.max(0, expiresIn - 60) * 1000 };
}

async function signIn(app: string, username: string, password: string): Promise<void> {
  signInError.hidden = true;
  signInButton.disabled = true;
  try {
    let held = await fetchToken(app, username, password);
    localStorage.setItem(APP_KEY, app);
    localStorage.setItem(USER_KEY, username);
    passwordInput.value = '';
    // The SDK asks for a token before every reconnect; the held one is reused until it is stale or
    // the server said it expired, so a flapping network does not sign in again on every attempt.
    // The password stays in this closure only (never in storage).
    const getToken = async () => {
      if (Date.now() >= held.staleAt) held = await fetchToken(app, username, password);
      return held.token;
    };
    const expire = () => (held = { ...held, staleAt: 0 });
    start(held.token, getToken, expire);
  } catch (error) {
    signInError.textContent = signInMessage(error);
    signInError.hidden = false;
  } finally {
    signInButton.disabled = false;
  }
}

function signInMessage(error: unknown): string {
  if (isSwitchboardError(error)) {
    if (error.code === 'unauthenticated') return 'Wrong username or password for this app.';
    if (error.code === 'validation_failed')
      return 'Check the app id: it is the one in the link printed at first start (and in first-start-secrets.txt).';
    if (error.code === 'rate_limited') return 'Too many attempts; wait a minute and try again.';
    return error.message;
  }
  return `The server could not be reached (${error instanceof Error ? error.message : String(error)}).`;
}

function start(token: string, getToken: () => Promise<string>, expire: () => void): void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/ws`;
  const client = createClient({ url, token, getToken });
  const view = createChatView(client);
  const stops = [
    client.on('state', (state) => {
      if (state.state === 'reconnecting' && state.lastClose.name === 'token_expired') expire();
      showState(state);
      if (state.state === 'closed' && state.reason.code !== 1000) void signOut(closedMessage(state.reason.name));
    }),
    client.on('welcome', ({ user }) => showMe(user)),
    client.on('user.updated', ({ user }) => showMe(user)),
  ];
  session = { client, view, stops };
  byId('sign-in-screen').hidden = true;
  byId('chat-screen').hidden = false;
  byId('session').hidden = false;
  showState(client.state);
  client.ready().then(
    () => view.start(),
    // A terminal close also reaches the state listener, which returns to the sign-in form.
    () => {},
  );
}

function showMe(user: UserInfo): void {
  const me = byId('me');
  me.textContent = `${nameOf(user)}${user.staff ? ' (staff)' : ''}`;
  me.title = `signed in as @${user.username}`;
}

let wasDown = false;

function showState(state: ConnectionState): void {
  status.dataset.state = state.state;
  if (state.state === 'open') {
    status.textContent = 'connected';
    banner.hidden = true;
    if (wasDown) toast('Connection restored; missed messages were fetched.', 'success');
    wasDown = false;
  } else if (state.state === 'reconnecting') {
    wasDown = true;
    status.textContent = 'reconnecting…';
    const seconds = Math.max(1, Math.round(state.delayMs / 1000));
    const why = state.lastClose.name ? ` (${state.lastClose.name.replaceAll('_', ' ')})` : '';
    banner.textContent = `Connection lost${why}. Retrying in ${seconds}s (attempt ${state.attempt}); messages sent meanwhile will appear once you are back.`;
    banner.title = `close code ${state.lastClose.code}${state.lastClose.reason ? `: ${state.lastClose.reason}` : ''}`;
    banner.dataset.level = 'warning';
    banner.hidden = false;
  } else if (state.state === 'closed') {
    status.textContent = 'disconnected';
  } else {
    status.textContent = state.state === 'authenticating' ? 'signing in…' : 'connecting…';
  }
}

function closedMessage(name: string | undefined): string {
  if (name === 'unauthorized' || name === 'token_expired')
    return 'The server no longer accepts your sign-in (the user may have been removed). Sign in again.';
  if (name === 'origin_refused') return 'This page is not on an origin the server allows (ALLOWED_ORIGINS).';
  return 'The server closed the connection for good. Sign in again.';
}

async function signOut(message?: string): Promise<void> {
  const current = session;
  session = undefined;
  if (!current) return;
  for (const stop of current.stops) stop();
  current.view.destroy();
  await current.client.close();
  banner.hidden = true;
  byId('session').hidden = true;
  byId('chat-screen').hidden = true;
  byId('sign-in-screen').hidden = false;
  if (message) {
    signInError.textContent = message;
    signInError.hidden = false;
  }
  passwordInput.focus();
}
