import { closeCodes, userActions } from '@switchboard/protocol';
import type { CloseReason, UserActions } from '@switchboard/protocol';
import { buildActionTree } from './action-tree.ts';
import { backoff } from './backoff.ts';
import { Emitter } from './emitter.ts';
import { SwitchboardError } from './errors.ts';
import type { ServerFrame } from './frames.ts';
import { readServerFrame } from './frames.ts';
import { isRecord, messageOf, parseJson } from './json.ts';
import type {
  ClientCore,
  ClientEvents,
  ClientOptions,
  CloseInfo,
  ConnectionState,
  FrameValidator,
  OpenState,
  PayloadArgs,
  ReconnectOptions,
  SocketLike,
  SwitchboardClient,
  WebSocketConstructor,
} from './types.ts';

const CLIENT_CLOSE: CloseInfo = { code: 1000, reason: 'closed by client', name: undefined };
const DEFAULT_RECONNECT: ReconnectOptions = { minDelayMs: 250, maxDelayMs: 10_000 };

/** A request between `request()` and its answer; `sent` is false while it waits for the connection. */
interface Pending {
  action: string;
  frame: string;
  sent: boolean;
  timer: ReturnType<typeof setTimeout>;
  resolve(payload: unknown): void;
  reject(error: SwitchboardError): void;
}

function isCloseReason(name: string): name is CloseReason {
  return Object.hasOwn(closeCodes, name);
}

/** Names a Switchboard close code (`4003` → `token_expired`). */
function closeInfo(code: number, reason: string): CloseInfo {
  const name = Object.keys(closeCodes).filter(isCloseReason).find((key) => closeCodes[key].code === code);
  return { code, reason, name };
}

