/** Handlers of the `chat.*` actions: membership on this socket, then the chat rules. */
import type { UserActions } from '@switchboard/protocol';
import { SwitchboardError } from '../lib/errors.ts';
import type { RoomRef } from '../services/index.ts';
import type { Handlers } from '../ws/dispatcher.ts';
import { requireUser, type HandlerContext, type UserSession } from './context.ts';

type ChatActions = Pick<UserActions, 'chat.join' | 'chat.leave' | 'chat.send' | 'chat.edit' | 'chat.delete' | 'chat.history'>;

/** The joined room of that name; refuses a room this socket did not join. */
function requireJoined(session: UserSession, name: string): RoomRef {
  const room = session.joinedRoom(name);
  if (room === undefined) throw new SwitchboardError('forbidden', `Join ${name} first.`);
  return room;
}

/** The chat handlers, spread into the /ws handlers. */
export const chatHandlers = {
  'chat.join': async ({ room: name, since }, { session, services }) => {
    const principal = requireUser(session);
    const room = await services.chat.open(principal, name);
    const firstOnSocket = !session.hasJoined(name);
    await session.enterRoom(room);
    try {
      const members = await services.chat.enter(room, principal, session.connectionId, firstOnSocket);
      // Read the room again now that the socket is subscribed: a message published in between is
      // either counted in lastSeq (and in `messages`) or delivered live, never lost. And a room
      // made staff-only in between is refused here, since its eviction may have missed this socket.
      const { room: shown, ...rest } = await services.chat.snapshot(principal, name, since);
      return { room: shown, members, ...rest };
    } catch (error) {
      // A refused join leaves the socket as it was: not subscribed, not present (a presence write
      // that failed may still have landed, so it is taken back too, best effort).
      if (firstOnSocket && (await session.leaveRoom(name)))
        await services.chat.exit(room, principal, session.connectionId).catch(() => undefined);
      throw error;
    }
  },
  'chat.leave': async ({ room: name }, { session, services }) => {
    const principal = requireUser(session);
    const room = await session.leaveRoom(name);
    if (room === undefined) throw new SwitchboardError('not_found', `This socket has not joined ${name}.`);
    await services.chat.exit(room, principal, session.connectionId);
    return { room: name };
  },
  'chat.send': async ({ room: name, text, data, clientId }, { session, services }) => {
    const principal = requireUser(session);
    // The room's id as joined: the send then reads the room from the cache, not the database.
    return services.chat.send(principal, requireJoined(session, name), text, data, clientId);
  },
  'chat.edit': async ({ room: name, id, text }, { session, services }) => {
    const principal = requireUser(session);
    requireJoined(session, name);
    return services.chat.edit(principal, name, id, text);
  },
  'chat.delete': async ({ room: name, id }, { session, services }) => {
    const principal = requireUser(session);
    requireJoined(session, name);
    return services.chat.remove(principal, name, id);
  },
  'chat.history': async ({ room: name, before, limit }, { session, services }) => {
    const principal = requireUser(session);
    return services.chat.history(principal, name, before, limit ?? 50);
  },
} satisfies Handlers<ChatActions, HandlerContext<UserSession>>;
