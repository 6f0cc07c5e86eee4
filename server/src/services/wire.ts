/**
 * Stored rows → the wire shapes of the specs (generated types). One place, inside the service
 * layer, so services return what REST bodies and socket frames carry, and a room or a message
 * reads identically on both.
 */
import type {
  ApiKey as WireApiKey,
  App as WireApp,
  Endpoint as WireEndpoint,
  Room as WireRoom,
  RoomMessage,
  User as WireUser,
  UserInfo,
} from '@switchboard/protocol';
import type { ApiKey, App, Endpoint, Message, Room, User } from '../db/schema.ts';

const iso = (value: Date | string) => (value instanceof Date ? value : new Date(value)).toISOString();

/** A room as REST and sockets show it. */
export function toRoom(room: Room): WireRoom {
  return {
    name: room.name,
    title: room.title,
    staffOnly: room.staff_only,
    history: room.history,
    lastSeq: room.last_seq,
    createdAt: iso(room.created_at),
    updatedAt: iso(room.updated_at),
  };
}

/** A message as readers receive it and history returns it. */
export function toRoomMessage(roomName: string, message: Message): RoomMessage {
  const sender: RoomMessage['sender'] = { type: message.sender_type, identity: message.sender_name };
  if (message.sender_id) sender.id = message.sender_id;
  if (message.sender_display_name) sender.displayName = message.sender_display_name;
  const wire: RoomMessage = { id: message.id, room: roomName, seq: message.seq, sender, createdAt: iso(message.created_at) };
  if (message.deleted_at) {
    wire.deleted = true;
    return wire;
  }
  if (message.data !== null) wire.data = message.data;
  if (message.text !== null) wire.text = message.text;
  if (message.edited_at) wire.editedAt = iso(message.edited_at);
  return wire;
}

/** An API key without its secret. */
export function toApiKey(key: ApiKey): WireApiKey {
  return { id: key.id, prefix: key.prefix, createdAt: iso(key.created_at) };
}

/** An app with its live keys. */
export function toApp(app: App, keys: ApiKey[]): WireApp {
  return { id: app.id, name: app.name, createdAt: iso(app.created_at), keys: keys.map(toApiKey) };
}

/** An endpoint without its code, with its live connection count. */
export function toEndpoint(endpoint: Endpoint, roomName: string, connections: number): WireEndpoint {
  return {
    id: endpoint.id,
    room: roomName,
    permissions: endpoint.permissions,
    identity: endpoint.identity,
    createdAt: iso(endpoint.created_at),
    ...(endpoint.expires_at === null ? {} : { expiresAt: iso(endpoint.expires_at) }),
    connections,
  };
}

/** A user as other users see them. */
export function toUserInfo(user: { id: string; username: string; staff: boolean; display_name?: string | null }): UserInfo {
  return { id: user.id, username: user.username, ...(user.display_name ? { displayName: user.display_name } : {}), staff: user.staff };
}

/** A user as REST returns it. */
export function toUser(user: User): WireUser {
  return {
    ...toUserInfo(user),
    displayName: user.display_name,
    hasPassword: user.password_hash !== null,
    tokensValidAfter: user.tokens_valid_after ? iso(user.tokens_valid_after) : null,
    createdAt: iso(user.created_at),
  };
}
