import type { JobsApi } from './jobs.ts';
import type {
  CloseReason,
  EndpointActions,
  EndpointEvents,
  ErrorObject,
  RequestId,
  RoomName,
  UserActions,
  UserEvents,
  UserInfo,
} from '@switchboard/protocol';
import type { RequestError } from './errors.ts';

/** The shape of a generated action map (`UserActions`): input, output and error codes per action. */
export type ActionMap<M> = { [A in keyof M]: { input: unknown; output: unknown; errors: string } };

/**
 * The part of a WHATWG WebSocket the client uses; the browser's and the `ws` package's both fit.
 * The handlers take `never` so that every runtime's own event types are accepted; the client
 * reads only `data` from a message and `code`/`reason` from a close.
 */
export interface SocketLike {
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onmessage: ((event: never) => void) | null;
  onclose: ((event: never) => void) | null;
  onerror: ((event: never) => void) | null;
}

/** A WebSocket constructor: `globalThis.WebSocket` in browsers, the `ws` package in Node. */
export type WebSocketConstructor = new (url: string) => SocketLike;

/** The result of checking one server frame against the spec. */
export type FrameCheck = { ok: true } | { ok: false; reason: string };

/** Checks one parsed server frame against the spec (see `validateServerFrame`). */
export type FrameValidator = (frame: unknown) => FrameCheck;

/** How a socket closed, as the client saw it. */
export interface CloseInfo {
  /** The WebSocket close code: 1000 normal, 1006 abnormal, 4000–4999 Switchboard's own. */
  code: number;
  /** The close reason the peer gave, or what the client observed. */
  reason: string;
  /** The documented name of a Switchboard close code, e.g. `token_expired`. */
  name: CloseReason | undefined;
}

/** The connection's state: exactly one of these at a time. */
export type ConnectionState =
  /** Not connected yet (only with `lazy: true`, until the first request or `ready()`). */
  | { state: 'idle' }
  /** Opening a socket; `attempt` is 0 for the first connection, then the reconnect attempt. */
  | { state: 'connecting'; attempt: number }
  /** The socket carries a token and the server sent `connected`; requests wait for `welcome`. */
  | { state: 'authenticating'; attempt: number; connectionId: string; node: string }
  /** The server sent `connected` (and `welcome` when a token was sent); requests flow. */
  | { state: 'open'; connectionId: string; node: string }
  /** Waiting `delayMs` before reconnect attempt `attempt`, after `lastClose`. */
  | { state: 'reconnecting'; attempt: number; delayMs: number; lastClose: CloseInfo }
  /** `disconnect()` closed the socket; nothing reconnects until `reconnect()` (rooms are kept for then). */
  | { state: 'disconnected' }
  /** Terminal: closed by the client, by a 45xx close code, or with reconnection disabled. */
  | { state: 'closed'; reason: CloseInfo };

/** Reconnection delays: full-jitter exponential backoff between the two bounds. */
export interface ReconnectOptions {
  /** The smallest delay before a reconnect. @default 250 */
  minDelayMs: number;
  /** The largest delay before a reconnect. @default 10_000 */
  maxDelayMs: number;
}

