/**
 * Replies that carry stored messages (`chat.join` with `since`, `chat.history`) are paged by
 * bytes as well as by count: one reply of several MiB would pass a socket's send-buffer limit
 * and close even a fast reader as a slow consumer (4001). A page always holds at least one
 * message, so a client that follows `more` always makes progress.
 */
import type { RoomMessage } from '@switchboard/protocol';

/** The most bytes of messages one reply carries: a quarter of the send buffer, and 256 KiB at most. */
export function replyBudget(maxBufferedBytes: number): number {
  return Math.max(1, Math.min(256 * 1024, Math.floor(maxBufferedBytes / 4)));
}

const sizeOf = (message: RoomMessage) => Buffer.byteLength(JSON.stringify(message));

/** The oldest messages that fit in `budget` bytes (at least one); `truncated` when some were left out. */
export function oldestWithin(messages: readonly RoomMessage[], budget: number): { messages: RoomMessage[]; truncated: boolean } {
  let used = 0;
  let count = 0;
  while (count < messages.length) {
    used += sizeOf(messages[count]!);
    if (count > 0 && used > budget) break;
    count++;
  }
  return { messages: messages.slice(0, count), truncated: count < messages.length };
}

/** The newest messages that fit in `budget` bytes (at least one), still in ascending order. */
export function newestWithin(messages: readonly RoomMessage[], budget: number): { messages: RoomMessage[]; truncated: boolean } {
  let used = 0;
  let start = messages.length;
  while (start > 0) {
    used += sizeOf(messages[start - 1]!);
    if (start < messages.length && used > budget) break;
    start--;
  }
  return { messages: messages.slice(start), truncated: start > 0 };
}
