import { createJobsApi } from './jobs.ts';
import type { UserActions, UserInfo } from '@switchboard/protocol';
import { clientActions } from './action-tree.ts';
import { closeInfo } from './close-info.ts';
import { isSwitchboardError, SwitchboardError } from './errors.ts';
import { readUser } from './frames.ts';
import { isRecord } from './json.ts';
import { RoomTracker } from './room-tracker.ts';
import { SocketClient } from './socket-client.ts';
import type {
  CallOptions,
  ChatListeners,
  ClientCore,
  ClientEvents,
  ClientOptions,
  CloseInfo,
  PayloadArgs,
  SwitchboardClient,
} from './types.ts';
import { randomClientId } from './client-id.ts';

/**
 * Creates a Switchboard socket client: typed actions, typed events, reconnection. With a token,
 * each socket sends `authorize` first (the token never goes in the URL unless `tokenIn: 'query'`)
 * and waits for `welcome` before anything else; rooms joined through `client.chat.join` are
 * rejoined after a reconnect and their missed messages delivered as `chat.message`, once and in
 * seq order (see the SDK-local `chat.gap` and `chat.rejoinFailed` events).
 *
 * @example
 * await using client = createClient({ url: 'wss://example.com/ws', token, getToken: refreshToken });
 * const room = await client.chat.join({ room: 'lobby' });
 * room.on('message', (m) => render(m));
 * await room.send({ text: 'hello' }, { timeoutMs: 2_000 });
 */
export function createClient(options: ClientOptions): SwitchboardClient {
  // The action methods are added at run time from the registry; their type is ActionTree.
  return new Client(options) as Client & SwitchboardClient;
}

/** A `chat.send` gets a fresh client id unless the caller gave one: a resend after a reconnect is then stored once. */
function withClientId(action: string, payload: unknown): unknown {
  if (action !== 'chat.send' || !isRecord(payload) || payload.clientId !== undefined) return payload;
  return { ...payload, clientId: randomClientId() };
}

class Client extends SocketClient<ClientEvents> implements ClientCore {
  #url: URL;
  #token: string | undefined;
  #getToken: (() => Promise<string> | string) | undefined;
  #tokenInQuery: boolean;
  #rooms: RoomTracker;
  #user: UserInfo | undefined;
  /** While `onOpen` rejoins every room: the joins go out together, ahead of any queued send. */
  #rejoiningAll = false;

