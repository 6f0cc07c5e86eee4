import type { CloseReason, ErrorObject, RequestId, RoomName, UserActions, UserEvents, UserInfo } from '@switchboard/protocol';
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
  /** Terminal: closed by the client, by a 45xx close code, or with reconnection disabled. */
  | { state: 'closed'; reason: CloseInfo };

/** Reconnection delays: full-jitter exponential backoff between the two bounds. */
export interface ReconnectOptions {
  /** The smallest delay before a reconnect. @default 250 */
  minDelayMs: number;
  /** The largest delay before a reconnect. @default 10_000 */
  maxDelayMs: number;
}

/** Options of `createClient`. */
export interface ClientOptions {
  /** The socket URL, e.g. `wss://example.com/ws`. */
  url: string;
  /**
   * An access token, sent as the `token` query parameter.
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
   * The WebSocket implementation.
   * @default globalThis.WebSocket (the Node entry passes the `ws` package)
   */
  WebSocket?: WebSocketConstructor;
  /**
   * How long a request waits for its answer, time queued while connecting included, before it
   * rejects with `timeout`.
   * @default 10_000
   */
  requestTimeoutMs?: number;
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
   * precompiled validators stay out of the bundle: import `validateServerFrame` from
   * `@switchboard/sdk/validate` to pass it.
   * @default undefined (Node entry: validateServerFrame)
   */
  validator?: FrameValidator;
  /**
   * Called with each frame that fails validation. A reply always rejects its request with
   * `internal`; without this option, other invalid frames are emitted as the `error` event.
   * @default undefined
   */
  onInvalidFrame?: (frame: unknown, reason: string) => void;
  /**
   * How long a room's message that arrived ahead of a missing seq waits for it (messages sent
   * through different server nodes may overtake each other) before the client recovers the room
   * with a rejoin (`since`); a seq the room did not keep is then announced as `chat.gap`.
   * @default 500
   */
  reorderWindowMs?: number;
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

/** The argument list of a call: the payload is optional when none of its properties is required. */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- `{} extends I` asks whether every property of I is optional
export type PayloadArgs<I> = {} extends I ? [payload?: I] : [payload: I];

/** One action as a method: typed payload in, typed reply out. */
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

/** The client's own members; the actions come next to them (see SwitchboardClient). */
export interface ClientCore {
  /** The current connection state. */
  readonly state: ConnectionState;
  /** The user of the latest `welcome`; undefined until the server sent one. */
  readonly user: UserInfo | undefined;
  /** Sends the command `action` and resolves with its reply; rejects with a `RequestError<A>`. */
  request<A extends keyof UserActions & string>(
    action: A,
    ...args: PayloadArgs<UserActions[A]['input']>
  ): Promise<UserActions[A]['output']>;
  /** Listens to a spec event or a lifecycle event; returns the function that stops listening. */
  on<E extends keyof ClientEvents & string>(event: E, listener: (payload: ClientEvents[E]) => void): () => void;
  /** Resolves when the connection is open (at once if it is); rejects if the client closes for good first: `unauthenticated` after 4501/4003, `forbidden` after 4503 (origin), else `unavailable`, with `details.closeCode`. */
  ready(): Promise<OpenState>;
  /** Closes for good: rejects what is pending with `unavailable`, resolves once the socket closed. */
  close(): Promise<void>;
  /** `await using client = createClient(…)` closes the client at the end of the block. */
  [Symbol.asyncDispose](): Promise<void>;
}

/** A Switchboard socket client: its core members, one method per action of the spec, and `chat.on`. */
export type SwitchboardClient = ClientCore & ActionTree<UserActions> & { chat: ChatListeners };