/** What every socket client takes (`createClient`, `createEndpointClient`). */
export interface SocketOptions {
  /**
   * The WebSocket implementation.
   * @default globalThis.WebSocket (the Node entry passes the `ws` package)
   */
  WebSocket?: WebSocketConstructor;
  /**
   * How long a request waits for its answer, time queued while connecting included, before it
   * rejects with `timeout`; one call can set its own (`{ timeoutMs }`, the last argument).
   * @default 10_000
   */
  requestTimeoutMs?: number;
  /**
   * How long one connection attempt may take, from asking `getToken` to a usable socket
   * (`connected`, and `welcome` with a token); past it the attempt counts as failed and the
   * client reconnects with backoff.
   * @default 10_000
   */
  connectTimeoutMs?: number;
  /**
   * Reconnection after a close the server allows it for (any code but 4500–4999), or `false`.
   * @default { minDelayMs: 250, maxDelayMs: 10_000 }
   */
  reconnect?: ReconnectOptions | false;
  /**
   * Opens the socket on the first request or `ready()` rather than at once.
   * @default false
   */
  lazy?: boolean;
  /**
   * Checks every server frame against the spec with `validator`.
   * @default true when a `validator` is given; the Node entry gives one and turns this on under test
   */
  validate?: boolean;
  /**
   * The frame checker used when `validate` is on. The browser entry leaves it out so the
   * precompiled validators stay out of the bundle: import `validateServerFrame` (or
   * `validateEndpointFrame`) from `@switchboard/sdk/validate` to pass it.
   * @default undefined (Node entry: the socket's validator)
   */
  validator?: FrameValidator;
  /**
   * Called with each frame that fails validation. A reply always rejects its request with
   * `internal`; without this option, other invalid frames are emitted as the `error` event.
   * @default undefined
   */
  onInvalidFrame?: (frame: unknown, reason: string) => void;
}

/** Options of `createClient`. */
export interface ClientOptions extends SocketOptions {
  /** The socket URL, e.g. `wss://example.com/ws`. */
  url: string;
  /**
   * An access token. It goes in the socket's first frame (`authorize`), never in the URL, where
   * proxies and servers log it (see `tokenIn`).
   * @default undefined
   */
  token?: string;
  /**
   * Fetches a token: before connecting when no token is known, and before every reconnect attempt
   * (a token may expire or be revoked while the socket is down). A failure counts as a failed
   * attempt and is retried with backoff. Without it, a `token_expired` (4003) close is terminal.
   * @default undefined
   */
  getToken?: () => Promise<string> | string;
  /**
   * Where the token goes: `'frame'` sends `authorize` as the socket's first frame; `'query'`
   * puts it in the URL as `?token=` (for servers behind something that needs it there; proxies
   * log URLs).
   * @default 'frame'
   */
  tokenIn?: 'frame' | 'query';
  /**
   * How long a room's message that arrived ahead of a missing seq waits for it (messages sent
   * through different server nodes may overtake each other) before the client recovers the room
   * with a rejoin (`since`); a seq the room did not keep is then announced as `chat.gap`.
   * @default 500
   */
  reorderWindowMs?: number;
}

/** Options of `createEndpointClient`. */
export interface EndpointClientOptions extends SocketOptions {
  /** The server's socket origin, e.g. `wss://example.com` (any path is replaced by `/ws/endpoint/<code>`). */
  url: string;
  /** The endpoint's secret code (shown once by `endpoints.create`). */
  code: string;
}

/** Sends one action with its payload and call options (what the action tree's methods call). */
export type CallAction = (action: string, payload: unknown, options: CallOptions | undefined) => Promise<unknown>;

/** Options of one socket call, its last argument: `client.chat.send(input, { timeoutMs, signal })`. */
export interface CallOptions {
  /** This call's timeout instead of `requestTimeoutMs`; it rejects with `timeout`. */
  timeoutMs?: number;
  /**
   * Aborts the call: it rejects with `aborted` (the signal's reason as `cause`). A call still
   * queued is never sent; one already sent may have run on the server, and its answer is dropped.
   */
  signal?: AbortSignal;
}

/** The `error` event: a server error the client could not attribute to a pending request, or an invalid frame. */
export interface ErrorEventPayload {
  /** What went wrong. */
  error: ErrorObject;
  /** The id of the command the server could read from the offending frame, if any. */
  ref?: RequestId;
}

/**
 * `chat.gap` (SDK-local, never a server frame): the messages `from`–`to` (inclusive) were not
 * delivered and a rejoin could not bring them: the room keeps no history (they were live only and
 * are gone), or the answer was truncated (`more`): then page them with
 * `chat.history({ room, before: to + 1 })` until `from` if the page needs them.
 */
