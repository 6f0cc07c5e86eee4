/**
 * Type tests of the SDK, run by vitest's typecheck mode (`npm test`, test/sdk/tsconfig.types.json) and
 * checked by `tsc -p tsconfig.json` too: each `Expect<Equal<…>>`
 * and each `@ts-expect-error` below fails the typecheck when the SDK's types drift.
 */
import { createEndpointClient, createRestClient, isSwitchboardError } from '@switchboard/sdk';
import type {
  ActionTree,
  CallOptions,
  ChatGapEvent,
  ChatJoinOutput,
  ChatRejoinFailedEvent,
  ClientCore,
  ConnectedEvent,
  ConnectionState,
  EndpointClient,
  JoinedRoom,
  RoomMessage,
  EchoOutput,
  ErrorEventPayload,
  Health,
  NotificationEvent,
  PingOutput,
  Readiness,
  RoomMessageOutput,
  PresenceEvent,
  SwitchboardClient,
  UserActions,
  UserEvents,
  UserInfo,
} from '@switchboard/sdk';
import type { Equal, Expect } from './type-helpers.ts';

/** An action map with dotted and deeper names than the spec has today. */
type GrownActions = {
  ping: UserActions['ping'];
  'game.join': { input: { game: string; since?: number }; output: { joined: true }; errors: 'forbidden' | 'not_found' };
  'game.history.list': { input: { game: string }; output: { moves: string[] }; errors: 'not_found' };
  'games.list': { input: { prefix?: string }; output: { games: string[] }; errors: never };
};

export async function actionCalls(client: SwitchboardClient): Promise<void> {
  const echoed = await client.echo({ text: 'x' });
  type _echo = Expect<Equal<typeof echoed, EchoOutput>>;
  type _echoShape = Expect<Equal<EchoOutput, { text: string }>>;
  const pong = await client.ping();
  type _ping = Expect<Equal<typeof pong, PingOutput>>;
  await client.ping({});
  const requested = await client.request('echo', { text: 'x' });
  type _request = Expect<Equal<typeof requested, EchoOutput>>;

  // @ts-expect-error text is required
  await client.echo({});
  // @ts-expect-error the payload is required when a property is
  await client.echo();
  // @ts-expect-error text is a string
  await client.echo({ text: 1 });
  // @ts-expect-error ping takes no properties
  await client.ping({ extra: true });
  // @ts-expect-error no such action
  await client.nope();
  // @ts-expect-error no such action
  await client.request('nope');
  // @ts-expect-error the reply is not a number
  const wrong: number = await client.echo({ text: 'x' });
  void wrong;
}

export function dottedActions(tree: ActionTree<GrownActions>): void {
  type _join = Expect<Equal<Parameters<typeof tree.game.join>, [payload: { game: string; since?: number }, options?: CallOptions]>>;
  type _joined = Expect<Equal<Awaited<ReturnType<typeof tree.game.join>>, { joined: true }>>;
  type _deep = Expect<Equal<Awaited<ReturnType<typeof tree.game.history.list>>, { moves: string[] }>>;
  type _optional = Expect<Equal<Parameters<typeof tree.games.list>, [payload?: { prefix?: string }, options?: CallOptions]>>;
  void tree.games.list();
  void tree.game.join({ game: 'g-1' });
  // @ts-expect-error game is required
  void tree.game.join();
  // @ts-expect-error no such action under game
  void tree.game.leave({ game: 'g-1' });
  // @ts-expect-error `game` is a namespace, not a call
  void tree.game({ game: 'g-1' });
}

export async function chat(client: SwitchboardClient): Promise<void> {
  const joined = await client.chat.join({ room: 'x', since: 3 }, { timeoutMs: 1_000, signal: AbortSignal.timeout(2_000) });
  type _joined = Expect<Equal<typeof joined, JoinedRoom>>;
  const { members, lastSeq }: ChatJoinOutput = joined;
  void [members, lastSeq];
  joined.on('message', (message) => {
    type _message = Expect<Equal<typeof message, RoomMessageOutput>>;
  });
  joined.on('joined', (presence) => {
    type _presence = Expect<Equal<typeof presence, PresenceEvent>>;
  });
  const mine = await joined.send({ text: 'hi' }, { timeoutMs: 500 });
  type _mine = Expect<Equal<typeof mine, RoomMessageOutput>>;
  // @ts-expect-error the handle names the room itself
  await joined.send({ room: 'other', text: 'hi' });
  // @ts-expect-error no such room event
  joined.on('nope', () => {});
  await joined.leave();
  await client.chat.send({ room: 'x', text: 'hi' }, { signal: new AbortController().signal });
  // @ts-expect-error timeoutMs is a number
  await client.chat.send({ room: 'x', text: 'hi' }, { timeoutMs: '1' });
  await client.chat.send({ room: 'x', text: 'hi', data: { any: ['json'] } });
  await client.chat.leave({ room: 'x' });
  // @ts-expect-error text is required
  await client.chat.send({ room: 'x' });
  // @ts-expect-error since is a number
  await client.chat.join({ room: 'x', since: '3' });
  const stop = client.chat.on('message', (message) => {
    type _message = Expect<Equal<typeof message, RoomMessageOutput>>;
  });
  type _stop = Expect<Equal<typeof stop, () => void>>;
  client.chat.on('gap', (gap) => {
    type _gap = Expect<Equal<typeof gap, ChatGapEvent>>;
  });
  client.on('chat.rejoinFailed', (failed) => {
    type _failed = Expect<Equal<typeof failed, ChatRejoinFailedEvent>>;
    // @ts-expect-error chat.join never answers conflict
    if (failed.error.code === 'conflict') return;
  });
  // @ts-expect-error no such chat event
  client.chat.on('nope', () => {});
  const user = client.user;
  type _user = Expect<Equal<typeof user, UserInfo | undefined>>;
}

