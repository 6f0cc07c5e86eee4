/** Handlers of the /ws socket's actions: thin, typed by the generated registry. */
import type { UserActions } from '@switchboard/protocol';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import { jokes, quotes } from '../data/quotes.ts';
import { SwitchboardError } from '../errors.ts';
import type { PresenceStore } from '../presence/index.ts';
import { userInfo } from '../services/chat.ts';
import type { DomainEvents } from '../services/events.ts';
import { listRooms } from '../services/rooms.ts';
import { withLiveSeq } from '../services/messages.ts';
import type { RoomCache } from '../services/room-cache.ts';
import type { CredentialCache } from '../services/credential-cache.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import { principalOf } from '../services/users.ts';
import { toRoom } from '../wire.ts';
import type { Connection } from '../ws/connection.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import { chatHandlers } from './chat.ts';

/** What a /ws handler gets besides its payload. */
export interface UserContext {
  connection: Connection;
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  tokens: TokenIssuer;
  credentials: CredentialCache;
  sequences: SequenceSource;
  rooms: RoomCache;
  /** Subscribes this socket to a topic (resolves once live). */
  join(topic: string): Promise<void>;
  /** Unsubscribes this socket from a topic. */
  leave(topic: string): Promise<void>;
  /** Joins the topics of an authenticated user socket. */
  joinUserTopics(principal: UserPrincipal): Promise<void>;
  /** The `welcome` frame of a principal. */
  welcome(principal: UserPrincipal): string;
}

/** The user principal of the socket; the dispatcher already refused anonymous sockets non-public actions. */
export function requireUser(connection: Connection): UserPrincipal {
  const { principal } = connection;
  if (principal.kind !== 'user') throw new SwitchboardError('unauthenticated', 'Authorize the socket first.');
  return principal;
}

const pick = <T>(items: readonly T[]): T => items[Math.floor(Math.random() * items.length)]!;

/** Every /ws action's handler; `satisfies` makes a missing one a compile error. */
export const userHandlers = {
  ping: () => ({ pong: true, time: new Date().toISOString() }),
  echo: ({ text }) => ({ text }),
  authorize: async ({ token }, ctx) => {
    const principal = await principalOf(ctx.credentials, ctx.tokens, token);
    const current = ctx.connection.principal;
    if (current.kind === 'user' && current.userId !== principal.userId) {
      throw new SwitchboardError('unauthenticated', 'This socket is already authorized as another user.');
    }
    ctx.connection.principal = principal;
    ctx.connection.closeAt(principal.expiresAt, 'token_expired');
    if (current.kind !== 'user') await ctx.joinUserTopics(principal);
    ctx.connection.afterReply(() => ctx.connection.send(ctx.welcome(principal)));
    return { user: userInfo(principal) };
  },
  quote: () => pick(quotes),
  joke: () => pick(jokes),
  'rooms.list': async (_input, { connection, db, sequences }) => {
    const rooms = await listRooms(db, requireUser(connection).appId);
    return { rooms: (await Promise.all(rooms.map((room) => withLiveSeq(sequences, room)))).map(toRoom) };
  },
  ...chatHandlers,
} satisfies Handlers<UserActions, UserContext>;
