/**
 * The socket side of the domain events: each event becomes frames, encoded once, published on
 * the topics whose members must see them, in the order they must see them.
 */
import type { EndpointEvents, UserEvents } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import type { DomainEvents } from '../services/events.ts';
import { encodeClose, encodeControl } from '../ws/control.ts';
import { topics } from './topics.ts';
import { revocationKey } from '../services/credential-cache.ts';
import { SwitchboardError } from '../lib/errors.ts';

/** The control message that removes a room's non-staff chat members (its argument is the room id). */
export const STAFF_ONLY_CONTROL = 'staff-only';

/** The control message that updates a user's open sockets (its argument is the new UserInfo as JSON). */
export const USER_UPDATED_CONTROL = 'user-updated';

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
      throw new SwitchboardError('unavailable', 'The channel layer is not available.', undefined, { cause: error, dependency: 'redis' });
    });
  /** Every node drops the user's cached row, and the user's open sockets close with 4501. */
  const signOutEverywhere = async (userId: string) => {
    await publish(topics.revocations, revocationKey.user(userId));
    await publish(topics.user(userId), encodeClose('unauthorized'));
  };
  return {
    async messagePublished(room, message) {
      // Endpoint readers and chat members speak different event names: the payload is serialized
      // once and framed twice (what JSON.stringify({ action, payload }) writes), not per reader.
      const payload = JSON.stringify(message);
      await Promise.all([
        publish(topics.roomReaders(room.id), `{"action":"message","payload":${payload}}`),
        publish(topics.roomChat(room.id), `{"action":"chat.message","payload":${payload}}`),
      ]);
    },
    messageEdited: (room, message) => publish(topics.roomChat(room.id), encodeUserEvent('chat.edited', message)),
    messageDeleted: (room, message) =>
      publish(topics.roomChat(room.id), encodeUserEvent('chat.deleted', { room: room.name, id: message.id, seq: message.seq })),
    roomChanged: (appId, change) => publish(topics.appUsers(appId), encodeUserEvent('rooms.changed', change)),
    roomSettingsChanged: (roomId) => publish(topics.revocations, revocationKey.roomRow(roomId)),
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
    apiKeyRevoked: (keyId) => publish(topics.apiKey(keyId), encodeClose('unauthorized')),
    userDeleted: signOutEverywhere,
    // The same as a deletion on the wire: cached rows go, open sockets close with 4501.
    userTokensRevoked: signOutEverywhere,
    async userUpdated(user) {
      // Cached rows first: a socket that connects after the update reads the new flag.
      await publish(topics.revocations, revocationKey.userChanged(user.id));
      await publish(topics.user(user.id), encodeControl(USER_UPDATED_CONTROL, JSON.stringify(user)));
    },
    // Chat members and presence-watching endpoint readers speak different event names: one encoding each.
    userJoined: async (room, user) => {
      await Promise.all([
        publish(topics.roomChat(room.id), encodeUserEvent('chat.joined', { room: room.name, user })),
        publish(topics.roomPresence(room.id), encodeEndpointEvent('member.joined', { room: room.name, user })),
      ]);
    },
    userLeft: async (room, user) => {
      await Promise.all([
        publish(topics.roomChat(room.id), encodeUserEvent('chat.left', { room: room.name, user })),
        publish(topics.roomPresence(room.id), encodeEndpointEvent('member.left', { room: room.name, user })),
      ]);
    },
    memberChanged: (room, user) => publish(topics.roomChat(room.id), encodeUserEvent('chat.member', { room: room.name, user })),
    // On the room's chat topic, so it keeps its order with the room's messages: none published after it reaches the evicted.
    roomRestricted: (room) => publish(topics.roomChat(room.id), encodeControl(STAFF_ONLY_CONTROL, room.id)),
    notifyUser: (userId, notification) => publish(topics.user(userId), encodeUserEvent('notification', notification)),
    notifyRoom: (room, notification) => publish(topics.roomChat(room.id), encodeUserEvent('notification', notification)),
    jobProgress: (userId, event) => publish(topics.user(userId), encodeUserEvent('job.progress', event)),
    jobFinished: (userId, event) => publish(topics.user(userId), encodeUserEvent('job.finished', event)),
  };
}