export interface ChatGapEvent {
  /** The room the messages are missing from. */
  room: RoomName;
  /** The first missing seq. */
  from: number;
  /** The last missing seq. */
  to: number;
}

/**
 * `chat.rejoinFailed` (SDK-local, never a server frame): after a reconnect, the server refused
 * to rejoin a room (deleted, now forbidden, ...); the client no longer tracks it.
 */
export interface ChatRejoinFailedEvent {
  /** The room that could not be rejoined. */
  room: RoomName;
  /** Why: the `chat.join` error (`not_found`, `forbidden`, `timeout`, ...). */
  error: RequestError<'chat.join'>;
}

/** Everything `client.on()` listens to: the spec's events and the client's lifecycle. */
export type ClientEvents = Omit<UserEvents, 'error'> & {
  /** The connection state changed. */
  state: ConnectionState;
  /** The server answered with an error the client could not attribute, or sent an invalid frame. */
  error: ErrorEventPayload;
  /** SDK-local: messages a rejoin could not deliver; the app pages them with `chat.history`. */
  'chat.gap': ChatGapEvent;
  /** SDK-local: a room the client could not rejoin after a reconnect, now forgotten. */
  'chat.rejoinFailed': ChatRejoinFailedEvent;
};

/** The names `client.chat.on()` takes: the `chat.*` events without their prefix. */
export type ChatEventName = { [K in keyof ClientEvents]: K extends `chat.${infer E}` ? E : never }[keyof ClientEvents];

/** The listener half of `client.chat`, next to the chat actions. */
export interface ChatListeners {
  /**
   * `client.chat.on('message', fn)` is `client.on('chat.message', fn)`.
   * @example const stop = client.chat.on('gap', ({ room, to }) => client.chat.history({ room, before: to + 1 }));
   */
  on<E extends ChatEventName>(event: E, listener: (payload: ClientEvents[`chat.${E}`]) => void): () => void;
}

/** The argument list of a call: the payload is optional when none of its properties is required; call options come last. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends I` asks whether every property of I is optional
export type PayloadArgs<I> = {} extends I ? [payload?: I, options?: CallOptions] : [payload: I, options?: CallOptions];

/** One action as a method: typed payload (and call options) in, typed reply out. */
export type ActionCall<M extends ActionMap<M>, A extends keyof M> = (...args: PayloadArgs<M[A]['input']>) => Promise<M[A]['output']>;

type Names<M> = keyof M & string;
type Leaves<P extends string, K extends string> = K extends `${P}${infer R}` ? (R extends `${string}.${string}` ? never : R) : never;
type Spaces<P extends string, K extends string> = K extends `${P}${infer S}.${string}` ? S : never;

/**
 * The actions of `M` as nested methods, split on '.': `ping` → `client.ping()`,
 * `chat.join` → `client.chat.join({ room })`. Derived from the generated map alone, so a new
 * action in the spec needs no SDK change.
 */
export type ActionTree<M extends ActionMap<M>, P extends string = ''> = {
  [L in Leaves<P, Names<M>>]: ActionCall<M, Extract<`${P}${L}`, Names<M>>>;
} & {
  [S in Spaces<P, Names<M>>]: ActionTree<M, `${P}${S}.`>;
};

/** The state a successful `ready()` resolves with. */
export type OpenState = Extract<ConnectionState, { state: 'open' }>;

