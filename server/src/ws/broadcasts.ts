/**
 * The socket side of the domain events: each event becomes frames, encoded once, published on
 * the topics whose members must see them, in the order they must see them.
 */
import type { EndpointEvents } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import type { DomainEvents } from '../services/events.ts';
import { toRoomMessage } from '../wire.ts';
import { encodeClose } from './control.ts';
import { topics } from './topics.ts';

/** Encodes an event frame of the endpoint socket. */
export function encodeEndpointEvent<E extends keyof EndpointEvents & string>(event: E, payload: EndpointEvents[E]): string {
  return JSON.stringify({ action: event, payload });
}

/** Implements the domain events over a channel layer. */
export function createBroadcasts(channels: ChannelLayer): DomainEvents {
  return {
    async messagePublished(room, message) {
      await channels.publish(topics.roomReaders(room.id), encodeEndpointEvent('message', toRoomMessage(room.name, message)));
    },
    async roomDeleted(room) {
      const topic = topics.roomControl(room.id);
      await channels.publish(topic, encodeEndpointEvent('room.deleted', { room: room.name }));
      await channels.publish(topic, encodeClose('room_deleted'));
    },
    async endpointRevoked(endpointId) {
      await channels.publish(topics.endpoint(endpointId), encodeClose('unauthorized'));
    },
    async appDeleted(appId) {
      await channels.publish(topics.app(appId), encodeClose('unauthorized'));
    },
  };
}
