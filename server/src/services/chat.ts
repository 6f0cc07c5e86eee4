/**
 * Chat rules: who may enter a room, presence (one `chat.joined` per user however many sockets
 * they open), sending, editing and deleting (author or staff), and history for recovery.
 */
import type { ChatJoinOutput, RoomMessage, UserInfo } from '@switchboard/protocol';
import type { Message, Room } from '../db/schema.ts';
import { getMessage, editMessage, listMessages, softDeleteMessage } from '../db/message.repository.ts';
import { getRoom } from '../db/room.repository.ts';
import { userInfo, type UserPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import type { RoomRef } from './events.ts';
import { publishMessage } from './messages.ts';
import { withLiveSeq } from './rooms.ts';
import { toRoom, toRoomMessage } from './wire.ts';

/** How many missed messages `chat.join` with `since` returns at most. */
export const MAX_CATCH_UP = 500;

/** The presence key of a room's chat members. */
export const roomPresenceKey = (roomId: string) => `room:${roomId}`;

/** The chat rules, for user sockets. */
export interface ChatService {
  /** A room the user may enter: `not_found` outside their app, `forbidden` for staff-only rooms. */
  open(principal: UserPrincipal, name: string): Promise<RoomRef>;
  /**
   * Records a connection in the room and returns the members; announces the user when this is
   * their first socket there (`firstOnSocket` false means a repeated join of the same socket).
   */
  enter(room: RoomRef, principal: UserPrincipal, connectionId: string, firstOnSocket: boolean): Promise<UserInfo[]>;
  /** Removes a connection from the room; announces the user left when it was their last socket there. */
  exit(room: RoomRef, principal: UserPrincipal, connectionId: string): Promise<void>;
  /** The room as it is now, with its live seq, and what was missed after `since` (at most MAX_CATCH_UP). */
  snapshot(principal: UserPrincipal, name: string, since: number | undefined): Promise<Omit<ChatJoinOutput, 'members'>>;
  /** Sends a chat message as the user. */
  send(principal: UserPrincipal, name: string, text: string, data: unknown): Promise<RoomMessage>;
  /** Edits a message's text (author or staff). */
  edit(principal: UserPrincipal, name: string, id: string, text: string): Promise<RoomMessage>;
  /** Deletes a message, keeping a tombstone so replay still sees its seq (author or staff). */
  remove(principal: UserPrincipal, name: string, id: string): Promise<{ room: string; id: string; seq: number }>;
  /** A page of history before `before` (newest page when omitted), ascending; `more` when older ones exist. */
  history(
    principal: UserPrincipal,
    name: string,
    before: number | undefined,
    limit: number,
  ): Promise<{ messages: RoomMessage[]; more: boolean }>;
}

function distinctUsers(present: Map<string, string>): UserInfo[] {
  const byId = new Map<string, UserInfo>();
  for (const value of present.values()) {
    const user = JSON.parse(value) as UserInfo;
    byId.set(user.id, user);
  }
  return [...byId.values()].sort((a, b) => a.username.localeCompare(b.username));
}

/** Creates the chat service. */
export function createChatService(ctx: ServiceContext): ChatService {
  const { db, events, presence } = ctx;

  const openRoom = async (principal: UserPrincipal, name: string): Promise<Room> => {
    const room = await getRoom(db, principal.appId, name);
    if (!room) throw new SwitchboardError('not_found', `No room named ${name}.`);
    if (room.staff_only && !principal.staff) throw new SwitchboardError('forbidden', `${name} is for staff only.`);
    return room;
  };

  const ownMessage = async (room: Room, principal: UserPrincipal, id: string): Promise<Message> => {
    const message = await getMessage(db, room.id, id);
    if (!message || message.deleted_at) throw new SwitchboardError('not_found', 'No such message in this room.');
    const isAuthor = message.sender_type === 'user' && message.sender_id === principal.userId;
    if (!isAuthor && !principal.staff) throw new SwitchboardError('forbidden', 'Only its author or staff may change a message.');
    return message;
  };

  return {
    async open(principal, name) {
      const { id } = await openRoom(principal, name);
      return { id, name };
    },
    async enter(room, principal, connectionId, firstOnSocket) {
      const user = userInfo(principal);
      const key = roomPresenceKey(room.id);
      await presence.add(key, connectionId, JSON.stringify(user));
      const present = await presence.members(key);
      const members = distinctUsers(present);
      const sockets = [...present.values()].filter((value) => (JSON.parse(value) as UserInfo).id === user.id).length;
      if (firstOnSocket && sockets === 1) await events.userJoined(room, user);
      return members;
    },
    async exit(room, principal, connectionId) {
      const key = roomPresenceKey(room.id);
      if (!(await presence.remove(key, connectionId))) return;
      const present = await presence.members(key);
      if (![...present.values()].some((value) => (JSON.parse(value) as UserInfo).id === principal.userId))
        await events.userLeft(room, userInfo(principal));
    },
    async snapshot(principal, name, since) {
      const room = await withLiveSeq(ctx.sequences, await openRoom(principal, name));
      if (since === undefined) return { room: toRoom(room), lastSeq: room.last_seq };
      const page = await listMessages(db, room.id, { after: since, limit: MAX_CATCH_UP + 1 });
      const messages = page.slice(0, MAX_CATCH_UP).map((m) => toRoomMessage(name, m));
      return { room: toRoom(room), lastSeq: room.last_seq, messages, more: page.length > MAX_CATCH_UP };
    },
    async send(principal, name, text, data) {
      const room = await openRoom(principal, name);
      const content = data === undefined ? { text } : { text, data };
      return publishMessage(ctx, room, { type: 'user', id: principal.userId, identity: principal.username }, content);
    },
    async edit(principal, name, id, text) {
      const room = await openRoom(principal, name);
      await ownMessage(room, principal, id);
      const edited = await editMessage(db, room.id, id, { text });
      if (!edited) throw new SwitchboardError('not_found', 'No such message in this room.');
      const wire = toRoomMessage(name, edited);
      await events.messageEdited(room, wire);
      return wire;
    },
    async remove(principal, name, id) {
      const room = await openRoom(principal, name);
      await ownMessage(room, principal, id);
      const deleted = await softDeleteMessage(db, room.id, id);
      if (!deleted) throw new SwitchboardError('not_found', 'No such message in this room.');
      await events.messageDeleted(room, deleted);
      return { room: name, id: deleted.id, seq: deleted.seq };
    },
    async history(principal, name, before, limit) {
      const room = await openRoom(principal, name);
      const page = await listMessages(db, room.id, before === undefined ? { limit: limit + 1 } : { before, limit: limit + 1 });
      const more = page.length > limit;
      return { messages: (more ? page.slice(1) : page).map((m) => toRoomMessage(name, m)), more };
    },
  };
}
