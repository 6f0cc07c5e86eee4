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
  /**
   * The message (its wire JSON) a send with this client key produced in the room within
   * `SENT_TTL_MS`, if any: idempotent sends for rooms that store nothing. Kept next to the
   * numbering since both are the live rooms' state outside the database.
   */
  recentSend(roomId: string, clientKey: string): Promise<string | undefined>;
  /** Remembers the message a send with this client key produced, for `SENT_TTL_MS`. */
  rememberSend(roomId: string, clientKey: string, message: string): Promise<void>;
}

/** How long a room without history remembers a send's client key: retries come after a reconnect, seconds later. */
export const SENT_TTL_MS = 10 * 60_000;
/** The most client keys one process remembers (memory source); the oldest are forgotten first. */
export const MAX_SENT_IN_MEMORY = 10_000;
