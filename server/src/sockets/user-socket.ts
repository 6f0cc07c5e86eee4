/**
 * The /ws route: end users' sockets. A token may come with the upgrade (`?token=`, an
 * `Authorization: Bearer` header, or the `sb_token` cookie of a browser page): a bad one is
 * refused with 401 before the upgrade; none leaves the socket anonymous until `authorize`.
 */
import { commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import type { AnonymousPrincipal, UserPrincipal } from '../auth/principal.ts';
import type { HandlerContext } from '../handlers/context.ts';
import { userHandlers } from '../handlers/user.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { AcceptSocket, UpgradeRequest } from '../ws/socket-contract.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';
import { UserSocketSession, welcomeFrame } from './sessions.ts';

/** The cookie a browser page may carry its access token in. */
export const TOKEN_COOKIE = 'sb_token';

function presentedToken(request: UpgradeRequest): string | undefined {
  const query = request.url.searchParams.get('token');
  if (query) return query;
  const header = /^Bearer\s+(\S+)$/i.exec(request.header('authorization') ?? '');
  if (header) return header[1];
  return request.cookie(TOKEN_COOKIE) || undefined;
}

/** Builds the accept function of the /ws route. */
export function userSocket(options: SocketDeps): AcceptSocket {
  const { services, hub } = options;
  return acceptSockets<AnonymousPrincipal | UserPrincipal, HandlerContext<UserSocketSession>>(options, {
    channel: 'user',
    async authenticate(request) {
      const token = presentedToken(request);
      return token === undefined ? { kind: 'anonymous' } : services.users.principalOf(token);
    },
    createContext: (connection, principal) => ({ session: new UserSocketSession({ connection, hub, services, principal }), services }),
    dispatch: createDispatcher<UserActions, HandlerContext<UserSocketSession>>({
      maxFrameBytes: options.config.maxFrameBytes,
      actions: userActions,
      validators: userPayloadValidators,
      commonErrors,
      handlers: userHandlers,
      authenticated: ({ session }) => session.principal.kind === 'user',
    }),
    subscribe: (_connection, { session }) => session.joinUserTopics(),
    afterGreeting(connection, { session }) {
      if (session.principal.kind === 'user') connection.send(welcomeFrame(session.principal));
    },
    async cleanup(connection, { session }) {
      const { principal } = session;
      if (principal.kind !== 'user') return;
      await Promise.all(session.joinedRooms().map((room) => services.chat.exit(room, principal, connection.id)));
    },
  });
}
