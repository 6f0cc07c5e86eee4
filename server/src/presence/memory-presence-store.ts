import { checkNode } from './check-options.ts';
import { createMemoryPresenceState } from './memory-presence-state.ts';
import type { MemoryPresenceEntry, MemoryPresenceState } from './memory-presence-state.ts';
import type { PresenceStore } from './presence-store.ts';
import { PresenceStoreError, closedError } from './presence-store-error.ts';

/** Options of the in-process presence store. */
export interface MemoryPresenceStoreOptions {
  /** This server node's id; must be non-empty, without a tab, and not live already on `state`. */
  node: string;
  /**
   * The state to share with other memory stores, to run several nodes in one process.
   * @default a state of its own
   */
  state?: MemoryPresenceState;
}

/**
 * Creates the in-process presence store: one node on a memory state. Throws a
 * `PresenceStoreError` (`invalid-option`, or `duplicate-node` when the node is live on `state`).
 */
export function createMemoryPresenceStore(options: MemoryPresenceStoreOptions): PresenceStore {
  checkNode(options.node);
  const state = options.state ?? createMemoryPresenceState();
  if (!state.claim(options.node)) {
    throw new PresenceStoreError('duplicate-node', `Presence node ${options.node} is already live on this state`);
  }
  return new MemoryPresenceStore(options.node, state);
}

class MemoryPresenceStore implements PresenceStore {
  readonly kind = 'memory';
  readonly node: string;
  readonly #state: MemoryPresenceState;
  #closed = false;

  constructor(node: string, state: MemoryPresenceState) {
    this.node = node;
    this.#state = state;
  }

  async add(key: string, member: string, value: string): Promise<void> {
    if (this.#closed) throw closedError();
    this.#state.set(key, member, { node: this.node, value });
  }

  async remove(key: string, member: string): Promise<boolean> {
    if (this.#closed) return false;
    return this.#state.delete(key, member);
  }

  async members(key: string): Promise<Map<string, string>> {
    if (this.#closed) throw closedError();
    const members = new Map<string, string>();
    for (const [member, entry] of this.#liveEntries(key)) members.set(member, entry.value);
    return members;
  }

  async count(key: string): Promise<number> {
    if (this.#closed) throw closedError();
    return this.#liveEntries(key).length;
  }

  async counts(keys: readonly string[]): Promise<Map<string, number>> {
    if (this.#closed) throw closedError();
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(key, this.#liveEntries(key).length);
    return counts;
  }

  async sweep(): Promise<[]> {
    return [];
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#state.release(this.node);
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  /** The live entries of a key; removes the ghosts met, as the Redis store does, so that memory does not keep them either. */
  #liveEntries(key: string): [string, MemoryPresenceEntry][] {
    const live: [string, MemoryPresenceEntry][] = [];
    const ghosts: [string, MemoryPresenceEntry][] = [];
    for (const entry of this.#state.entries(key)) {
      (this.#state.isLive(entry[1].node) ? live : ghosts).push(entry);
    }
    for (const [member, entry] of ghosts) this.#state.delete(key, member, entry);
    return live;
  }
}
