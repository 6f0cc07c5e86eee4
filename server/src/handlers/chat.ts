/** Handlers of the `chat.*` actions: membership on this socket, then the chat rules. */
import type { UserActions } from '@switchboard/protocol';
import type { Kysely } from 'kysely';
import type { Database, Room } from '../db/schema.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import * as chat from '../services/chat.ts';
import { toRoom, toRoomMessage } from '../services/wire.ts';
import { withLiveSeq } from '../services/messages.ts';
import type { Connection } from '../ws/connection.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import { topics } from '../delivery/topics.ts';
import { requireUser, type UserContext } from './user.ts';

type ChatActions = Pick<UserActions, 'chat.join' | 'chat.leave' | 'chat.send' | 'chat.edit' | 'chat.delete' | 'chat.history'>;

/** A room this socket joined, re-read (it may have been deleted or made staff-only since). */
async function joinedRoom(db: Kysely<Database>, connection: Connection, principal: UserPrincipal, name: string): Promise<Room> {
  if (!connection.rooms.has(name)) throw new SwitchboardError('forbidden', `Join ${name} first.`);
  return chat.openRoom(db, principal, name);
}

/** The chat handlers, spread into the /ws handlers. */
export const chatHandlers = {
  'chat.join': async ({ room: name, since }, ctx) => {
    const { connection, db, events, presence } = ctx;
    const principal = requireUser(connection);
    const opened = await chat.openRoom(db, principal, name);
    const firstOnSocket = !connection.rooms.has(name);
    await ctx.join(topics.roomChat(opened.id));
    connection.rooms.set(name, opened.id);
    const members = await chat.enter(presence, events, opened, chat.userInfo(principal), connection.id, firstOnSocket);
    // Read the room again now that the socket is subscribed: a message published in between is
    // either counted in lastSeq (and in `messages`) or delivered live, never lost.
    const room = await withLiveSeq(ctx.sequences, await chat.openRoom(db, principal, name));
    if (since === undefined) return { room: toRoom(room), members, lastSeq: room.last_seq };
    const missed = await chat.missedSince(db, room, since);
    return { room: toRoom(room), members, lastSeq: room.last_seq, messages: missed.messages.map((m) => toRoomMessage(name, m)), more: missed.more };
  },
  'chat.leave': async ({ room: name }, ctx) => {
    const { connection, events, presence } = ctx;
    const principal = requireUser(connection);
    const roomId = connection.rooms.get(name);
    if (roomId === undefined) throw new SwitchboardError('not_found', `This socket has not joined ${name}.`);
    connection.rooms.delete(name);
    await ctx.leave(topics.roomChat(roomId));
    await chat.exit(presence, events, { id: roomId, name }, chat.userInfo(principal), connection.id);
    return { room: name };
  },
  'chat.send': async ({ room: name, text, data }, ctx) => {
    const { connection, db } = ctx;
    const principal = requireUser(connection);
    const room = await joinedRoom(db, connection, principal, name);
    return toRoomMessage(name, await chat.send(ctx, room, principal, text, data));
  },
  'chat.edit': async ({ room: name, id, text }, { connection, db, events }) => {
    const principal = requireUser(connection);
    const room = await joinedRoom(db, connection, principal, name);
    return toRoomMessage(name, await chat.edit(db, events, room, principal, id, text));
  },
  'chat.delete': async ({ room: name, id }, { connection, db, events }) => {
    const principal = requireUser(connection);
    const room = await joinedRoom(db, connection, principal, name);
    const deleted = await chat.remove(db, events, room, principal, id);
    return { room: name, id: deleted.id, seq: deleted.seq };
  },
  'chat.history': async ({ room: name, before, limit }, { connection, db }) => {
    const principal = requireUser(connection);
    const room = await chat.openRoom(db, principal, name);
    const page = await chat.history(db, room, before, limit ?? 50);
    return { messages: page.messages.map((m) => toRoomMessage(name, m)), more: page.more };
  },
} satisfies Handlers<ChatActions, UserContext>;
