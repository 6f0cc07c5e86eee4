/** One stored entry: the node that added it and its value. */
export interface MemoryPresenceEntry {
  /** The node the entry belongs to. */
  readonly node: string;
  /** The caller's value. */
  readonly value: string;
}

/**
 * The in-process stand-in for Redis: memory presence stores sharing one state behave like server
 * nodes sharing one Redis, node liveness included.
 */
export interface MemoryPresenceState {
  /** Makes a node live; false when it already is (Redis: `SET NX` on the node key). */
  claim(node: string): boolean;
  /**
   * Ends a node's liveness without removing its entries, as a crash followed by the expiry of its
   * Redis node key would: they become ghosts that readers exclude and remove. For tests.
   */
  expire(node: string): void;
  /** Whether a node is live. */
  isLive(node: string): boolean;
  /** The stored entries of a key by member, ghosts included. */
  entries(key: string): ReadonlyMap<string, MemoryPresenceEntry>;
  /** Stores an entry, replacing the member's previous one. */
  set(key: string, member: string, entry: MemoryPresenceEntry): void;
  /** Deletes a member; with `expected`, only while it still holds that very entry (Redis: a compare-and-delete script). */
  delete(key: string, member: string, expected?: MemoryPresenceEntry): boolean;
  /** Deletes every entry of a node and ends its liveness (a graceful close). */
  release(node: string): void;
}

/** Creates a state that several memory presence stores can share, to run a cluster in one process. */
export function createMemoryPresenceState(): MemoryPresenceState {
  return new InProcessPresence();
}

const NO_ENTRIES: ReadonlyMap<string, MemoryPresenceEntry> = new Map();

class InProcessPresence implements MemoryPresenceState {
  readonly #keys = new Map<string, Map<string, MemoryPresenceEntry>>();
  readonly #live = new Set<string>();

  claim(node: string): boolean {
    if (this.#live.has(node)) return false;
    this.#live.add(node);
    return true;
  }

  expire(node: string): void {
    this.#live.delete(node);
  }

  isLive(node: string): boolean {
    return this.#live.has(node);
  }

  entries(key: string): ReadonlyMap<string, MemoryPresenceEntry> {
    return this.#keys.get(key) ?? NO_ENTRIES;
  }

  set(key: string, member: string, entry: MemoryPresenceEntry): void {
    let members = this.#keys.get(key);
    if (members === undefined) {
      members = new Map();
      this.#keys.set(key, members);
    }
    members.set(member, entry);
  }

  delete(key: string, member: string, expected?: MemoryPresenceEntry): boolean {
    const members = this.#keys.get(key);
    const entry = members?.get(member);
    if (members === undefined || entry === undefined) return false;
    if (expected !== undefined && entry !== expected) return false;
    members.delete(member);
    // Like a Redis hash, a key without members does not exist, so the state does not grow with
    // every room ever used.
    if (members.size === 0) this.#keys.delete(key);
    return true;
  }

  release(node: string): void {
    for (const [key, members] of this.#keys) {
      for (const [member, entry] of members) {
        if (entry.node === node) members.delete(member);
      }
      if (members.size === 0) this.#keys.delete(key);
    }
    this.#live.delete(node);
  }
}
