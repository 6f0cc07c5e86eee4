/**
 * The /ws route: end users' sockets. A token may come with the upgrade (`?token=`, an
 * `Authorization: Bearer` header, or the `sb_token` cookie of a browser page): a bad one gets a
 * socket closed at once with 4501 (4003 if it expired); none leaves the socket anonymous until
 * `authorize`. A page on an origin the server does not allow is closed with 4503.
 */
import { commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import { isAllowedOrigin } from '../auth/origin.ts';
import type { AnonymousPrincipal, UserPrincipal } from '../auth/principal.ts';
import { tokenExpired } from '../auth/tokens.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { HandlerContext } from '../handlers/context.ts';
import { userHandlers } from '../handlers/user.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { AcceptSocket, UpgradeRequest } from '../ws/socket-contract.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';
import { UserSocketSession, welcomeFrame } from './sessions.ts';
import { closeOnOpen } from './refuse-in-band.ts';

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
  const accept = acceptSockets<AnonymousPrincipal | UserPrincipal, HandlerContext<UserSocketSession>>(options, {
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
  // The `sb_token` cookie rides along with any page's upgrade: only allowed origins may use /ws.
  // Refusals a browser must act on are closes with a code, not HTTP statuses (see refuse-in-band.ts).
  return async (request) => {
    const origin = request.header('origin');
    if (!isAllowedOrigin(origin, request.header('host'), options.config.allowedOrigins)) {
      options.log.info({ origin }, 'socket refused: origin not allowed');
      return closeOnOpen('origin_refused', 'origin not allowed');
    }
    try {
      return await accept(request);
    } catch (err) {
      if (!(err instanceof SwitchboardError) || err.code !== 'unauthenticated') throw err;
      const expired = err.cause === tokenExpired;
      options.log.info({ reason: err.message }, 'socket refused');
      return closeOnOpen(expired ? 'token_expired' : 'unauthorized', expired ? 'token expired' : 'token refused');
    }
  };
}
