import { backoff } from './backoff.ts';
import { closedError, closeInfo, isTerminalClose, terminalError } from './close-info.ts';
import { Emitter } from './emitter.ts';
import { SwitchboardError } from './errors.ts';
import type { ServerFrame } from './frames.ts';
import { checkFrame, readServerFrame } from './frames.ts';
import { isRecord, messageOf, parseJson } from './json.ts';
import { RequestManager } from './request-manager.ts';
import type {
  CallOptions,
  CloseInfo,
  ConnectionState,
  ErrorEventPayload,
  FrameValidator,
  OpenState,
  ReconnectOptions,
  SocketLike,
  SocketOptions,
  WebSocketConstructor,
} from './types.ts';

const CLIENT_CLOSE: CloseInfo = { code: 1000, reason: 'closed by client', name: undefined };
const DEFAULT_RECONNECT: ReconnectOptions = { minDelayMs: 250, maxDelayMs: 10_000 };

/** The lifecycle events every socket client emits. */
export interface LifecycleEvents {
  state: ConnectionState;
  error: ErrorEventPayload;
}

/**
 * The machinery every socket client shares (the user socket's and the endpoint socket's): one
 * state union, connect timeout, full-jitter reconnects, request bookkeeping with per-call
 * timeouts and signals, frame checks, `disconnect()`/`reconnect()`. A client adds the socket's
 * URL, what `connected` leads to, and what its events do.
 */
export abstract class SocketClient<Events extends LifecycleEvents> {
  #WebSocket: WebSocketConstructor;
  #reconnect: ReconnectOptions | false;
  #validator: FrameValidator | undefined;
  #onInvalidFrame: ((frame: unknown, reason: string) => void) | undefined;
  #connectTimeoutMs: number;
  #state: ConnectionState = { state: 'idle' };
  #socket: SocketLike | undefined;
  /** Counts connection attempts, so a late getToken() or timer of an abandoned one does nothing. */
  #generation = 0;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  #closed: Promise<void> | undefined;
  protected readonly requests: RequestManager;
  protected readonly emitter = new Emitter<Events>();

  constructor(options: SocketOptions) {
    const WebSocket = options.WebSocket ?? globalThis.WebSocket;
    if (!WebSocket) throw new TypeError('no WebSocket implementation: pass the `WebSocket` option');
    const validate = options.validate ?? options.validator !== undefined;
    if (validate && !options.validator) throw new TypeError('`validate: true` needs a `validator` (validateServerFrame)');
    this.#WebSocket = WebSocket;
    this.#reconnect = options.reconnect ?? DEFAULT_RECONNECT;
    this.#validator = validate ? options.validator : undefined;
    this.#onInvalidFrame = options.onInvalidFrame;
    this.#connectTimeoutMs = options.connectTimeoutMs ?? 10_000;
    this.requests = new RequestManager(options.requestTimeoutMs ?? 10_000);
  }

  /** The URL of the next socket; `refresh` asks for a fresh credential (every attempt but a client's first). */
  protected abstract socketUrl(refresh: boolean): Promise<string>;

  /** `connected` arrived on a connecting socket: open it (the default), or authenticate first. */
  protected onGreeting(connectionId: string, node: string): void {
    this.open(connectionId, node);
  }

  /** An event other than `connected`. */
  protected onEvent(action: string, payload: unknown, _frame: unknown): void {
    this.emitter.emitUnchecked(action, payload);
  }

  /** Runs when a socket becomes usable, before queued requests go out. */
  protected onOpen(): void {}

  /** Runs when the client closes for good. */
  protected onTerminate(): void {}

  /** Whether a close the server allows reconnecting after should still end the client. */
  protected shouldStop(_close: CloseInfo): boolean {
    return false;
  }

  /** Sees every request the app makes, with its reply. */
  protected observe(_action: string, _payload: unknown, _reply: Promise<unknown>): void {}

  /** Opens the first socket unless `lazy`; called last by each client's constructor. */
  protected start(lazy: boolean | undefined): void {
    if (!lazy) this.#connect(0, false);
  }

  /** The current connection state. */
  get state(): ConnectionState {
    return this.#state;
  }

  /** Listens to an event; returns the function that stops listening. */
  on<E extends keyof Events & string>(event: E, listener: (payload: Events[E]) => void): () => void {
    return this.emitter.on(event, listener);
  }

