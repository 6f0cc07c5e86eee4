/**
 * /ws/endpoint/{code}: a socket bound to one room by an endpoint's secret code. A bad or revoked
 * code is refused with 401 before the upgrade completes. Readers join the room's messages (and,
 * with `?presence=true`, its members' comings and goings); every
 * endpoint socket joins the room's, the endpoint's and the app's lifecycle topics, so deleting
 * any of them closes it on whichever node it lives.
 */
import { commonErrors, endpointActions, type EndpointActions } from '@switchboard/protocol';
import { endpointPayloadValidators } from '@switchboard/protocol/validators';
import { canRead, type EndpointPrincipal } from '../auth/principal.ts';
import { topics } from '../delivery/topics.ts';
import { endpointHandlers } from '../handlers/endpoint.ts';
import type { HandlerContext } from '../handlers/context.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { AcceptSocket } from '../ws/socket-contract.ts';
import { acceptSockets, type SocketDeps, principalCounts } from './socket-accept.ts';
import { acceptCommunicationServerFrames } from './compat-communication-server.ts';
import { EndpointSocketSession } from './sessions.ts';

/** Builds the accept function of the endpoint route. */
export function endpointSocket(options: SocketDeps): AcceptSocket {
  const { services, hub } = options;
  return acceptSockets<EndpointPrincipal, HandlerContext<EndpointSocketSession>>(options, {
    channel: 'endpoint',
    countedAs: principalCounts,
    async authenticate(request) {
      const endpoint = await services.endpoints.authenticate(request.param('code') ?? '');
      return request.url.searchParams.get('presence') === 'true' ? { ...endpoint, presence: true } : endpoint;
    },
    createContext: (_connection, endpoint) => ({ session: new EndpointSocketSession(endpoint), services }),
    // Deployed communication-server clients send `{"message": ...}`; it is taken as message.send.
    dispatch: acceptCommunicationServerFrames(
      createDispatcher<EndpointActions, HandlerContext<EndpointSocketSession>>({
        maxFrameBytes: options.config.maxFrameBytes,
        actions: endpointActions,
        validators: endpointPayloadValidators,
        commonErrors,
        handlers: endpointHandlers,
        onError: (error) => options.metrics.error('socket', error.code, error),
        authenticated: () => true,
      }),
      options.config.maxFrameBytes,
    ),
    async subscribe(connection, { session: { endpoint } }) {
      const joins = [topics.roomControl(endpoint.roomId), topics.endpoint(endpoint.endpointId), topics.app(endpoint.appId)];
      if (canRead(endpoint.permissions)) joins.push(topics.roomReaders(endpoint.roomId));
      // Presence is the room's to read: a write-only endpoint does not get it by asking.
      if (canRead(endpoint.permissions) && endpoint.presence) joins.push(topics.roomPresence(endpoint.roomId));
      await Promise.all(joins.map((topic) => hub.join(topic, connection)));
      // Revoked between the credential's read and the subscriptions: this socket did not hear the
      // close, but this node heard the revocation.
      if (services.endpoints.revoked(endpoint)) {
        connection.close('unauthorized');
        return;
      }
      // An expiring code closes its sockets at the expiry (4003), to the second, like a token.
      if (endpoint.expiresAt !== Number.POSITIVE_INFINITY) connection.expireAt(endpoint.expiresAt);
      await services.endpoints.attach(endpoint, connection.id);
      // Closed while subscribing: `cleanup` may have run before the entry existed.
      if (connection.phase.phase === 'closed') await services.endpoints.detach(endpoint, connection.id);
    },
    greeting: ({ session: { endpoint } }) => ({
      endpoint: { id: endpoint.endpointId, room: endpoint.room, permissions: endpoint.permissions, identity: endpoint.identity },
    }),
    cleanup: (connection, { session }) => services.endpoints.detach(session.endpoint, connection.id),
  });
}
