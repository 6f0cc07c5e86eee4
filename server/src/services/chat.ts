/**
 * Chat rules: who may enter a room, presence (one `chat.joined` per user however many sockets
 * they open), sending, editing and deleting (author or staff), and history for recovery.
 */
import type { Kysely } from 'kysely';
import type { UserInfo } from '@switchboard/protocol';
import type { Database, JsonValue, Message, Room } from '../db/schema.ts';
import { getMessage, editMessage, listMessages, softDeleteMessage } from '../db/message.repository.ts';
import { getRoom } from '../db/room.repository.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import type { PresenceStore } from '../presence/index.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { DomainEvents, RoomRef } from './events.ts';
import { publishMessage, type MessageDeps } from './messages.ts';

/** How many missed messages `chat.join` with `since` returns at most. */
export const MAX_CATCH_UP = 500;

/** The presence key of a room's chat members. */
export const roomPresenceKey = (roomId: string) => `room:${roomId}`;

/** The user as other members see them. */
export function userInfo(principal: UserPrincipal): UserInfo {
  return { id: principal.userId, username: principal.username, staff: principal.staff };
}

/** A room the user may enter: `not_found` outside their app, `forbidden` for staff-only rooms. */
export async function openRoom(db: Kysely<Database>, principal: UserPrincipal, name: string): Promise<Room> {
  const room = await getRoom(db, principal.appId, name);
  if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
  if (room.staff_only && !principal.staff) throw new SwitchboardError('forbidden', `${name} is for staff only.`);
  return room;
}

/**
 * Records a connection in the room and returns the members; announces the user when this is
 * their first socket there (`firstOnSocket` false means a repeated join of the same socket).
 */
export async function enter(presence: PresenceStore, events: DomainEvents, room: RoomRef, user: UserInfo, connectionId: string, firstOnSocket: boolean): Promise<UserInfo[]> {
  const key = roomPresenceKey(room.id);
  await presence.add(key, connectionId, JSON.stringify(user));
  const present = await presence.members(key);
  const members = distinctUsers(present);
  const sockets = [...present.values()].filter((value) => (JSON.parse(value) as UserInfo).id === user.id).length;
  if (firstOnSocket && sockets === 1) await events.userJoined(room, user);
  return members;
}

/** Removes a connection from the room; announces the user left when it was their last socket there. */
export async function exit(presence: PresenceStore, events: DomainEvents, room: RoomRef, user: UserInfo, connectionId: string): Promise<void> {
  const key = roomPresenceKey(room.id);
  if (!(await presence.remove(key, connectionId))) return;
  const present = await presence.members(key);
  if (![...present.values()].some((value) => (JSON.parse(value) as UserInfo).id === user.id)) await events.userLeft(room, user);
}

function distinctUsers(present: Map<string, string>): UserInfo[] {
  const byId = new Map<string, UserInfo>();
  for (const value of present.values()) {
    const user = JSON.parse(value) as UserInfo;
    byId.set(user.id, user);
  }
  return [...byId.values()].sort((a, b) => a.username.localeCompare(b.username));
}

/** The messages after `since`, oldest first, at most MAX_CATCH_UP; `more` when some were left out. */
export async function missedSince(db: Kysely<Database>, room: Room, since: number): Promise<{ messages: Message[]; more: boolean }> {
  const page = await listMessages(db, room.id, { after: since, limit: MAX_CATCH_UP + 1 });
  return { messages: page.slice(0, MAX_CATCH_UP), more: page.length > MAX_CATCH_UP };
}

/** Sends a chat message as the user. */
export function send(deps: MessageDeps, room: Room, principal: UserPrincipal, text: string, data: unknown) {
  const content = data === undefined ? { text } : { text, data: data as JsonValue };
  return publishMessage(deps, room, { type: 'user', id: principal.userId, identity: principal.username }, content);
}

async function ownMessage(db: Kysely<Database>, room: Room, principal: UserPrincipal, id: string): Promise<Message> {
  const message = await getMessage(db, room.id, id);
  if (!message || message.deleted_at) throw new SwitchboardError('not_found', 'No such message in this room.');
  const isAuthor = message.sender_type === 'user' && message.sender_id === principal.userId;
  if (!isAuthor && !principal.staff) throw new SwitchboardError('forbidden', 'Only its author or staff may change a message.');
  return message;
}

/** Edits a message's text (author or staff). */
export async function edit(db: Kysely<Database>, events: DomainEvents, room: Room, principal: UserPrincipal, id: string, text: string): Promise<Message> {
  await ownMessage(db, room, principal, id);
  const edited = await editMessage(db, room.id, id, { text });
  if (!edited) throw new SwitchboardError('not_found', 'No such message in this room.');
  await events.messageEdited(room, edited);
  return edited;
}

/** Deletes a message, keeping a tombstone so replay still sees its seq (author or staff). */
export async function remove(db: Kysely<Database>, events: DomainEvents, room: Room, principal: UserPrincipal, id: string): Promise<Message> {
  await ownMessage(db, room, principal, id);
  const deleted = await softDeleteMessage(db, room.id, id);
  if (!deleted) throw new SwitchboardError('not_found', 'No such message in this room.');
  await events.messageDeleted(room, deleted);
  return deleted;
}

/** A page of history before `before` (newest page when omitted), ascending; `more` when older ones exist. */
export async function history(db: Kysely<Database>, room: Room, before: number | undefined, limit: number) {
  const page = await listMessages(db, room.id, before === undefined ? { limit: limit + 1 } : { before, limit: limit + 1 });
  const more = page.length > limit;
  return { messages: more ? page.slice(1) : page, more };
}