  constructor(options: ClientOptions) {
    super(options);
    this.#url = new URL(options.url);
    this.#token = options.token;
    this.#getToken = options.getToken;
    this.#tokenInQuery = options.tokenIn === 'query';
    this.#rooms = new RoomTracker({
      emitter: this.emitter,
      // Sent at once when the socket is open: a rejoin may come from a timer or a paged answer, not only from a reconnect.
      rejoin: (room, since) => {
        const reply = this.requests.add('chat.join', { room, since }, { urgent: true });
        if (!this.#rejoiningAll) this.flushQueued();
        return reply;
      },
      isOpen: () => this.state.state === 'open',
      reorderWindowMs: options.reorderWindowMs,
    });
    const chatOn: ChatListeners['on'] = (event, listener) => this.on(`chat.${event}`, listener);
    Object.assign(
      this,
      clientActions(this, (action, payload, callOptions) => this.call(action, payload, callOptions), chatOn),
      { jobs: createJobsApi(this) },
    );
    this.start(options.lazy);
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
    return this.call(action, args[0], args[1]) as Promise<UserActions[A]['output']>;
  }

  protected override call(action: string, payload: unknown, options?: CallOptions): Promise<unknown> {
    const room = action === 'chat.send' && isRecord(payload) && typeof payload.room === 'string' ? payload.room : undefined;
    const sent = withClientId(action, payload);
    // A room being rejoined: its rejoin goes out first (the server handles a socket's frames in
    // order). Still not rejoined (an outage), the server's "join first" is a "not now". Asked
    // again when the answer comes: a send resent on the next socket meets the rejoin there.
    if (room !== undefined) this.#rooms.rejoining(room);
    const reply = super.call(action, sent, options);
    if (room === undefined) return reply;
    return reply.catch((error: unknown) => {
      if (!isSwitchboardError(error) || error.code !== 'forbidden' || !this.#rooms.rejoining(room, false)) throw error;
      throw new SwitchboardError('unavailable', `Rejoining ${room} after an outage; send again.`, { action, cause: error });
    });
  }

  protected override resendable(action: string): boolean {
    return action === 'chat.send';
  }

  protected override async socketUrl(refresh: boolean): Promise<string> {
    // getToken is asked on every reconnect (the old token may have expired or been revoked
    // meanwhile), and first when no token was given.
    if (this.#getToken && (this.#token === undefined || refresh)) this.#token = await this.#getToken();
    const url = new URL(this.#url);
    if (this.#tokenInQuery && this.#token !== undefined) url.searchParams.set('token', this.#token);
    return url.toString();
  }

  protected override onGreeting(connectionId: string, node: string): void {
    const token = this.#token;
    // A socket opened with a token is usable once the server accepted it, which `welcome` says.
    if (token === undefined) return this.open(connectionId, node);
    this.authenticating(connectionId, node);
    if (this.#tokenInQuery) return;
    const generation = this.generation;
    this.callNow('authorize', { token })?.catch((error: unknown) => {
      if (generation !== this.generation || this.state.state !== 'authenticating') return;
      this.abandon(refusal(error));
    });
  }

  protected override onEvent(action: string, payload: unknown, frame: unknown): void {
    if (action === 'welcome') return this.#onWelcome(payload, frame);
    if (action === 'user.updated') return this.#onUserUpdated(payload, frame);
    if (action === 'chat.message') return this.#rooms.message(payload);
    if (action === 'chat.removed') this.#rooms.removed(payload);
    this.emitter.emitUnchecked(action, payload);
  }

  protected override onOpen(): void {
    // Rejoins go first, then queued requests in order (a send resent from the last socket
    // included), all before listeners can issue new ones: `open` flushes right after.
    this.#rejoiningAll = true;
    try {
      this.#rooms.rejoinAll();
    } finally {
      this.#rejoiningAll = false;
    }
  }

  protected override onTerminate(): void {
    this.#rooms.dispose();
  }

  protected override shouldStop(close: CloseInfo): boolean {
    // Without getToken the same expired token would be refused on every attempt.
    return close.name === 'token_expired' && !this.#getToken;
  }

  protected override observe(action: string, payload: unknown, reply: Promise<unknown>): void {
    this.#rooms.observe(action, payload, reply);
    // The token an `authorize` proved good authenticates every later socket.
    const token = action === 'authorize' && isRecord(payload) ? payload.token : undefined;
    if (typeof token === 'string')
      reply.then(
        () => (this.#token = token),
        () => {},
      );
  }

  /** The server changed who the user is (staff flag, display name): `client.user` follows at once. */
  #onUserUpdated(payload: unknown, frame: unknown): void {
    const user = isRecord(payload) ? readUser(payload.user) : undefined;
    if (!user) return this.invalid(frame, 'a user.updated event without a user');
    this.#user = user;
    this.emitter.emitUnchecked('user.updated', payload);
  }

  #onWelcome(payload: unknown, frame: unknown): void {
    const user = isRecord(payload) ? readUser(payload.user) : undefined;
    if (!user) return this.invalid(frame, 'a welcome event without a user');
    this.#user = user;
    const state = this.state;
    if (state.state === 'authenticating') this.open(state.connectionId, state.node);
    this.emitter.emitUnchecked('welcome', payload);
  }
}

/**
 * The close a refused `authorize` stands for, as if the server had refused the token in the URL:
 * an expired token is 4003 (getToken, then reconnect), any other refusal 4501 (do not); an
 * answer that is no refusal (rate limited, unavailable) is a failed attempt, retried.
 */
function refusal(error: unknown): CloseInfo {
  if (!isSwitchboardError(error)) return closeInfo(1006, 'authorize failed');
  if (error.code !== 'unauthenticated') return closeInfo(1006, `authorize failed: ${error.code}`);
  const expired = error.details?.expired === true;
  return closeInfo(expired ? 4003 : 4501, expired ? 'token expired' : 'token refused');
}
