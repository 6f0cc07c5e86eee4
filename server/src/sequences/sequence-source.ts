/**
 * Numbers the messages of rooms that keep no history. Such a message is not stored, so writing
 * the room's counter to the database for each one would make the database the bottleneck of
 * every broadcast; the counter lives in memory (one process) or in Redis (several nodes) and is
 * written back when it matters: shutdown, and before history is turned on.
 */
import type { Room } from '../db/schema.ts';

/** A room's message counter, outside the database. */
export interface SequenceSource {
  /** The next seq of a room without history; numbers are never handed out twice. */
  next(room: Room): Promise<number>;
  /** The last seq handed out for the room, or undefined if this source never numbered it. */
  current(roomId: string): Promise<number | undefined>;
  /** Writes the room's counter back to the database and forgets it (before history is turned on). */
  settle(roomId: string): Promise<void>;
  /** Settles every room this node numbered. */
  close(): Promise<void>;
}
