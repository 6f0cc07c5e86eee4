/**
 * The contract every presence store implements: shared, cross-node state of who is connected
 * where. An entry belongs to the node that added it and goes away with that node, whether the
 * node closes its store (graceful shutdown) or crashes (its liveness lapses, and readers then
 * treat its entries as ghosts: excluded, and removed as they are met).
 */

/** Where an error reported to `onError` came from; a union so a handler can log each kind with its own fields. */
export type PresenceErrorContext =
  /** The Redis connection failed or dropped; node-redis reconnects and sends queued commands then. */
  | { readonly kind: 'connection' }
  /**
   * Refreshing this node's liveness failed, or found that it had lapsed (a `PresenceStoreError`
   * with code `lapsed`): other nodes may have dropped this node's entries, which were re-added.
   */
  | { readonly kind: 'heartbeat' }
  /**
   * Removing entries failed: a dead node's ghosts under `key` (retried by the next read), or, at
   * `close()` without `key`, this node's own entries (they become ghosts when its liveness lapses).
   */
  | { readonly kind: 'cleanup'; readonly key?: string };

/** An entry of a dead node that a sweep removed: the key, the member and its value. */
export interface PresenceDeparture {
  readonly key: string;
  readonly member: string;
  readonly value: string;
}

/** Reports errors nobody awaits (a dropped connection, a failed heartbeat or cleanup). Must not throw. */
export type PresenceErrorHandler = (error: unknown, context: PresenceErrorContext) => void;

/**
 * Who is present under which key, on every node: `memory` within one process, `redis` across
 * processes. Keys are the caller's (`endpoint:<id>`, `chat:<room>`); members are usually
 * connection ids, so that one user with two sockets is two members.
 */
export interface PresenceStore extends AsyncDisposable {
  /** Which backend holds the entries. */
  readonly kind: 'memory' | 'redis';
  /** This server node's id; every entry added through this store belongs to it. */
  readonly node: string;
  /**
   * Records that `member` is present under `key` with a small JSON-able value; idempotent, and a
   * later add replaces the value (and takes the entry over for this node). A rejected add may
   * still have been applied: remove the member as after a successful one. Rejects with code
   * `closed` once `close()` was called.
   */
  add(key: string, member: string, value: string): Promise<void>;
  /**
   * Removes one member, whichever node added it; resolves true when it was present. Resolves
   * false once `close()` was called: closing removes every entry of this node anyway.
   */
  remove(key: string, member: string): Promise<boolean>;
  /** Every live member of a key with its value (ghosts of dead nodes excluded). */
  members(key: string): Promise<Map<string, string>>;
  /** How many live members a key has. */
  count(key: string): Promise<number>;
  /**
   * Counts for many keys at once, in a fixed number of round trips whatever the number of keys
   * (two with Redis: the entries, then the liveness of the nodes they name); every key asked for
   * is in the result, absent ones with 0.
   */
  counts(keys: readonly string[]): Promise<Map<string, number>>;
  /**
   * Finds the nodes whose liveness lapsed without a close (a crash), removes their entries and
   * resolves with them, so that the caller announces who left. Each dead node is swept by one
   * caller across all nodes (a claim in the store); the memory store has none (a crash there
   * takes the whole process).
   */
  sweep(): Promise<PresenceDeparture[]>;
  /**
   * Removes everything this node added (graceful shutdown), ends its liveness, then releases
   * connections; idempotent, never rejects (a failed removal goes to `onError`). Later reads and
   * adds reject with code `closed`.
   */
  close(): Promise<void>;
}
