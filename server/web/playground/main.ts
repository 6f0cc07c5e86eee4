/**
 * The playground: open a raw socket with a credential, pick any action of that socket from the
 * generated registry, edit its payload (a starter built from the AsyncAPI schema, checked as you
 * type by the generated validators), send it, and watch replies and events in a timeline linked
 * by `ref`. Close codes are explained from the spec. The session exports as a runnable script.
 * Raw frames on purpose: this page shows the protocol itself, as a plain websocket client sees it.
 */
import { closeCodes, endpointActions, userActions, workerActions } from '@switchboard/protocol';
import {
  endpointPayloadValidators,
  userPayloadValidators,
  workerPayloadValidators,
  type Validator,
} from '@switchboard/protocol/validators';
import { createRestClient, isSwitchboardError } from '@switchboard/sdk';
import { byId, h, toast } from '../shared/dom.ts';

type Route = 'user' | 'endpoint' | 'worker';
type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Schema = { [key: string]: unknown };

const routeSelect = byId('route', HTMLSelectElement);
const tokenInput = byId('token', HTMLInputElement);
const codeInput = byId('code', HTMLInputElement);
const keyInput = byId('api-key', HTMLInputElement);
const actionSelect = byId('action', HTMLSelectElement);
const payloadInput = byId('payload', HTMLTextAreaElement);
const check = byId('check');
const status = byId('status');
const timeline = byId('timeline');
const connectButton = byId('connect', HTMLButtonElement);
const disconnectButton = byId('disconnect', HTMLButtonElement);
const sendButton = byId('send', HTMLButtonElement);
const script = byId('script', HTMLTextAreaElement);

const actions: Record<Route, readonly string[]> = {
  user: Object.keys(userActions),
  endpoint: Object.keys(endpointActions),
  worker: Object.keys(workerActions),
};
const validators: Record<Route, { readonly [action: string]: Validator | undefined }> = {
  user: userPayloadValidators,
  endpoint: endpointPayloadValidators,
  worker: workerPayloadValidators,
};
let spec: Schema = {};
let socket: WebSocket | undefined;
let nextId = 1;
let sent: { url: string; frames: string[] } = { url: '', frames: [] };

const params = new URLSearchParams(location.search);
byId('app', HTMLInputElement).value = params.get('app') ?? localStorage.getItem('switchboard.chat.app') ?? '';

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Follows a local `$ref` of the bundled spec. */
function resolve(value: unknown): Schema | undefined {
  if (!isSchema(value)) return undefined;
  const ref = value.$ref;
  if (typeof ref !== 'string' || !ref.startsWith('#/')) return value;
  let node: unknown = spec;
  for (const part of ref.slice(2).split('/')) node = isSchema(node) ? node[part] : undefined;
  return resolve(node);
}

/** A value that fits `schema`, for the fields it requires: where the person starts editing. */
function starter(schema: Schema | undefined, name = ''): Json {
  if (!schema) return {};
  if (Array.isArray(schema.examples) && schema.examples.length) return schema.examples[0] as Json;
  if (Array.isArray(schema.enum) && schema.enum.length) return schema.enum[0] as Json;
  if (schema.type === 'string')
    return name === 'room'
      ? 'lobby'
      : name === 'id'
        ? 'message-id'
        : name === 'token'
          ? tokenInput.value || 'eyJ…'
          : name === 'apiKey'
            ? 'sk_…'
            : 'hello';
  if (schema.type === 'integer' || schema.type === 'number') return typeof schema.minimum === 'number' ? schema.minimum : 1;
  if (schema.type === 'boolean') return false;
  const properties = isSchema(schema.properties) ? schema.properties : {};
  const required = Array.isArray(schema.required) ? schema.required.filter((r): r is string => typeof r === 'string') : [];
  const out: { [key: string]: Json } = {};
  for (const key of required) out[key] = starter(resolve(properties[key]), key);
  if (Object.keys(out).length === 0 && 'data' in properties) out.data = { text: 'hello' };
  return out;
}

/** The operation of `action` on `route` in the bundled spec. */
function operationOf(route: Route, action: string): Schema | undefined {
  const operations = isSchema(spec.operations) ? spec.operations : {};
  const channel = `#/channels/${route}`;
  return Object.values(operations)
    .filter(isSchema)
    .find((op) => op['x-action'] === action && isSchema(op.channel) && op.channel.$ref === channel);
}

function payloadSchema(route: Route, action: string): Schema | undefined {
  const op = operationOf(route, action);
  const message = Array.isArray(op?.messages) ? resolve(op.messages[0]) : undefined;
  return resolve(message?.payload);
}

function route(): Route {
  return routeSelect.value === 'endpoint' || routeSelect.value === 'worker' ? routeSelect.value : 'user';
}

