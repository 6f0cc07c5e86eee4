import type { ChannelListener } from '@switchboard/server/testing';

/** A listener that records what it receives and lets a test wait for a message instead of sleeping. */
export interface Recorder {
  /** Pass this to `subscribe`. */
  readonly listener: ChannelListener;
  /** Messages received, in order. */
  readonly messages: readonly string[];
  /** Topics received with each message, in order. */
  readonly topics: readonly string[];
  /** Resolves once the recorded messages satisfy `predicate` (checked on every message). */
  until(predicate: (messages: readonly string[]) => boolean): Promise<void>;
  /** Resolves once `message` was received. */
  received(message: string): Promise<void>;
}

/** Creates a recorder; `onMessage` runs first, e.g. to throw. */
export function createRecorder(onMessage?: (message: string) => void): Recorder {
  const messages: string[] = [];
  const topics: string[] = [];
  const waiters = new Set<{ predicate: (messages: readonly string[]) => boolean; resolve: () => void }>();
  const check = (): void => {
    for (const waiter of waiters) {
      if (!waiter.predicate(messages)) continue;
      waiters.delete(waiter);
      waiter.resolve();
    }
  };
  const until = (predicate: (messages: readonly string[]) => boolean): Promise<void> => {
    if (predicate(messages)) return Promise.resolve();
    return new Promise((resolve) => waiters.add({ predicate, resolve }));
  };
  return {
    listener: (message, topic) => {
      messages.push(message);
      topics.push(topic);
      // Recorded before a throwing onMessage, so the test sees the call happened.
      check();
      onMessage?.(message);
    },
    messages,
    topics,
    until,
    received: (message) => until((received) => received.includes(message)),
  };
}

/** A small seeded PRNG (mulberry32), so a randomized test replays the same operations. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