  /** Resolves when the connection is open; rejects once the client is closed for good or disconnected. */
  ready(): Promise<OpenState> {
    if (this.#state.state === 'idle') this.#connect(0, false);
    const state = this.#state;
    if (state.state === 'open') return Promise.resolve(state);
    if (state.state === 'closed') return Promise.reject(terminalError(state.reason));
    if (state.state === 'disconnected') return Promise.reject(disconnectedError('ready()'));
    return new Promise((resolve, reject) => {
      const stop = this.emitter.on('state', (next: ConnectionState) => {
        if (next.state === 'open') resolve(next);
        else if (next.state === 'closed') reject(terminalError(next.reason));
        else if (next.state === 'disconnected') reject(disconnectedError('ready()'));
        else return;
        stop();
      });
    });
  }

  /**
   * Closes the socket without ending the client: what is pending rejects with `unavailable`,
   * nothing reconnects until `reconnect()`, and the user client keeps its rooms for then.
   */
  disconnect(): Promise<void> {
    if (this.#state.state === 'closed' || this.#state.state === 'disconnected') return Promise.resolve();
    const socket = this.#detach();
    this.requests.fail((action) => disconnectedError(action), true);
    this.#setState({ state: 'disconnected' });
    return socket ? closeSocket(socket, 1000, 'disconnected by client') : Promise.resolve();
  }

  /**
   * Opens a new socket now: from `disconnected`, or in place of the current one (its sent requests
   * reject with `unavailable`), skipping any backoff wait. Throws once the client is closed.
   */
  reconnect(): void {
    if (this.#state.state === 'closed') throw closedError(this.#state.reason, 'reconnect()');
    const socket = this.#detach();
    this.requests.fail(
      (action) => new SwitchboardError('unavailable', `reconnect() was called before ${action} was answered`, { action }),
      false,
    );
    if (socket) void closeSocket(socket, 1000, 'reconnecting');
    this.#connect(0, true);
  }

  /** Closes for good: rejects what is pending with `unavailable`, resolves once the socket closed. */
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
    if (socket) await closeSocket(socket, CLIENT_CLOSE.code, CLIENT_CLOSE.reason);
  }

  /** Sends a command; rejects at once when the client is closed or disconnected. */
  protected call(action: string, payload: unknown, options: CallOptions = {}): Promise<unknown> {
    const state = this.#state;
    if (state.state === 'closed') return Promise.reject(closedError(state.reason, action));
    if (state.state === 'disconnected') return Promise.reject(disconnectedError(action));
    if (state.state === 'idle') this.#connect(0, false);
    const reply = this.requests.add(action, payload, { timeoutMs: options.timeoutMs, signal: options.signal });
    this.observe(action, payload, reply);
    this.#flush();
    return reply;
  }

  /** Sends a command on the current socket at once, before it is open (`authorize`); undefined when there is none. */
  protected callNow(action: string, payload: unknown): Promise<unknown> | undefined {
    const socket = this.#socket;
    if (!socket) return undefined;
    return this.requests.add(action, payload, { urgent: true, sendNow: (frame) => socket.send(frame) });
  }

  /** The current attempt, to tell whether an answer still concerns it. */
  protected get generation(): number {
    return this.#generation;
  }

  /** Gives up on the current socket as if it had closed with `close` (an `authorize` refused). */
  protected abandon(close: CloseInfo): void {
    const socket = this.#detach();
    if (socket) void closeSocket(socket, 1000, 'giving up on this socket');
    this.#onClose(close);
  }

  /** Whether a command sent but unanswered when its socket closed is sent again on the next one. */
  protected resendable(_action: string): boolean {
    return false;
  }

  /** Sends what is queued now, when the socket is open (a request added outside `call`). */
  protected flushQueued(): void {
    this.#flush();
  }

  /** The socket is usable: the subclass's `onOpen`, then queued requests, before state listeners run. */
  protected open(connectionId: string, node: string): void {
    clearTimeout(this.#connectTimer);
    this.#state = { state: 'open', connectionId, node };
    this.onOpen();
    this.#flush();
    this.emitter.emitUnchecked('state', this.#state);
  }

  /** Marks the socket as waiting for its authentication after `connected`. */
  protected authenticating(connectionId: string, node: string): void {
    const state = this.#state;
    if (state.state === 'connecting') this.#setState({ state: 'authenticating', attempt: state.attempt, connectionId, node });
  }

  #flush(): void {
    const socket = this.#socket;
    if (socket && this.#state.state === 'open') this.requests.flush((frame) => socket.send(frame));
  }

  #setState(state: ConnectionState): void {
    this.#state = state;
    this.emitter.emitUnchecked('state', state);
  }

  /** Forgets the current socket and stops the timers, so nothing it does later counts. */
  #detach(): SocketLike | undefined {
    const socket = this.#socket;
    this.#socket = undefined;
    clearTimeout(this.#reconnectTimer);
    clearTimeout(this.#connectTimer);
    return socket;
  }

  #connect(attempt: number, refresh: boolean): void {
    const generation = ++this.#generation;
    this.#setState({ state: 'connecting', attempt });
    // Covers getToken(), the handshake, `connected` and the authentication: a server that
    // accepts the TCP connection and then says nothing must not hang the client.
    this.#connectTimer = setTimeout(() => {
      if (generation !== this.#generation) return;
      this.abandon(closeInfo(1006, `no connection within ${this.#connectTimeoutMs} ms`));
    }, this.#connectTimeoutMs);
    this.socketUrl(refresh || attempt > 0).then(
      (url) => this.#openSocket(generation, url),
      (error: unknown) => {
        if (generation === this.#generation) this.#onClose(closeInfo(1006, `getToken() failed: ${messageOf(error)}`));
      },
    );
  }

  #openSocket(generation: number, url: string): void {
    // The client may have been closed, disconnected or restarted while the token was fetched.
    if (generation !== this.#generation || this.#state.state !== 'connecting') return;
    let socket: SocketLike;
    try {
      socket = new this.#WebSocket(url);
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
    this.#detach();
    // Commands already sent are not retried: the server may have run them, and only the caller
    // knows whether trying again is safe, unless the subclass says the action is idempotent (a
    // `chat.send` carries a client id, so the server answers a resend with the first one's message).
    // Queued ones were never seen by the server and wait for the next connection.
    this.requests.fail(
      (action) => {
        const message = `the connection closed (${close.code}) before ${action} was answered`;
        return new SwitchboardError('unavailable', message, { action });
      },
      false,
      (action) => this.resendable(action),
    );
    const state = this.#state;
    if (state.state === 'closed' || state.state === 'disconnected') return;
    if (!this.#reconnect || isTerminalClose(close.code) || this.shouldStop(close)) return this.#terminate(close);
    const attempt = state.state === 'connecting' || state.state === 'authenticating' ? state.attempt + 1 : 1;
    const delayMs = backoff(attempt - 1, this.#reconnect.minDelayMs, this.#reconnect.maxDelayMs);
    this.#setState({ state: 'reconnecting', attempt, delayMs, lastClose: close });
    this.#reconnectTimer = setTimeout(() => this.#connect(attempt, true), delayMs);
  }

  /** Enters the terminal state: no reconnect, and nothing left pending. */
  #terminate(reason: CloseInfo): void {
    this.#detach();
    this.#generation++;
    this.onTerminate();
    this.requests.fail((action) => closedError(reason, action), true);
    this.#setState({ state: 'closed', reason });
  }

  #onMessage(data: unknown): void {
    const value = typeof data === 'string' ? parseJson(data) : undefined;
    const check = checkFrame(this.#validator, value);
    if (!check.ok) return this.invalid(value, check.reason);
    const frame = readServerFrame(value);
    if (!frame) return this.invalid(value, 'not a Switchboard frame');
    this.#dispatch(frame, value);
  }

  #dispatch(frame: ServerFrame, value: unknown): void {
    if (frame.kind === 'event') {
      if (frame.action === 'connected') return this.#onConnected(frame.payload, value);
      return this.onEvent(frame.action, frame.payload, value);
    }
    const id = frame.ref === undefined ? undefined : String(frame.ref);
    const action = id === undefined ? undefined : this.requests.actionOf(id);
    if (frame.kind === 'failure') {
      const { code, message, details } = frame.error;
      if (id !== undefined && this.requests.settle(id, new SwitchboardError(code, message, { details, action }))) return;
      // Late answers to requests that timed out are dropped; only the `error` event is reported.
      if (frame.action !== 'error') return;
      const payload: ErrorEventPayload = frame.ref === undefined ? { error: frame.error } : { error: frame.error, ref: frame.ref };
      this.emitter.emitUnchecked('error', payload);
      return;
    }
    if (action !== undefined && action !== frame.action) return this.invalid(value, `a ${frame.action} reply to a ${action} request`);
    if (id !== undefined) this.requests.settle(id, { payload: frame.payload });
  }

  #onConnected(payload: unknown, value: unknown): void {
    if (!isRecord(payload) || typeof payload.connectionId !== 'string' || typeof payload.node !== 'string') {
      return this.invalid(value, 'a connected event without connectionId and node');
    }
    if (this.#state.state !== 'connecting') return;
    this.onGreeting(payload.connectionId, payload.node);
    this.emitter.emitUnchecked('connected', payload);
  }

  /** Reports an invalid frame: the request it answers rejects with `internal`; others go to `onInvalidFrame` or `error`. */
  protected invalid(frame: unknown, reason: string): void {
    const ref = isRecord(frame) ? frame.ref : undefined;
    const id = typeof ref === 'string' || typeof ref === 'number' ? String(ref) : undefined;
    const action = id === undefined ? undefined : this.requests.actionOf(id);
    if (id !== undefined && action !== undefined) {
      this.requests.settle(id, new SwitchboardError('internal', `invalid ${action} reply: ${reason}`, { action, details: { reason } }));
    }
    if (this.#onInvalidFrame) this.#onInvalidFrame(frame, reason);
    else if (action === undefined) {
      const payload: ErrorEventPayload = { error: { code: 'internal', message: `invalid frame from the server: ${reason}` } };
      this.emitter.emitUnchecked('error', payload);
    }
  }
}

function disconnectedError(action: string): SwitchboardError<'unavailable'> {
  return new SwitchboardError('unavailable', `the client is disconnected: call reconnect() before ${action}`, { action });
}

/** Closes a socket and resolves once it closed; its handlers no longer reach the client. */
function closeSocket(socket: SocketLike, code: number, reason: string): Promise<void> {
  return new Promise<void>((resolve) => {
    socket.onmessage = null;
    socket.onclose = () => resolve();
    socket.close(code, reason);
  });
}
