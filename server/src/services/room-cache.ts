/**
 * Room rows by id for the per-message path (`message.send`, `chat.send`), kept for a second: a
 * broadcast then needs no database read. The node that changes a room forgets it at once and
 * tells every other node (`roomSettingsChanged`, on the revocations topic), which forget it when
 * they hear it; a read already in flight then may keep the old row, at most for the TTL (a room's
 * settings, not its messages, are what may be that stale).
 */
import type { Kysely } from 'kysely';
import type { Database, Room } from '../db/schema.ts';
import { getRoomById } from '../db/room.repository.ts';

const TTL_MS = 1_000;
const MAX_ENTRIES = 10_000;

/** A short-lived cache of room rows. */
export interface RoomCache {
  byId(roomId: string): Promise<Room | undefined>;
  forget(roomId: string): void;
}

/** Creates the cache over the database. */
export function createRoomCache(db: Kysely<Database>): RoomCache {
  const entries = new Map<string, { room: Room; expires: number }>();
  return {
    async byId(roomId) {
      const now = Date.now();
      const hit = entries.get(roomId);
      if (hit && hit.expires > now) return hit.room;
      const room = await getRoomById(db, roomId);
      if (entries.size >= MAX_ENTRIES) entries.clear();
      if (room) entries.set(roomId, { room, expires: now + TTL_MS });
      else entries.delete(roomId);
      return room;
    },
    forget: (roomId) => void entries.delete(roomId),
  };
}
