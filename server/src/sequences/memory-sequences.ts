/**
 * Sequences for a single process (embedded defaults): numbers are reserved from the database in
 * blocks and handed out from memory. A clean shutdown gives the unused rest of a block back; a
 * crash skips it, so numbers may jump after a crash but are never repeated.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { releaseSeqBlock, reserveSeqBlock } from '../db/room.repository.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { MAX_SENT_IN_MEMORY, SENT_TTL_MS, type SequenceSource } from './sequence-source.ts';

const BLOCK = 1000;

interface Counter {
  used: number;
  top: number;
}

/** Creates the in-process sequence source. */
export function createMemorySequences(db: Kysely<Database>): SequenceSource {
  const counters = new Map<string, Counter>();
  const reserving = new Map<string, Promise<void>>();
  // Insertion order is age order: the first entry is the oldest, forgotten first when full.
  const sent = new Map<string, { message: string; expires: number }>();

  const reserve = (roomId: string): Promise<void> => {
    let pending = reserving.get(roomId);
    if (!pending) {
      pending = (async () => {
        const top = await reserveSeqBlock(db, roomId, BLOCK);
        if (top === undefined) throw new SwitchboardError('not_found', 'The room no longer exists.');
        const counter = counters.get(roomId);
        if (counter && counter.top === top - BLOCK) counter.top = top;
        else counters.set(roomId, { used: top - BLOCK, top });
      })().finally(() => reserving.delete(roomId));
      reserving.set(roomId, pending);
    }
    return pending;
  };

  const settle = async (roomId: string) => {
    const counter = counters.get(roomId);
    if (!counter) return;
    counters.delete(roomId);
    await releaseSeqBlock(db, roomId, counter.used, counter.top);
  };

  return {
    async next(room) {
      for (;;) {
        const counter = counters.get(room.id);
        if (counter && counter.used < counter.top) return ++counter.used;
        await reserve(room.id);
      }
    },
    current: async (roomId) => counters.get(roomId)?.used,
    settle,
    async close() {
      await Promise.all([...counters.keys()].map(settle));
    },
    async recentSend(roomId, clientKey) {
      const entry = sent.get(`${roomId}\n${clientKey}`);
      return entry !== undefined && entry.expires > Date.now() ? entry.message : undefined;
    },
    async rememberSend(roomId, clientKey, message) {
      const now = Date.now();
      for (const [key, entry] of sent) {
        if (sent.size < MAX_SENT_IN_MEMORY && entry.expires > now) break;
        sent.delete(key);
      }
      sent.set(`${roomId}\n${clientKey}`, { message, expires: now + SENT_TTL_MS });
    },
  };
}
