/**
 * /ws/endpoint/{code}: a socket bound to one room by an endpoint's secret code. A bad or revoked
 * code is refused with 401 before the upgrade completes. Readers join the room's messages; every
 * endpoint socket joins the room's, the endpoint's and the app's lifecycle topics, so deleting
 * any of them closes it on whichever node it lives.
 */
import { commonErrors, endpointActions, type EndpointActions } from '@switchboard/protocol';
import { endpointPayloadValidators } from '@switchboard/protocol/validators';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { canRead, type EndpointPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { endpointHandlers, type EndpointContext } from '../handlers/endpoint.ts';
import type { PresenceStore } from '../presence/index.ts';
import { endpointPresenceKey } from '../services/endpoints.ts';
import { revocationKey, type CredentialCache } from '../services/credential-cache.ts';
import type { DomainEvents } from '../services/events.ts';
import type { RoomCache } from '../services/room-cache.ts';
import type { SequenceSource } from '../sequences/sequence-source.ts';
import { createDispatcher } from '../ws/dispatcher.ts';
import type { AcceptSocket } from '../ws/socket-contract.ts';
import { acceptSockets, type SocketDeps } from './socket-accept.ts';
import { topics } from '../delivery/topics.ts';

/** What the endpoint route needs besides the socket basics. */
export interface EndpointSocketDeps extends SocketDeps {
  db: Kysely<Database>;
  events: DomainEvents;
  presence: PresenceStore;
  sequences: SequenceSource;
  rooms: RoomCache;
  credentials: CredentialCache;
}

/** Builds the accept function of the endpoint route. */
export function endpointSocket(deps: EndpointSocketDeps): AcceptSocket {
  const { db, events, presence, hub, sequences, rooms, credentials } = deps;
  return acceptSockets<EndpointPrincipal>(deps, {
    channel: 'endpoint',
    async authenticate(request) {
      const found = await credentials.endpoint(request.param('code') ?? '');
      if (!found) throw new SwitchboardError('unauthenticated', 'Unknown or revoked endpoint code.');
      const { endpoint, room } = found;
      return {
        kind: 'endpoint',
        appId: endpoint.app_id,
        endpointId: endpoint.id,
        roomId: room.id,
        room: room.name,
        permissions: endpoint.permissions,
        identity: endpoint.identity,
        verifiedAt: found.verifiedAt,
      };
    },
    dispatch: createDispatcher<EndpointActions, EndpointContext>({
      maxFrameBytes: deps.config.maxFrameBytes,
      actions: endpointActions,
      validators: endpointPayloadValidators,
      commonErrors,
      handlers: endpointHandlers,
      context: (connection) => ({ principal: connection.principal as EndpointPrincipal, db, events, sequences, rooms }),
    }),
    async open(connection, principal) {
      const joins = [topics.roomControl(principal.roomId), topics.endpoint(principal.endpointId), topics.app(principal.appId)];
      if (canRead(principal.permissions)) joins.push(topics.roomReaders(principal.roomId));
      await Promise.all(joins.map((topic) => hub.join(topic, connection)));
      // Revoked between the credential's read and the subscriptions: this socket did not hear the
      // close, but this node heard the revocation.
      const keys = [revocationKey.endpoint(principal.endpointId), revocationKey.room(principal.roomId), revocationKey.app(principal.appId)];
      if (credentials.revokedSince(keys, principal.verifiedAt)) {
        connection.close('unauthorized');
        return;
      }
      await presence.add(endpointPresenceKey(principal.endpointId), connection.id, '1');
      // Closed while opening: `closed` may have run before the entry existed.
      if (connection.phase.phase === 'closed') await presence.remove(endpointPresenceKey(principal.endpointId), connection.id);
    },
    greeting: (principal) => ({
      endpoint: { id: principal.endpointId, room: principal.room, permissions: principal.permissions, identity: principal.identity },
    }),
    async closed(connection, principal) {
      await presence.remove(endpointPresenceKey(principal.endpointId), connection.id);
    },
  });
}