/** What every socket client has besides its actions; `M` its actions, `Ev` its events. */
export interface SocketCore<M extends ActionMap<M>, Ev> {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** Sends the command `action` and resolves with its reply; rejects with a SwitchboardError (its codes, `timeout`, `aborted`, `unavailable`). */
  request<A extends keyof M & string>(action: A, ...args: PayloadArgs<M[A]['input']>): Promise<M[A]['output']>;
  /** Listens to a spec event or a lifecycle event; returns the function that stops listening. */
  on<E extends keyof Ev & string>(event: E, listener: (payload: Ev[E]) => void): () => void;
  /** Resolves when the connection is open (at once if it is); rejects if the client closes for good first: `unauthenticated` after 4501/4003, `forbidden` after 4503 (origin), else `unavailable`, with `details.closeCode`; `unavailable` after `disconnect()`. */
  ready(): Promise<OpenState>;
  /** Closes the socket but not the client: pending calls reject with `unavailable`, and so do new ones, until `reconnect()`. */
  disconnect(): Promise<void>;
  /** Opens a fresh socket now (after `disconnect()`, or in place of the current one, without waiting for a backoff); throws once closed. */
  reconnect(): void;
  /** Closes for good: rejects what is pending with `unavailable`, resolves once the socket closed. */
  close(): Promise<void>;
  /** `await using client = createClient(…)` closes the client at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** The user client's own members; the actions come next to them (see SwitchboardClient). */
export interface ClientCore extends SocketCore<UserActions, ClientEvents> {
  /** The user of the latest `welcome`; undefined until the server sent one. */
  readonly user: UserInfo | undefined;
}

/** The `chat.*` events that concern one room (their payload names it): what `room.on()` takes. */
export type RoomEventName = { [E in ChatEventName]: ClientEvents[`chat.${E}`] extends { room: string } ? E : never }[ChatEventName];

/** What `client.chat.join` adds to its answer: the joined room as a handle. */
export interface RoomHandle {
  /** The room's name. */
  readonly name: RoomName;
  /**
   * Listens to this room's `chat.*` events only: `room.on('message', fn)`. Stops with `leave()`.
   * @example const stop = room.on('message', (m) => render(m));
   */
  on<E extends RoomEventName>(event: E, listener: (payload: ClientEvents[`chat.${E}`]) => void): () => void;
  /** `chat.send` into this room. */
  send(input: Omit<UserActions['chat.send']['input'], 'room'>, options?: CallOptions): Promise<UserActions['chat.send']['output']>;
  /** `chat.history` of this room. */
  history(
    input?: Omit<UserActions['chat.history']['input'], 'room'>,
    options?: CallOptions,
  ): Promise<UserActions['chat.history']['output']>;
  /** `chat.leave` of this room; the listeners added with `room.on` stop first. */
  leave(options?: CallOptions): Promise<UserActions['chat.leave']['output']>;
}

/** The answer of `client.chat.join`: the spec's `chat.join` reply, and the room as a handle. */
export type JoinedRoom = UserActions['chat.join']['output'] & RoomHandle;

type ChatActions = ActionTree<UserActions>['chat'];

/** `client.chat`: the chat actions, `chat.on`, and a `join` that answers with a room handle. */
export type ChatNamespace = Omit<ChatActions, 'join'> &
  ChatListeners & {
    /**
     * Joins a room (`chat.join`); the answer is also a handle of the room.
     * @example
     * const room = await client.chat.join({ room: 'lobby' });
     * room.on('message', (m) => render(m));
     * await room.send({ text: 'hi' });
     */
    join(...args: PayloadArgs<UserActions['chat.join']['input']>): Promise<JoinedRoom>;
  };

/** A Switchboard socket client: its core members, one method per action of the spec, and `chat.on`. */
export type SwitchboardClient = ClientCore & Omit<ActionTree<UserActions>, 'chat'> & { chat: ChatNamespace; jobs: JobsApi };

/** Everything an endpoint client's `on()` listens to: the endpoint socket's events and the lifecycle. */
export type EndpointClientEvents = Omit<EndpointEvents, 'error'> & {
  /** The connection state changed. */
  state: ConnectionState;
  /** The server answered with an error the client could not attribute, or sent an invalid frame. */
  error: ErrorEventPayload;
};

/** A client of an endpoint socket (`/ws/endpoint/{code}`): `message.send`, `ping`, and its events; no `chat.*`. */
export type EndpointClient = SocketCore<EndpointActions, EndpointClientEvents> & ActionTree<EndpointActions>;