export async function errorNarrowing(client: SwitchboardClient): Promise<void> {
  try {
    await client.echo({ text: 'x' });
  } catch (error) {
    if (isSwitchboardError(error, 'echo')) {
      const code = error.code;
      type _codes = Expect<
        Equal<
          typeof code,
          | 'unauthenticated'
          | 'validation_failed'
          | 'rate_limited'
          | 'internal'
          | 'unavailable'
          | 'bad_request'
          | 'frame_too_large'
          | 'unknown_action'
          | 'timeout'
          | 'aborted'
        >
      >;
      if (error.code === 'validation_failed') {
        const narrowed = error.code;
        type _narrowed = Expect<Equal<typeof narrowed, 'validation_failed'>>;
      }
      // @ts-expect-error echo never answers not_found: the comparison has no overlap
      if (error.code === 'not_found') return;
    }
    if (isSwitchboardError(error)) {
      const details = error.details;
      type _details = Expect<Equal<typeof details, Record<string, unknown> | undefined>>;
    }
  }
}

export function events(client: SwitchboardClient): void {
  const stop = client.on('notification', (payload) => {
    type _payload = Expect<Equal<typeof payload, NotificationEvent>>;
  });
  type _stop = Expect<Equal<typeof stop, () => void>>;
  client.on('connected', (payload) => {
    type _connected = Expect<Equal<typeof payload, ConnectedEvent>>;
  });
  client.on('state', (state) => {
    type _state = Expect<Equal<typeof state, ConnectionState>>;
    if (state.state === 'reconnecting') {
      const delay: number = state.delayMs;
      void delay;
    }
  });
  client.on('error', (payload) => {
    type _error = Expect<Equal<typeof payload, ErrorEventPayload>>;
  });
  // @ts-expect-error no such event
  client.on('nope', () => {});
  // @ts-expect-error a notification is not a string
  client.on('notification', (payload: string) => void payload);
}

export function noCollisions(): void {
  // An action or event named like a client member would shadow it: the spec must not add one.
  type _actions = Expect<Equal<Extract<keyof ActionTree<UserActions>, keyof ClientCore>, never>>;
  type _events = Expect<Equal<Extract<keyof UserEvents, 'state' | 'chat.gap' | 'chat.rejoinFailed'>, never>>;
  type _chatOn = Expect<Equal<Extract<keyof ActionTree<UserActions>['chat'], 'on'>, never>>;
}

export async function rest(): Promise<void> {
  const api = createRestClient({ baseUrl: 'http://127.0.0.1:8080', apiKey: 'key' });
  const health = await api.health();
  type _health = Expect<Equal<typeof health, Health>>;
  const ready = await api.ready();
  type _ready = Expect<Equal<typeof ready, Readiness>>;
  const raw = await api.raw.GET('/healthz');
  type _raw = Expect<Equal<typeof raw.data, Health | undefined>>;
  // @ts-expect-error not a path of the spec
  await api.raw.GET('/nope');
}

export async function endpointClient(): Promise<void> {
  const bot = createEndpointClient({ url: 'ws://127.0.0.1:8080', code: 'c' });
  type _bot = Expect<Equal<typeof bot, EndpointClient>>;
  const sent = await bot.message.send({ data: { any: ['json'] } }, { timeoutMs: 1_000 });
  type _sent = Expect<Equal<typeof sent, RoomMessage>>;
  bot.on('message', (message) => {
    type _message = Expect<Equal<typeof message, RoomMessage>>;
  });
  await bot.disconnect();
  bot.reconnect();
  // @ts-expect-error an endpoint socket has no chat
  await bot.chat.join({ room: 'x' });
  // @ts-expect-error no such endpoint event
  bot.on('chat.message', () => {});
  await bot.close();
}
