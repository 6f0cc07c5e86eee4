/** The /ws route: end users' sockets (anonymous for now; tokens arrive with users). */
import { commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import type { Authenticator } from '../auth/principal.ts';
import { userHandlers, type UserContext } from '../handlers/user.ts';
import { createDispatcher } from './dispatcher.ts';
import type { AcceptSocket } from './node-upgrade.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';

/** Builds the accept function of the /ws route. */
export function userSocket(deps: SocketDeps, authenticate: Authenticator): AcceptSocket {
  return acceptSockets(deps, {
    channel: 'user',
    authenticate: async (c) => authenticate(c.req.raw, c.req.param()),
    dispatch: createDispatcher<UserActions, UserContext>({
      maxFrameBytes: deps.config.maxFrameBytes,
      actions: userActions,
      validators: userPayloadValidators,
      commonErrors,
      handlers: userHandlers,
      context: (connection): UserContext => ({ connection }),
    }),
  });
}