function fillActions(): void {
  actionSelect.replaceChildren(...actions[route()].map((a) => h('option', { value: a, text: a })));
  byId('token-field').hidden = route() !== 'user';
  byId('sign-in-box').hidden = route() !== 'user';
  byId('code-field').hidden = route() !== 'endpoint';
  byId('key-field').hidden = route() !== 'worker';
  pickAction();
}

function pickAction(): void {
  const action = actionSelect.value;
  const op = operationOf(route(), action);
  byId('summary').textContent = typeof op?.summary === 'string' ? op.summary : '';
  payloadInput.value = JSON.stringify(starter(payloadSchema(route(), action)), null, 2);
  validate();
}

/** Checks the payload as typed: JSON first, then the action's generated validator. */
function validate(): Json | undefined {
  let payload: Json;
  try {
    payload = JSON.parse(payloadInput.value || '{}') as Json;
  } catch (error) {
    return report(false, `not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const validator = validators[route()][actionSelect.value];
  if (validator && !validator(payload)) {
    const issues = (validator.errors ?? []).map((e) => `${e.instancePath || '(payload)'} ${e.message ?? e.keyword}`);
    return report(false, `does not match the spec: ${issues.join('; ')}`);
  }
  report(true, 'valid for this action');
  return payload;
}

function report(ok: boolean, text: string): undefined {
  check.className = `check ${ok ? 'ok' : 'bad'}`;
  check.textContent = ok ? `✓ ${text}` : `✗ ${text}`;
  return undefined;
}

function setState(state: 'open' | 'connecting' | 'closed', text: string): void {
  status.dataset.state = state;
  status.textContent = text;
  connectButton.disabled = state !== 'closed';
  disconnectButton.disabled = state === 'closed';
  sendButton.disabled = state !== 'open';
}

function addEntry(kind: 'out' | 'in' | 'error' | 'close', label: string, ref: string | undefined, body: string): void {
  const item = h(
    'li',
    { class: kind, 'data-ref': ref },
    h('span', { class: 'kind', text: kind === 'out' ? '→ sent' : kind === 'close' ? '✕ closed' : '← received' }),
    h(
      'span',
      {},
      h('strong', { text: label }),
      ref ? h('span', { class: 'ref', text: ` ${kind === 'out' ? 'id' : 'ref'} ${ref}` }) : undefined,
    ),
    h('pre', { text: body }),
  );
  // Hovering or focusing one side of a command highlights the other (same id and ref).
  const link = (on: boolean) =>
    ref && timeline.querySelectorAll(`li[data-ref="${CSS.escape(ref)}"]`).forEach((li) => li.classList.toggle('linked', on));
  item.tabIndex = 0;
  item.addEventListener('mouseenter', () => link(true));
  item.addEventListener('mouseleave', () => link(false));
  item.addEventListener('focus', () => link(true));
  item.addEventListener('blur', () => link(false));
  // Follow the newest entry (into the page's view too: the timeline sits below the cards) unless
  // the user scrolled the timeline up to read an older one.
  const following = timeline.scrollHeight - timeline.scrollTop - timeline.clientHeight < 48;
  timeline.append(item);
  if (following) item.scrollIntoView({ block: 'nearest' });
}

function closeExplained(code: number, reason: string): string {
  const known = Object.entries(closeCodes).find(([, entry]) => entry.code === code);
  const meaning = known
    ? `${known[0]}: ${known[1].description}`
    : code === 1006
      ? 'abnormal closure: no close frame (network lost, or the upgrade was refused)'
      : code === 1000
        ? 'normal closure'
        : 'not a Switchboard code';
  return `${code}${reason ? ` "${reason}"` : ''}. ${meaning}${code >= 4500 && code <= 4999 ? ' Do not reconnect.' : code >= 4000 ? ' The client may reconnect.' : ''}`;
}

function connect(): void {
  const base = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}`;
  const path = { user: '/ws', endpoint: `/ws/endpoint/${encodeURIComponent(codeInput.value.trim())}`, worker: '/ws/worker' }[route()];
  const url = new URL(path, base);
  // A browser cannot set the API-Key header: the key goes in the first frame, after `connected`.
  const apiKey = route() === 'worker' ? keyInput.value.trim() : '';
  if (route() === 'user' && tokenInput.value.trim()) url.searchParams.set('token', tokenInput.value.trim());
  sent = { url: url.toString(), frames: [] };
  setState('connecting', 'connecting…');
  const ws = new WebSocket(url);
  socket = ws;
  ws.onopen = () => setState('open', 'connected');
  ws.onmessage = (event: MessageEvent<unknown>) => {
    const text = typeof event.data === 'string' ? event.data : '(binary)';
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      frame = undefined;
    }
    const action = isSchema(frame) && typeof frame.action === 'string' ? frame.action : '?';
    const ref = isSchema(frame) && (typeof frame.ref === 'string' || typeof frame.ref === 'number') ? String(frame.ref) : undefined;
    addEntry(isSchema(frame) && 'error' in frame ? 'error' : 'in', ref ? `${action} reply` : action, ref, JSON.stringify(frame ?? text));
    if (action === 'connected' && apiKey) {
      const authorize = JSON.stringify({ action: 'authorize', id: String(nextId++), payload: { apiKey } });
      ws.send(authorize);
      addEntry('out', 'authorize', String(nextId - 1), authorize.replace(apiKey, '(the API key)'));
    }
  };
  ws.onclose = (event) => {
    if (socket !== ws) return;
    socket = undefined;
    addEntry('close', 'socket closed', undefined, closeExplained(event.code, event.reason));
    setState('closed', 'not connected');
  };
}

function send(): void {
  const payload = validate();
  if (payload === undefined && !confirmInvalid()) return;
  const frame = JSON.stringify({ action: actionSelect.value, id: String(nextId), payload: payload ?? safeParse() });
  socket?.send(frame);
  sent.frames.push(frame);
  addEntry('out', actionSelect.value, String(nextId), frame);
  nextId++;
}

// Sending what the validator rejects is allowed (to see the server's validation_failed), once asked.
let invalidArmed = false;
function confirmInvalid(): boolean {
  if (invalidArmed) return !(invalidArmed = false);
  invalidArmed = true;
  report(false, `${check.textContent?.slice(2) ?? ''}. Press Send again to send it anyway and see the server's answer.`);
  return false;
}

function safeParse(): unknown {
  try {
    return JSON.parse(payloadInput.value);
  } catch {
    return payloadInput.value;
  }
}

/**
 * The session as a Node test script (ws): it sends the same frames once the socket is ready,
 * prints every frame, and exits 0 when each command was answered without an error, 1 when one
 * was refused, the server closed the socket (a refused token), or 10 s passed.
 */
function exportScript(): void {
  const lines = [
    '// Replays a Switchboard playground session as a test: node session.mjs (npm install ws).',
    '// Exit code 0: every command was answered without an error. The URL may carry your token: keep it private.',
    "import WebSocket from 'ws';",
    `const frames = ${JSON.stringify(
      sent.frames.map((f) => JSON.parse(f) as unknown),
      null,
      2,
    )};`,
    `const ws = new WebSocket(${JSON.stringify(sent.url)});`,
    // Frames without an id get no answer to wait for.
    'const pending = new Set(frames.filter((f) => f.id !== undefined).map((f) => String(f.id)));',
    'let failed = 0;',
    "const timer = setTimeout(() => { console.error('no answer within 10 s to', [...pending]); process.exit(1); }, 10_000);",
    'const finish = () => { clearTimeout(timer); ws.close(1000); };',
    "ws.on('message', (data) => {",
    '  const frame = JSON.parse(String(data));',
    '  console.log(JSON.stringify(frame));',
    "  if (frame.action === 'connected' || frame.action === 'welcome') for (const f of frames.splice(0)) ws.send(JSON.stringify(f));",
    '  if (frame.ref !== undefined && pending.delete(String(frame.ref)) && frame.error) failed++;',
    '  if (frames.length === 0 && pending.size === 0) finish();',
    '});',
    "ws.on('close', (code, reason) => {",
    "  console.log('closed', code, String(reason));",
    '  clearTimeout(timer);',
    '  process.exitCode = failed > 0 || pending.size > 0 || code !== 1000 ? 1 : 0;',
    '});',
  ];
  script.value = lines.join('\n');
  script.hidden = false;
  script.select();
}

const rest = createRestClient({ baseUrl: location.origin });
byId('sign-in', HTMLFormElement).addEventListener('submit', (event) => {
  event.preventDefault();
  const app = byId('app', HTMLInputElement).value.trim();
  rest.auth
    .signIn({ app, username: byId('username', HTMLInputElement).value.trim(), password: byId('password', HTMLInputElement).value })
    .then(({ accessToken }) => {
      tokenInput.value = accessToken;
      byId('password', HTMLInputElement).value = '';
      toast('Signed in: the token is filled in. Connect to use it.', 'success');
    })
    .catch((error: unknown) => toast(isSwitchboardError(error) ? error.message : String(error), 'error', 'Sign-in failed'));
});
routeSelect.addEventListener('change', fillActions);
actionSelect.addEventListener('change', pickAction);
payloadInput.addEventListener('input', () => {
  invalidArmed = false;
  validate();
});
connectButton.addEventListener('click', connect);
disconnectButton.addEventListener('click', () => socket?.close(1000, 'closed in the playground'));
sendButton.addEventListener('click', send);
byId('export', HTMLButtonElement).addEventListener('click', exportScript);

fetch('/assets/asyncapi.json')
  .then((response) => response.json() as Promise<unknown>)
  .then((doc) => {
    if (isSchema(doc)) spec = doc;
    fillActions();
  })
  .catch((error: unknown) => toast(String(error), 'error', 'Could not load the AsyncAPI spec'));
