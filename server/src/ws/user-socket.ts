/**
 * The /ws route: end users' sockets. A token may come with the upgrade (`?token=`, an
 * `Authorization: Bearer` header, or the `sb_token` cookie of a browser page): a bad one is
 * refused with 401 before the upgrade; none leaves the socket anonymous until `authorize`.
 */
import { commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import type { Principal, UserPrincipal } from '../auth/principal.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import { userHandlers, type UserContext } from '../handlers/user.ts';
import type { PresenceStore } from '../presence/index.ts';
import { exit, userInfo } from '../services/chat.ts';
import type { DomainEvents } from '../services/events.ts';
import type { RoomCache } from '../services/room-cache.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import { principalOf, userRevocationKeys } from '../services/users.ts';
import type { CredentialCache } from '../services/credential-cache.ts';
import type { Connection } from './connection.ts';
import { createDispatcher } from './dispatcher.ts';
import { encodeUserEvent } from './broadcasts.ts';
import type { AcceptSocket, UpgradeRequest } from './node-upgrade.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';
import { topics } from './topics.ts';

/** What the /ws route needs besides the socket basics. */
export interface UserSocketDeps extends SocketDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  tokens: TokenIssuer;
  sequences: SequenceSource;
  rooms: RoomCache;
  credentials: CredentialCache;
}

/** The cookie a browser page may carry its access token in. */
export const TOKEN_COOKIE = 'sb_token';

function presentedToken(request: UpgradeRequest): string | undefined {
  const query = request.url.searchParams.get('token');
  if (query) return query;
  const header = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '');
  if (header) return header[1];
  return request.cookie(TOKEN_COOKIE) || undefined;
}

/** The `welcome` frame of an authenticated socket. */
function welcome(principal: UserPrincipal): string {
  return encodeUserEvent('welcome', {
    user: userInfo(principal),
    app: { id: principal.appId, name: principal.appName },
    expiresAt: new Date(principal.expiresAt).toISOString(),
  });
}

/** Builds the accept function of the /ws route. */
export function userSocket(deps: UserSocketDeps): AcceptSocket {
  const { db, events, presence, tokens, hub, sequences, rooms, credentials } = deps;
  const joinUserTopics = async (connection: Connection, principal: UserPrincipal) => {
    await Promise.all([topics.user(principal.userId), topics.app(principal.appId), topics.appUsers(principal.appId)].map((t) => hub.join(t, connection)));
    // Deleted between the credential's read and the subscriptions: the close went unheard here.
    if (credentials.revokedSince(userRevocationKeys(principal), principal.verifiedAt)) connection.close('unauthorized');
  };
  const contextOf = (connection: Connection): UserContext => ({
    connection,
    db,
    events,
    presence,
    tokens,
    credentials,
    sequences,
    rooms,
    join: (topic) => hub.join(topic, connection),
    leave: (topic) => hub.leave(topic, connection),
    joinUserTopics: (principal) => joinUserTopics(connection, principal),
    welcome,
  });
  return acceptSockets<Principal>(deps, {
    channel: 'user',
    async authenticate(request) {
      const token = presentedToken(request);
      return token === undefined ? { kind: 'anonymous' } : principalOf(credentials, tokens, token);
    },
    dispatch: createDispatcher<UserActions, UserContext>({
      maxFrameBytes: deps.config.maxFrameBytes,
      actions: userActions,
      validators: userPayloadValidators,
      commonErrors,
      handlers: userHandlers,
      context: contextOf,
    }),
    async open(connection, principal) {
      if (principal.kind !== 'user') return;
      connection.closeAt(principal.expiresAt, 'token_expired');
      await joinUserTopics(connection, principal);
    },
    opened(connection, principal) {
      if (principal.kind === 'user') connection.send(welcome(principal));
    },
    async closed(connection, principal) {
      if (principal.kind !== 'user') return;
      const user = userInfo(principal);
      await Promise.all([...connection.rooms].map(([name, id]) => exit(presence, events, { id, name }, user, connection.id)));
    },
  });
}
