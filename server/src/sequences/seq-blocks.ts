/**
 * How many numbers a room reserves in the database at a time, when its counter lives in Redis.
 * The block is what a Redis loss costs: numbering resumes above the last ceiling, so the room's
 * seq jumps by up to one block (announced to clients as a gap). A fixed block of 1,000 made
 * every room jump by up to 1,000; sized instead to about `TARGET_MS` of the room's own traffic,
 * a chat room at a few messages a second jumps by at most `MIN_BLOCK`, and a busy room still
 * writes its ceiling about once per `TARGET_MS` (never more than once per `MAX_BLOCK` numbers
 * above `MAX_BLOCK / TARGET_MS`).
 */

/** The smallest block: a quiet room writes its ceiling once per this many messages. */
export const MIN_BLOCK = 16;
/** The largest block, the bound of a jump after a Redis loss. */
export const MAX_BLOCK = 1000;
/**
 * The traffic one block should cover. Longer means fewer database writes and more messages a
 * room without history can number while Postgres is down; shorter, smaller jumps.
 */
export const TARGET_MS = 5_000;
/** Rooms whose last block this node remembers; the oldest are forgotten (and start again at MIN_BLOCK). */
const MAX_ROOMS = 10_000;

/** Sizes each room's next block from how fast its previous one was used up on this node. */
export class SeqBlocks {
  // Insertion order is age order: a room is moved to the end each time it reserves.
  readonly #last = new Map<string, { size: number; at: number }>();

  /** The size of the block to reserve now for `roomId`, given the time `now` (ms). */
  next(roomId: string, now: number): number {
    const last = this.#last.get(roomId);
    // The previous block lasted `now - last.at`: scale it to cover TARGET_MS at the same rate.
    const size =
      last === undefined
        ? MIN_BLOCK
        : Math.min(MAX_BLOCK, Math.max(MIN_BLOCK, Math.ceil((last.size * TARGET_MS) / Math.max(1, now - last.at))));
    this.#last.delete(roomId);
    this.#last.set(roomId, { size, at: now });
    if (this.#last.size > MAX_ROOMS) this.#last.delete(this.#last.keys().next().value!);
    return size;
  }
}
