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
import { newestWithin, oldestWithin } from './reply-budget.ts';
import { toRoom, toRoomMessage } from './wire.ts';
import { distinctUsers, presentUsers, roomPresenceKey } from './room-members.ts';

/** How many missed messages `chat.join` with `since` returns at most. */
export const MAX_CATCH_UP = 500;

/** The prefix of rooms' presence keys (room-members.ts builds them). */
const ROOM_PREFIX = roomPresenceKey('');

/** The chat rules, for user sockets. */
export interface ChatService {
  /** A room the user may enter: `not_found` outside their app, `forbidden` for staff-only rooms. */
  open(principal: UserPrincipal, name: string): Promise<RoomRef>;
  /**
   * Records a connection in the room and returns the members; announces the user when this is
   * their first socket there (`firstOnSocket` false means a repeated join of the same socket).
   */
  enter(room: RoomRef, principal: UserPrincipal, connectionId: string, firstOnSocket: boolean): Promise<UserInfo[]>;
  /**
   * Records a member's new display name or staff flag for one of their sockets in the room; the
   * socket with the smallest id among the user's sockets there announces it (`chat.member`), so the
   * room hears it once however many sockets, on whichever nodes, apply the change.
   */
  refresh(room: RoomRef, principal: UserPrincipal, connectionId: string): Promise<void>;
  /** Removes a connection from the room; announces the user left when it was their last socket there. */
  exit(room: RoomRef, principal: UserPrincipal, connectionId: string): Promise<void>;
  /** The room as it is now, with its live seq, and what was missed after `since` (at most MAX_CATCH_UP). */
  snapshot(principal: UserPrincipal, name: string, since: number | undefined): Promise<Omit<ChatJoinOutput, 'members'>>;
  /**
   * Sends a chat message as the user into a room the socket joined. The room row comes from the
   * room cache (every node forgets a room when it changes), so a send asks no database in a room
   * without history; staff-only is checked again on it.
   */
  send(principal: UserPrincipal, room: RoomRef, text: string, data: unknown, clientId?: string): Promise<RoomMessage>;
  /** Edits a message's text (author or staff). */
  edit(principal: UserPrincipal, name: string, id: string, text: string): Promise<RoomMessage>;
  /** Deletes a message, keeping a tombstone so replay still sees its seq (author or staff). */
  remove(principal: UserPrincipal, name: string, id: string): Promise<{ room: string; id: string; seq: number }>;
  /**
   * Announces `chat.left` for the users whose sockets were on a node that died (its presence
   * lapsed without a close): the presence sweep removes the dead node's entries, once across
   * nodes, and each user no longer present in a room is announced there. Resolves with how many.
   */
  sweepDeparted(): Promise<number>;
  /** A page of history before `before` (newest page when omitted), ascending; `more` when older ones exist. */
  history(
    principal: UserPrincipal,
    name: string,
    before: number | undefined,
    limit: number,
  ): Promise<{ messages: RoomMessage[]; more: boolean }>;
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
      const { users, sockets } = presentUsers(await presence.members(key));
      if (firstOnSocket && sockets.get(user.id) === 1) await events.userJoined(room, user);
      return users;
    },
    async refresh(room, principal, connectionId) {
      const user = userInfo(principal);
      const key = roomPresenceKey(room.id);
      await presence.add(key, connectionId, JSON.stringify(user));
      let first = connectionId;
      for (const [member, value] of await presence.members(key))
        if (member < first && (JSON.parse(value) as UserInfo).id === user.id) first = member;
      if (first === connectionId) await events.memberChanged(room, user);
    },
    async exit(room, principal, connectionId) {
      const key = roomPresenceKey(room.id);
      if (!(await presence.remove(key, connectionId))) return;
      const present = await presence.members(key);
      if (![...present.values()].some((value) => (JSON.parse(value) as UserInfo).id === principal.userId))
        await events.userLeft(room, userInfo(principal));
    },
    async sweepDeparted() {
      const departed = new Map<string, Map<string, UserInfo>>();
      for (const { key, value } of await presence.sweep()) {
        if (!key.startsWith(ROOM_PREFIX)) continue;
        const user = JSON.parse(value) as UserInfo;
        const users = departed.get(key) ?? new Map<string, UserInfo>();
        departed.set(key, users.set(user.id, user));
      }
      let announced = 0;
      for (const [key, users] of departed) {
        const room = await ctx.roomCache.byId(key.slice(ROOM_PREFIX.length));
        if (!room) continue;
        // A user with a socket left on a live node is still there.
        const present = new Set(distinctUsers(await presence.members(key)).map((user) => user.id));
        for (const user of users.values()) {
          if (present.has(user.id)) continue;
          await events.userLeft(room, user);
          announced++;
        }
      }
      return announced;
    },
    async snapshot(principal, name, since) {
      const room = await withLiveSeq(ctx.sequences, await openRoom(principal, name));
      if (since === undefined) return { room: toRoom(room), lastSeq: room.last_seq };
      const page = await listMessages(db, room.id, { after: since, limit: MAX_CATCH_UP + 1 });
      const { messages, truncated } = oldestWithin(
        page.slice(0, MAX_CATCH_UP).map((m) => toRoomMessage(name, m)),
        ctx.replyBytes,
      );
      return { room: toRoom(room), lastSeq: room.last_seq, messages, more: truncated || page.length > MAX_CATCH_UP };
    },
    async send(principal, joined, text, data, clientId) {
      const room = await ctx.roomCache.byId(joined.id);
      if (!room) throw new SwitchboardError('not_found', `No room named ${joined.name}.`);
      if (room.staff_only && !principal.staff) throw new SwitchboardError('forbidden', `${joined.name} is for staff only.`);
      const content = { text, ...(data === undefined ? {} : { data }), ...(clientId === undefined ? {} : { clientId }) };
      return publishMessage(
        ctx,
        room,
        {
          type: 'user',
          id: principal.userId,
          identity: principal.username,
          ...(principal.displayName ? { displayName: principal.displayName } : {}),
        },
        content,
      );
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
      const older = page.length > limit;
      const { messages, truncated } = newestWithin(
        (older ? page.slice(1) : page).map((m) => toRoomMessage(name, m)),
        ctx.replyBytes,
      );
      return { messages, more: older || truncated };
    },
  };
}
