/**
 * The /ws route: end users' sockets. A token may come with the upgrade (`?token=`, an
 * `Authorization: Bearer` header, or the `sb_token` cookie of a browser page): a bad one gets a
 * socket closed at once with 4501 (4003 if it expired); none leaves the socket anonymous until
 * `authorize`. A page on an origin the server does not allow is closed with 4503.
 */
import { closeCodes, commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import { isAllowedOrigin } from '../auth/origin.ts';
import type { AnonymousPrincipal, UserPrincipal } from '../auth/principal.ts';
import { tokenExpired } from '../auth/tokens.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { HandlerContext } from '../handlers/context.ts';
import { userHandlers } from '../handlers/user.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { AcceptSocket, UpgradeRequest } from '../ws/socket-contract.ts';
import { acceptSockets, tooManySockets, type SocketDeps, principalCounts } from './socket-accept.ts';
import { UserSocketSession, welcomeFrame } from './sessions.ts';
import { closeOnOpen } from './refuse-in-band.ts';
import { STAFF_ONLY_CONTROL, USER_UPDATED_CONTROL, encodeUserEvent } from '../delivery/broadcasts.ts';
import { parseUserInfo } from './user-updated.ts';
import type { Connection } from '../ws/connection.ts';
import type { ControlHandler } from '../ws/hub.ts';

/** The cookie a browser page may carry its access token in. */
export const TOKEN_COOKIE = 'sb_token';

function presentedToken(request: UpgradeRequest): string | undefined {
  const query = request.url.searchParams.get('token');
  if (query) return query;
  const header = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '');
  if (header) return header[1];
  return request.cookie(TOKEN_COOKIE) || undefined;
}

/**
 * Removes the non-staff members of a room made staff-only from it, on this node: each socket
 * leaves the room's topic, is told with `chat.removed`, and leaves its presence (`chat.left`
 * for the others when it was the user's last socket there).
 */
function evictNonStaff(options: SocketDeps, sessions: WeakMap<Connection, UserSocketSession>): ControlHandler {
  return (members, roomId) => {
    for (const connection of members) {
      const session = sessions.get(connection);
      const principal = session?.principal;
      if (!session || principal?.kind !== 'user' || principal.staff) continue;
      const evicted = (async () => {
        const room = await session.leaveRoomById(roomId);
        if (!room) return;
        connection.send(encodeUserEvent('chat.removed', { room: room.name, reason: 'staff_only' }));
        await options.services.chat.exit(room, principal, connection.id);
      })();
      evicted.catch((err: unknown) => connection.log.error({ err }, 'removing a non-staff member from a staff-only room failed'));
    }
  };
}

/** Applies a user's new staff flag or display name to their sockets on this node (the user's own topic). */
function updateUsers(sessions: WeakMap<Connection, UserSocketSession>): ControlHandler {
  return (members, argument) => {
    const user = parseUserInfo(argument);
    if (!user) return;
    for (const connection of members) {
      const updated = sessions.get(connection)?.updateUser(user);
      updated?.catch((err: unknown) => connection.log.error({ err }, "applying a change of the user's staff flag failed"));
    }
  };
}

/** Builds the accept function of the /ws route. */
export function userSocket(options: SocketDeps): AcceptSocket {
  const { services, hub } = options;
  const sessions = new WeakMap<Connection, UserSocketSession>();
  // Sockets that opened anonymous and were counted under a user at `authorize`: released at their end.
  const counted = new WeakMap<Connection, () => void>();
  hub.onControl(STAFF_ONLY_CONTROL, evictNonStaff(options, sessions));
  hub.onControl(USER_UPDATED_CONTROL, updateUsers(sessions));
  const accept = acceptSockets<AnonymousPrincipal | UserPrincipal, HandlerContext<UserSocketSession>>(options, {
    channel: 'user',
    countedAs: principalCounts,
    async authenticate(request) {
      const token = presentedToken(request);
      return token === undefined ? { kind: 'anonymous' } : services.users.principalOf(token);
    },
    createContext(connection, principal) {
      const admit = (user: UserPrincipal) => {
        const admission = options.socketCounts.admit({ app: user.appId, user: `${user.appId}:${user.userId}` });
        if (!admission.admitted) throw tooManySockets(admission.scope, admission.limit);
        counted.set(connection, admission.release);
      };
      const session = new UserSocketSession({ connection, hub, services, principal, admit });
      sessions.set(connection, session);
      return { session, services };
    },
    dispatch: createDispatcher<UserActions, HandlerContext<UserSocketSession>>({
      maxFrameBytes: options.config.maxFrameBytes,
      actions: userActions,
      validators: userPayloadValidators,
      commonErrors,
      handlers: userHandlers,
      onError: (error) => options.metrics.error('socket', error.code, error),
      authenticated: ({ session }) => session.principal.kind === 'user',
    }),
    subscribe: (_connection, { session }) => session.joinUserTopics(),
    afterGreeting(connection, { session }) {
      if (session.principal.kind === 'user') connection.send(welcomeFrame(session.principal));
    },
    async cleanup(connection, { session }) {
      counted.get(connection)?.();
      const { principal } = session;
      if (principal.kind !== 'user') return;
      services.jobs.socketClosed(connection.id);
      await Promise.all(session.joinedRooms().map((room) => services.chat.exit(room, principal, connection.id)));
    },
  });
  // The `sb_token` cookie rides along with any page's upgrade: only allowed origins may use /ws.
  // Refusals a browser must act on are closes with a code, not HTTP statuses (see refuse-in-band.ts).
  return async (request) => {
    const origin = request.header('origin');
    const address = options.resolveAddress(request.peerAddress, request.header('x-forwarded-for'));
    if (!isAllowedOrigin(origin, request.header('host'), options.config.allowedOrigins)) {
      options.log.info({ origin, address }, 'socket refused: origin not allowed');
      return closeOnOpen('origin_refused', 'origin not allowed');
    }
    try {
      return await accept(request);
    } catch (err) {
      // Too many sockets: a browser cannot read a 429, so the socket opens and closes with 4005 (reconnect later).
      if (err instanceof SwitchboardError && err.code === 'rate_limited') {
        options.log.info({ scope: err.details?.scope, address }, 'socket refused: too many sockets');
        return closeOnOpen('too_many_sockets', closeCodes.too_many_sockets.reason);
      }
      if (!(err instanceof SwitchboardError) || err.code !== 'unauthenticated') throw err;
      const expired = err.cause === tokenExpired;
      options.log.info({ reason: err.message, address }, 'socket refused');
      return closeOnOpen(expired ? 'token_expired' : 'unauthorized', expired ? 'token expired' : 'token refused');
    }
  };
}
