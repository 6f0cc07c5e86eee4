/** Who is in a room: the presence key of its chat members and each user once, for chat and for REST. */
import type { UserInfo } from '@switchboard/protocol';

// The order `localeCompare` gives, from one collator instead of a locale lookup per comparison.
const byName = new Intl.Collator().compare;

/** The presence key of a room's chat members. */
export const roomPresenceKey = (roomId: string) => `room:${roomId}`;

/** Each user present once (a user may have several sockets in a room), by username. */
export function distinctUsers(present: Map<string, string>): UserInfo[] {
  return presentUsers(present).users;
}

/**
 * The users present, once each and by username, and how many sockets each has there: one parse
 * of every entry, where `chat.join` used to parse the room's whole list twice.
 */
export function presentUsers(present: Map<string, string>): { users: UserInfo[]; sockets: Map<string, number> } {
  const byId = new Map<string, UserInfo>();
  const sockets = new Map<string, number>();
  for (const value of present.values()) {
    const user = JSON.parse(value) as UserInfo;
    byId.set(user.id, user);
    sockets.set(user.id, (sockets.get(user.id) ?? 0) + 1);
  }
  const users = [...byId.values()].sort((a, b) => byName(a.username, b.username));
  return { users, sockets };
}