/**
 * Creates a Switchboard socket client: typed actions, typed events, reconnection.
 *
 * @example
 * await using client = createClient({ url: 'wss://example.com/ws', token });
 * const { text } = await client.echo({ text: 'hi' });
 * const stop = client.on('notification', (n) => console.log(n.level, n.message));
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  // The action methods are added at run time from the registry; their type is ActionTree.
  return new Client(options) as Client & SwitchboardClient;
}

class Client implements ClientCore {
  #url: URL;
  #token: string | undefined;
  #getToken: (() => Promise<string> | string) | undefined;
  #WebSocket: WebSocketConstructor;
  #timeoutMs: number;
  #reconnect: ReconnectOptions | false;
  #validator: FrameValidator | undefined;
  #onInvalidFrame: ((frame: unknown, reason: string) => void) | undefined;
  #state: ConnectionState = { state: 'idle' };
  #socket: SocketLike | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #closed: Promise<void> | undefined;
  #seq = 0;
  #pending = new Map<string, Pending>();
  #emitter = new Emitter<ClientEvents>();

  constructor(options: ClientOptions) {
    const WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocket) throw new TypeError('no WebSocket implementation: pass the `WebSocket` option');
    const validate = options.validate ?? options.validator !== undefined;
    if (validate && !options.validator) throw new TypeError('`validate: true` needs a `validator` (validateServerFrame)');
    this.#url = new URL(options.url);
    this.#token = options.token;
    this.#getToken = options.getToken;
    this.#WebSocket = WebSocket;
    this.#timeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#reconnect = options.reconnect ?? DEFAULT_RECONNECT;
    this.#validator = validate ? options.validator : undefined;
    this.#onInvalidFrame = options.onInvalidFrame;
    const actions = buildActionTree(Object.keys(userActions), (action, payload) => this.#call(action, payload));
    for (const name of Object.keys(actions)) {
      if (name in this) throw new Error(`the action "${name}" collides with a client member`);
    }
    Object.assign(this, actions);
    if (!options.lazy) this.#connect(0);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  request<A extends keyof UserActions & string>(action: A, ...args: PayloadArgs<UserActions[A]['input']>): Promise<UserActions[A]['output']> {
    // The reply payload was checked against the spec when `validate` is on; otherwise the
    // server is trusted, as a typed client of its own API.
    return this.#call(action, args[0]) as Promise<UserActions[A]['output']>;
  }

  on<E extends keyof ClientEvents & string>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  ready(): Promise<OpenState> {
    if (this.#state.state === 'idle') this.#connect(0);
    const state = this.#state;
    if (state.state === 'open') return Promise.resolve(state);
    if (state.state === 'closed') return Promise.reject(this.#closedError(state.reason));
    return new Promise((resolve, reject) => {
      const stop = this.on('state', (next) => {
        if (next.state === 'open') resolve(next);
        else if (next.state === 'closed') reject(this.#closedError(next.reason));
        else return;
        stop();
      });
    });
  }

  close(): Promise<void> {
    this.#closed ??= this.#shutDown();
    return this.#closed;
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  async #shutDown(): Promise<void> {
    const socket = this.#socket;
    this.#terminate(CLIENT_CLOSE);
    if (!socket) return;
    await new Promise<void>((resolve) => {
      socket.onclose = () => resolve();
      socket.close(CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
    });
  }

  #call(action: string, payload: unknown): Promise<unknown> {
    if (this.#state.state === 'closed') return Promise.reject(this.#closedError(this.#state.reason, action));
    if (this.#state.state === 'idle') this.#connect(0);
    const id = String(++this.#seq);
    return new Promise((resolve, reject) => {
      const frame = JSON.stringify(payload === undefined ? { action, id } : { action, id, payload });
      const timer = setTimeout(() => {
        const message = `no answer to ${action} within ${this.#timeoutMs} ms`;
        this.#settle(id, new SwitchboardError('timeout', message, { action }));
      }, this.#timeoutMs);
      this.#pending.set(id, { action, frame, sent: false, timer, resolve, reject });
      if (this.#state.state === 'open') this.#send(id);
    });
  }

  #send(id: string): void {
    const pending = this.#pending.get(id);
    if (!pending || !this.#socket) return;
    pending.sent = true;
    this.#socket.send(pending.frame);
  }

  /** Resolves or rejects a pending request once; a late second answer finds nothing to settle. */
  #settle(id: string, outcome: SwitchboardError | { payload: unknown }): boolean {
    const pending = this.#pending.get(id);
    if (!pending) return false;
    this.#pending.delete(id);
    clearTimeout(pending.timer);
    if (outcome instanceof SwitchboardError) pending.reject(outcome);
    else pending.resolve(outcome.payload);
    return true;
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#emitter.emit('state', state);
  }

  #connect(attempt: number): void {
    this.#setState({ state: 'connecting', attempt });
    this.#resolveToken().then(
      () => this.#openSocket(attempt),
      (error: unknown) => this.#onClose(closeInfo(1006, `getToken() failed: ${messageOf(error)}`)),
    );
  }

  async #resolveToken(): Promise<void> {
    if (this.#token === undefined && this.#getToken) this.#token = await this.#getToken();
  }

  #openSocket(attempt: number): void {
    // The client may have been closed while the token was being fetched.
    if (this.#state.state !== 'connecting' || this.#state.attempt !== attempt) return;
    const url = new URL(this.#url);
    if (this.#token !== undefined) url.searchParams.set('token', this.#token);
    let socket: SocketLike;
    try {
      socket = new this.#WebSocket(url.toString());
    } catch (error) {
      this.#onClose(closeInfo(1006, `cannot open the socket: ${messageOf(error)}`));
      return;
    }
    this.#socket = socket;
    socket.onmessage = (event: { data: unknown }) => {
      if (this.#socket === socket) this.#onMessage(event.data);
    };
    socket.onclose = (event: { code: number; reason: string }) => {
      if (this.#socket === socket) this.#onClose(closeInfo(event.code, event.reason));
    };
    // An error is always followed by a close, which is where the client acts; the listener also
    // keeps `ws` from throwing an unhandled 'error'.
    socket.onerror = () => {};
  }

  #onClose(close: CloseInfo): void {
    this.#socket = undefined;
    // Commands already sent are not retried: the server may have run them (a chat message would
    // be posted twice), and only the caller knows whether trying again is safe.
    for (const [id, pending] of this.#pending) {
      if (!pending.sent) continue;
      const message = `the connection closed (${close.code}) before ${pending.action} was answered`;
      this.#settle(id, new SwitchboardError('unavailable', message, { action: pending.action }));
    }
    const state = this.#state;
    if (state.state === 'closed') return;
    if (!this.#reconnect || (close.code >= 4500 && close.code <= 4999)) return this.#terminate(close);
    if (close.name === 'token_expired' && this.#getToken) this.#token = undefined;
    const attempt = state.state === 'connecting' ? state.attempt + 1 : 1;
    const delayMs = backoff(attempt - 1, this.#reconnect.minDelayMs, this.#reconnect.maxDelayMs);
    this.#setState({ state: 'reconnecting', attempt, delayMs, lastClose: close });
    this.#reconnectTimer = setTimeout(() => this.#connect(attempt), delayMs);
  }

  /** Enters the terminal state: no reconnect, and nothing left pending. */
  #terminate(reason: CloseInfo): void {
    clearTimeout(this.#reconnectTimer);
    this.#socket = undefined;
    for (const [id, pending] of this.#pending) this.#settle(id, this.#closedError(reason, pending.action));
    this.#setState({ state: 'closed', reason });
  }

  #closedError(reason: CloseInfo, action?: string): SwitchboardError<'unavailable'> {
    return new SwitchboardError('unavailable', `the client is closed: ${reason.reason} (${reason.code})`, { action });
  }

  #onMessage(data: unknown): void {
    const value = typeof data === 'string' ? parseJson(data) : undefined;
    const check = this.#validator?.(value);
    if (check && !check.ok) return this.#onInvalid(value, check.reason);
    const frame = readServerFrame(value);
    if (!frame) return this.#onInvalid(value, 'not a Switchboard frame');
    this.#dispatch(frame, value);
  }

  #dispatch(frame: ServerFrame, value: unknown): void {
    if (frame.kind === 'event') {
      if (frame.action === 'connected') return this.#onConnected(frame.payload, value);
      return this.#emitter.emitUnchecked(frame.action, frame.payload);
    }
    const id = frame.ref === undefined ? undefined : String(frame.ref);
    const pending = id === undefined ? undefined : this.#pending.get(id);
    if (frame.kind === 'failure') {
      const options = { details: frame.error.details, action: pending?.action };
      if (id !== undefined && this.#settle(id, new SwitchboardError(frame.error.code, frame.error.message, options))) return;
      // Late answers to requests that timed out are dropped; only the `error` event is reported.
      if (frame.action === 'error') this.#emitter.emit('error', frame.ref === undefined ? { error: frame.error } : { error: frame.error, ref: frame.ref });
      return;
    }
    if (pending && pending.action !== frame.action) return this.#onInvalid(value, `a ${frame.action} reply to a ${pending.action} request`);
    if (id !== undefined) this.#settle(id, { payload: frame.payload });
  }

  #onConnected(payload: unknown, value: unknown): void {
    if (!isRecord(payload) || typeof payload.connectionId !== 'string' || typeof payload.node !== 'string') {
      return this.#onInvalid(value, 'a connected event without connectionId and node');
    }
    if (this.#state.state !== 'connecting') return;
    this.#state = { state: 'open', connectionId: payload.connectionId, node: payload.node };
    // Queued requests go first, in order, before listeners can issue new ones.
    for (const [id, pending] of this.#pending) if (!pending.sent) this.#send(id);
    this.#emitter.emit('state', this.#state);
    this.#emitter.emitUnchecked('connected', payload);
  }

  #onInvalid(frame: unknown, reason: string): void {
    const ref = isRecord(frame) ? frame.ref : undefined;
    const id = typeof ref === 'string' || typeof ref === 'number' ? String(ref) : undefined;
    const action = id === undefined ? undefined : this.#pending.get(id)?.action;
    if (id !== undefined && action !== undefined) {
      this.#settle(id, new SwitchboardError('internal', `invalid ${action} reply: ${reason}`, { action, details: { reason } }));
    }
    if (this.#onInvalidFrame) this.#onInvalidFrame(frame, reason);
    else if (action === undefined) this.#emitter.emit('error', { error: { code: 'internal', message: `invalid frame from the server: ${reason}` } });
  }
}
