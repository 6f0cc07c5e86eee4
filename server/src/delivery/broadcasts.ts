/**
 * The socket side of the domain events: each event becomes frames, encoded once, published on
 * the topics whose members must see them, in the order they must see them.
 */
import type { EndpointEvents, UserEvents } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import type { DomainEvents } from '../services/events.ts';
import { encodeClose } from '../ws/control.ts';
import { topics } from './topics.ts';
import { revocationKey } from '../services/credential-cache.ts';
import { SwitchboardError } from '../lib/errors.ts';

/** Encodes an event frame of the endpoint socket. */
export function encodeEndpointEvent<E extends keyof EndpointEvents & string>(event: E, payload: EndpointEvents[E]): string {
  return JSON.stringify({ action: event, payload });
}

/** Encodes an event frame of the user socket. */
export function encodeUserEvent<E extends keyof UserEvents & string>(event: E, payload: UserEvents[E]): string {
  return JSON.stringify({ action: event, payload });
}

/** Implements the domain events over a channel layer. */
export function createBroadcasts(channels: ChannelLayer): DomainEvents {
  // A channel layer that refuses or times out is an outage: `unavailable`, with the cause for the log.
  const publish = (topic: string, frame: string) =>
    channels.publish(topic, frame).catch((error: unknown) => {
      throw new SwitchboardError('unavailable', 'The channel layer is not available.', undefined, { cause: error });
    });
  return {
    async messagePublished(room, message) {
      // Endpoint readers and chat members speak different event names: two encodings per message, not per reader.
      await Promise.all([
        publish(topics.roomReaders(room.id), encodeEndpointEvent('message', message)),
        publish(topics.roomChat(room.id), encodeUserEvent('chat.message', message)),
      ]);
    },
    messageEdited: (room, message) => publish(topics.roomChat(room.id), encodeUserEvent('chat.edited', message)),
    messageDeleted: (room, message) =>
      publish(topics.roomChat(room.id), encodeUserEvent('chat.deleted', { room: room.name, id: message.id, seq: message.seq })),
    roomChanged: (appId, change) => publish(topics.appUsers(appId), encodeUserEvent('rooms.changed', change)),
    async roomDeleted(room) {
      await publish(topics.revocations, revocationKey.room(room.id));
      const topic = topics.roomControl(room.id);
      await publish(topic, encodeEndpointEvent('room.deleted', { room: room.name }));
      await publish(topic, encodeClose('room_deleted'));
    },
    async endpointRevoked(endpointId) {
      await publish(topics.revocations, revocationKey.endpoint(endpointId));
      await publish(topics.endpoint(endpointId), encodeClose('unauthorized'));
    },
    async appDeleted(appId) {
      await publish(topics.revocations, revocationKey.app(appId));
      await publish(topics.app(appId), encodeClose('unauthorized'));
    },
    async userDeleted(userId) {
      await publish(topics.revocations, revocationKey.user(userId));
      await publish(topics.user(userId), encodeClose('unauthorized'));
    },
    userJoined: (room, user) => publish(topics.roomChat(room.id), encodeUserEvent('chat.joined', { room: room.name, user })),
    userLeft: (room, user) => publish(topics.roomChat(room.id), encodeUserEvent('chat.left', { room: room.name, user })),
    notifyUser: (userId, notification) => publish(topics.user(userId), encodeUserEvent('notification', notification)),
    notifyRoom: (room, notification) => publish(topics.roomChat(room.id), encodeUserEvent('notification', notification)),
  };
}
