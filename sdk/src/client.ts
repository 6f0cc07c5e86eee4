import type { UserActions, UserInfo } from '@switchboard/protocol';
import { clientActions } from './action-tree.ts';
import { backoff } from './backoff.ts';
import { closedError, closeInfo, isTerminalClose, terminalError } from './close-info.ts';
import { Emitter } from './emitter.ts';
import { SwitchboardError } from './errors.ts';
import type { ServerFrame } from './frames.ts';
import { checkFrame, readServerFrame, readUser } from './frames.ts';
import { isRecord, messageOf, parseJson } from './json.ts';
import { RequestManager } from './request-manager.ts';
import { RoomTracker } from './room-tracker.ts';
import type {
  ChatListeners,
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

/**
 * Creates a Switchboard socket client: typed actions, typed events, reconnection. With a token,
 * each socket waits for `welcome` before sending; rooms joined through `client.chat.join` are
 * rejoined after a reconnect and their missed messages delivered as `chat.message`, once and in
 * seq order (see the SDK-local `chat.gap` and `chat.rejoinFailed` events).
 *
 * @example
 * await using client = createClient({ url: 'wss://example.com/ws', token, getToken: refreshToken });
 * client.chat.on('message', (m) => render(m));
 * const { members } = await client.chat.join({ room: 'lobby' });
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
  #reconnect: ReconnectOptions | false;
  #validator: FrameValidator | undefined;
  #onInvalidFrame: ((frame: unknown, reason: string) => void) | undefined;
  #state: ConnectionState = { state: 'idle' };
  #socket: SocketLike | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #closed: Promise<void> | undefined;
  #requests: RequestManager;
  #emitter = new Emitter<ClientEvents>();
  #rooms: RoomTracker;
  #user: UserInfo | undefined;

  constructor(options: ClientOptions) {
    const WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocket) throw new TypeError('no WebSocket implementation: pass the `WebSocket` option');
    const validate = options.validate ?? options.validator !== undefined;
    if (validate && !options.validator) throw new TypeError('`validate: true` needs a `validator` (validateServerFrame)');
    this.#url = new URL(options.url);
    this.#token = options.token;
    this.#getToken = options.getToken;
    this.#WebSocket = WebSocket;
    this.#reconnect = options.reconnect ?? DEFAULT_RECONNECT;
    this.#validator = validate ? options.validator : undefined;
    this.#onInvalidFrame = options.onInvalidFrame;
    this.#requests = new RequestManager(options.requestTimeoutMs ?? 10_000);
    this.#rooms = new RoomTracker({
      emitter: this.#emitter,
      rejoin: (room, since) => this.#requests.add('chat.join', { room, since }, true),
      isOpen: () => this.#state.state === 'open',
      reorderWindowMs: options.reorderWindowMs,
    });
    const chatOn: ChatListeners['on'] = (event, listener) => this.on(`chat.${event}`, listener);
    Object.assign(
      this,
      clientActions(this, (action, payload) => this.#call(action, payload), chatOn),
    );
    if (!options.lazy) this.#connect(0);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  get user(): UserInfo | undefined {
    return this.#user;
  }

  request<A extends keyof UserActions & string>(
    action: A,
    ...args: PayloadArgs<UserActions[A]['input']>
  ): Promise<UserActions[A]['output']> {
    // The reply payload was checked against the spec when `validate` is on; otherwise the
    // server is trusted, as any typed client of its own API does.
    return this.#call(action, args[0]) as Promise<UserActions[A]['output']>;
  }

  on<E extends keyof ClientEvents & string>(event: E, listener: (payload: ClientEvents[E]) => void): () => void {
    return this.#emitter.on(event, listener);
  }

  ready(): Promise<OpenState> {
    if (this.#state.state === 'idle') this.#connect(0);
    const state = this.#state;
    if (state.state === 'open') return Promise.resolve(state);
    if (state.state === 'closed') return Promise.reject(terminalError(state.reason));
    return new Promise((resolve, reject) => {
      const stop = this.on('state', (next) => {
        if (next.state === 'open') resolve(next);
        else if (next.state === 'closed') reject(terminalError(next.reason));
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
    if (this.#state.state === 'closed') return Promise.reject(closedError(this.#state.reason, action));
    if (this.#state.state === 'idle') this.#connect(0);
    const reply = this.#requests.add(action, payload);
    this.#rooms.observe(action, payload, reply);
    // The token an `authorize` proved good goes in the URL of every later socket.
    const token = action === 'authorize' && isRecord(payload) ? payload.token : undefined;
    if (typeof token === 'string')
      reply.then(
        () => (this.#token = token),
        () => {},
      );
    this.#flush();
    return reply;
  }

  /** Sends queued requests once the socket is open (`connected`, then `welcome` with a token); until then they wait. */
  #flush(): void {
    const socket = this.#socket;
    if (socket && this.#state.state === 'open') this.#requests.flush((frame) => socket.send(frame));
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.#emitter.emit('state', state);
  }

  #connect(attempt: number): void {
    this.#setState({ state: 'connecting', attempt });
    this.#resolveToken(attempt).then(
      () => this.#openSocket(attempt),
      (error: unknown) => this.#onClose(closeInfo(1006, `getToken() failed: ${messageOf(error)}`)),
    );
  }

  /** Asks `getToken` on every reconnect (the old token may have expired or been revoked meanwhile), and first when no token was given. */
  async #resolveToken(attempt: number): Promise<void> {
    if (this.#getToken && (this.#token === undefined || attempt > 0)) this.#token = await this.#getToken();
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
    // be posted twice), and only the caller knows whether trying again is safe. Queued ones were
    // never seen by the server and wait for the next connection.
    this.#requests.fail((action) => {
      const message = `the connection closed (${close.code}) before ${action} was answered`;
      return new SwitchboardError('unavailable', message, { action });
    }, false);
    const state = this.#state;
    if (state.state === 'closed') return;
    if (!this.#reconnect || isTerminalClose(close.code)) return this.#terminate(close);
    // Without getToken the same expired token would be refused on every attempt.
    if (close.name === 'token_expired' && !this.#getToken) return this.#terminate(close);
    const attempt = state.state === 'connecting' || state.state === 'authenticating' ? state.attempt + 1 : 1;
    const delayMs = backoff(attempt - 1, this.#reconnect.minDelayMs, this.#reconnect.maxDelayMs);
    this.#setState({ state: 'reconnecting', attempt, delayMs, lastClose: close });
    this.#reconnectTimer = setTimeout(() => this.#connect(attempt), delayMs);
  }

  /** Enters the terminal state: no reconnect, and nothing left pending. */
  #terminate(reason: CloseInfo): void {
    clearTimeout(this.#reconnectTimer);
    this.#rooms.dispose();
    this.#socket = undefined;
    this.#requests.fail((action) => closedError(reason, action), true);
    this.#setState({ state: 'closed', reason });
  }

  #onMessage(data: unknown): void {
    const value = typeof data === 'string' ? parseJson(data) : undefined;
    const check = checkFrame(this.#validator, value);
    if (!check.ok) return this.#onInvalid(value, check.reason);
    const frame = readServerFrame(value);
    if (!frame) return this.#onInvalid(value, 'not a Switchboard frame');
    this.#dispatch(frame, value);
  }

  #dispatch(frame: ServerFrame, value: unknown): void {
    if (frame.kind === 'event') {
      if (frame.action === 'connected') return this.#onConnected(frame.payload, value);
      if (frame.action === 'welcome') return this.#onWelcome(frame.payload, value);
      if (frame.action === 'chat.message') return this.#rooms.message(frame.payload);
      return this.#emitter.emitUnchecked(frame.action, frame.payload);
    }
    const id = frame.ref === undefined ? undefined : String(frame.ref);
    const action = id === undefined ? undefined : this.#requests.actionOf(id);
    if (frame.kind === 'failure') {
      const { code, message, details } = frame.error;
      if (id !== undefined && this.#requests.settle(id, new SwitchboardError(code, message, { details, action }))) return;
      // Late answers to requests that timed out are dropped; only the `error` event is reported.
      if (frame.action !== 'error') return;
      this.#emitter.emit('error', frame.ref === undefined ? { error: frame.error } : { error: frame.error, ref: frame.ref });
      return;
    }
    if (action !== undefined && action !== frame.action) return this.#onInvalid(value, `a ${frame.action} reply to a ${action} request`);
    if (id !== undefined) this.#requests.settle(id, { payload: frame.payload });
  }

  #onConnected(payload: unknown, value: unknown): void {
    if (!isRecord(payload) || typeof payload.connectionId !== 'string' || typeof payload.node !== 'string') {
      return this.#onInvalid(value, 'a connected event without connectionId and node');
    }
    const state = this.#state;
    if (state.state !== 'connecting') return;
    const { connectionId, node } = payload;
    // A socket opened with a token is usable once the server accepted it, which `welcome` says.
    if (this.#token === undefined) this.#open(connectionId, node);
    else this.#setState({ state: 'authenticating', attempt: state.attempt, connectionId, node });
    this.#emitter.emitUnchecked('connected', payload);
  }

  #onWelcome(payload: unknown, value: unknown): void {
    const user = isRecord(payload) ? readUser(payload.user) : undefined;
    if (!user) return this.#onInvalid(value, 'a welcome event without a user');
    this.#user = user;
    const state = this.#state;
    if (state.state === 'authenticating') this.#open(state.connectionId, state.node);
    this.#emitter.emitUnchecked('welcome', payload);
  }

  #open(connectionId: string, node: string): void {
    this.#state = { state: 'open', connectionId, node };
    // Rejoins go first, then queued requests in order, all before listeners can issue new ones.
    this.#rooms.rejoinAll();
    this.#flush();
    this.#emitter.emit('state', this.#state);
  }

  #onInvalid(frame: unknown, reason: string): void {
    const ref = isRecord(frame) ? frame.ref : undefined;
    const id = typeof ref === 'string' || typeof ref === 'number' ? String(ref) : undefined;
    const action = id === undefined ? undefined : this.#requests.actionOf(id);
    if (id !== undefined && action !== undefined) {
      this.#requests.settle(id, new SwitchboardError('internal', `invalid ${action} reply: ${reason}`, { action, details: { reason } }));
    }
    if (this.#onInvalidFrame) this.#onInvalidFrame(frame, reason);
    else if (action === undefined)
      this.#emitter.emit('error', { error: { code: 'internal', message: `invalid frame from the server: ${reason}` } });
  }
}
