import { createErrorReporter } from '../lib/error-reporter.ts';
import { connectRedisClient, withTimeout } from '../redis/connect.ts';
import type { RedisClient } from '../redis/connect.ts';
import { checkNode, checkTtl } from './check-options.ts';
import type { PresenceDeparture, PresenceErrorHandler, PresenceStore } from './presence-store.ts';
import { PresenceStoreError, closedError } from './presence-store-error.ts';
import {
  DELETE_IF_UNCHANGED,
  decodeEntry,
  encodeEntry,
  entryField,
  hashKey,
  nodeEntriesKey,
  nodeKey,
  nodesKey,
  sweepKey,
} from './redis-presence-layout.ts';

/** Options of the Redis presence store. */
export interface RedisPresenceStoreOptions {
  /** `redis://[user:password@]host[:port][/db]`, `rediss://…` or `unix:///path`. */
  url: string;
  /** This server node's id; must be non-empty, without a tab, and not live already on this Redis and prefix. */
  node: string;
  /**
   * Namespaces keys in Redis, so deployments or test runs sharing one Redis never see each other.
   * @default 'sb:'
   */
  prefix?: string;
  /**
   * How long this node's entries outlive its last liveness refresh (a crash leaves ghosts for at
   * most this long); refreshed every third of it. At least 1000.
   * @default 15000
   */
  ttlMs?: number;
  /**
   * Names the connection in `CLIENT LIST` as `<name>:presence`.
   * @default 'switchboard'
   */
  name?: string;
  /**
   * Receives connection, heartbeat and cleanup errors (see `PresenceErrorContext`).
   * @default rethrow on a later microtask (an uncaught exception)
   */
  onError?: PresenceErrorHandler;
}

/** The Redis presence store, with the liveness refresh its timer runs also callable on demand. */
export interface RedisPresenceStore extends PresenceStore {
  /** Which backend holds the entries. */
  readonly kind: 'redis';
  /**
   * Refreshes this node's liveness now (the timer does it every `ttlMs / 3`); when it had lapsed,
   * re-adds this node's entries, which other nodes may have removed as ghosts. Concurrent calls
   * share one refresh; resolves without a command after `close()`.
   */
  refresh(): Promise<void>;
}

const DEFAULT_TTL_MS = 15_000;
// The node key's value is never read: its existence is the liveness.
const ALIVE = '1';

/**
 * Connects, claims this node's liveness key, then resolves with a store that keeps it alive with
 * an unref'd timer. Rejects with a `PresenceStoreError`: `invalid-option`, `invalid-url`,
 * `unreachable` (naming the host, never the password) or `duplicate-node`. Needs Redis ≥ 6.2.
 */
export async function createRedisPresenceStore(options: RedisPresenceStoreOptions): Promise<RedisPresenceStore> {
  return openRedisPresenceStore(options, async (onError) => {
    const connection = await connectRedisClient({
      url: options.url,
      name: `${options.name ?? 'switchboard'}:presence`,
      errorClass: PresenceStoreError,
      onError,
    });
    const { client } = connection;
    return {
      client,
      mute: connection.mute,
      // node-redis emits `ready` again after each reconnect.
      onReady: (listener) => {
        client.on('ready', listener);
        return () => client.off('ready', listener);
      },
    };
  });
}

/** The commands the store sends: one Redis, or a cluster where every presence key shares one hash slot. */
export type PresenceRedis = Pick<
  RedisClient,
  'set' | 'sAdd' | 'hSet' | 'hDel' | 'sMembers' | 'mGet' | 'hGetAll' | 'eval' | 'isReady' | 'close' | 'destroy'
> & {
  multi(): PresenceMulti;
};

/** The transaction commands the store queues: what node-redis's client and cluster transactions have in common. */
export interface PresenceMulti {
  sAdd(key: string, member: string): PresenceMulti;
  hSet(key: string, field: string, value: string): PresenceMulti;
  hSet(key: string, fields: Record<string, string>): PresenceMulti;
  eval(script: string, options: { keys: string[]; arguments?: string[] }): PresenceMulti;
  del(key: string): PresenceMulti;
  sRem(key: string, member: string): PresenceMulti;
  exec(): Promise<unknown>;
}

/** A connected client for the store, with the hook that says it is ready again after a drop. */
export interface PresenceConnection {
  readonly client: PresenceRedis;
  /** Stops reporting errors (the store is closing). */
  mute(): void;
  /** Calls `listener` each time the connection is ready again after a drop; returns its removal. */
  onReady(listener: () => void): () => void;
}

/**
 * Opens the store on a connection `connect` makes (it reports the connection's errors to the
 * `onError` given), then claims the node as `createRedisPresenceStore` does. The seam the
 * Redis Cluster store uses.
 */
export async function openRedisPresenceStore(
  options: Omit<RedisPresenceStoreOptions, 'url'>,
  connect: (onError: (error: unknown) => void) => Promise<PresenceConnection>,
): Promise<RedisPresenceStore> {
  checkNode(options.node);
  const ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
  checkTtl(ttlMs);
  const prefix = options.prefix ?? 'sb:';
  const report = createErrorReporter(options.onError);
  const connection = await connect((error) => report(error, { kind: 'connection' }));
  try {
    // NX: two live nodes with one id would remove each other's entries at close.
    const claimed = await connection.client.set(nodeKey(prefix, options.node), ALIVE, {
      expiration: { type: 'PX', value: ttlMs },
      condition: 'NX',
    });
    if (claimed === null) {
      throw new PresenceStoreError('duplicate-node', `Presence node ${options.node} is already live on this Redis`);
    }
    await connection.client.sAdd(nodesKey(prefix), options.node);
  } catch (error) {
    connection.mute();
    connection.client.destroy();
    throw error;
  }
  return new RedisPresence(connection, { node: options.node, prefix, ttlMs, report });
}

interface Settings {
  readonly node: string;
  readonly prefix: string;
  readonly ttlMs: number;
  readonly report: PresenceErrorHandler;
}

/** One member read from a hash. */
interface StoredEntry {
  readonly member: string;
  /** The hash field value as read, for compare-and-delete. */
  readonly stored: string;
  /** `undefined` when the value is not `<node>\t<value>`. */
  readonly node: string | undefined;
  readonly value: string;
}

class RedisPresence implements RedisPresenceStore {
  readonly kind = 'redis';
  readonly node: string;
  readonly #connection: PresenceConnection;
  readonly #client: PresenceRedis;
  readonly #stopReady: () => void;
  readonly #prefix: string;
  readonly #ttlMs: number;
  readonly #nodeKey: string;
  readonly #entriesKey: string;
  readonly #report: PresenceErrorHandler;
  /**
   * What this node added and has not removed, by key then member, with the stored value: close()
   * removes exactly these (no SCAN), and a refresh that finds the liveness lapsed re-adds them.
   */
  readonly #owned = new Map<string, Map<string, string>>();
  readonly #timer: NodeJS.Timeout;
  #refreshing: Promise<void> | undefined;
  #closing: Promise<void> | undefined;

  constructor(connection: PresenceConnection, settings: Settings) {
    this.node = settings.node;
    this.#connection = connection;
    this.#client = connection.client;
    this.#prefix = settings.prefix;
    this.#ttlMs = settings.ttlMs;
    this.#nodeKey = nodeKey(settings.prefix, settings.node);
    this.#entriesKey = nodeEntriesKey(settings.prefix, settings.node);
    this.#report = settings.report;
    // A third of the TTL: two refreshes in a row may fail before other nodes see this one as dead.
    this.#timer = setInterval(this.#beat, Math.floor(settings.ttlMs / 3));
    // The timer only keeps entries alive; it must not keep the process alive.
    this.#timer.unref();
    // After a reconnect, Redis may have restarted and lost the node key: refresh at once rather
    // than leave this node's entries invisible until the next beat.
    this.#stopReady = connection.onReady(this.#beat);
  }

  async add(key: string, member: string, value: string): Promise<void> {
    if (this.#closing !== undefined) throw closedError();
    const stored = encodeEntry(this.node, value);
    // Tracked before the command is sent, so that a remove or a close issued meanwhile, whose
    // commands follow on the same connection, sees it.
    let members = this.#owned.get(key);
    if (members === undefined) {
      members = new Map();
      this.#owned.set(key, members);
    }
    members.set(member, stored);
    // Pipelined with the entry (one write): who was here, for a sweep after a crash. Bounded, like
    // every call below: a frozen Redis must not hold a join (and the socket's inbox) for ever.
    await withTimeout(
      Promise.all([
        this.#client.hSet(hashKey(this.#prefix, key), member, stored),
        this.#client.hSet(this.#entriesKey, entryField(key, member), value),
      ]),
    );
  }

  async remove(key: string, member: string): Promise<boolean> {
    if (this.#closing !== undefined) return false;
    const members = this.#owned.get(key);
    if (members !== undefined) {
      members.delete(member);
      if (members.size === 0) this.#owned.delete(key);
    }
    const [removed] = await withTimeout(
      Promise.all([this.#client.hDel(hashKey(this.#prefix, key), member), this.#client.hDel(this.#entriesKey, entryField(key, member))]),
    );
    return removed > 0;
  }

  async sweep(): Promise<PresenceDeparture[]> {
    if (this.#closing !== undefined) throw closedError();
    return withTimeout(this.#sweep());
  }

  async #sweep(): Promise<PresenceDeparture[]> {
    const nodes = (await this.#client.sMembers(nodesKey(this.#prefix))).filter((node) => node !== this.node);
    if (nodes.length === 0) return [];
    const liveness = await this.#client.mGet(nodes.map((node) => nodeKey(this.#prefix, node)));
    const dead = nodes.filter((_, i) => liveness[i] === null);
    const swept = await Promise.all(dead.map((node) => this.#sweepNode(node)));
    return swept.flat();
  }

  /** Removes one dead node's entries, unless another node claimed the sweep; returns what it had. */
  async #sweepNode(node: string): Promise<PresenceDeparture[]> {
    const claimed = await this.#client.set(sweepKey(this.#prefix, node), this.node, {
      expiration: { type: 'PX', value: this.#ttlMs },
      condition: 'NX',
    });
    if (claimed === null) return [];
    const entriesKey = nodeEntriesKey(this.#prefix, node);
    const departures: PresenceDeparture[] = [];
    for (const [field, value] of Object.entries(await this.#client.hGetAll(entriesKey))) {
      const tab = field.lastIndexOf('\t');
      if (tab > 0) departures.push({ key: field.slice(0, tab), member: field.slice(tab + 1), value });
    }
    const byKey = new Map<string, string[]>();
    for (const { key, member, value } of departures) {
      // Compare-and-delete, and only while the node is still dead (KEYS[2]): a member taken over keeps its entry.
      const args = byKey.get(key) ?? [];
      args.push(member, encodeEntry(node, value), '2');
      byKey.set(key, args);
    }
    const ghostNodeKey = nodeKey(this.#prefix, node);
    const multi = this.#client.multi();
    for (const [key, args] of byKey) multi.eval(DELETE_IF_UNCHANGED, { keys: [hashKey(this.#prefix, key), ghostNodeKey], arguments: args });
    // The claim stays until it expires: a second sweeper finds nothing left to announce.
    multi.del(entriesKey).sRem(nodesKey(this.#prefix), node);
    await multi.exec();
    return departures;
  }

  async members(key: string): Promise<Map<string, string>> {
    const [live] = await this.#readLive([key]);
    const members = new Map<string, string>();
    for (const entry of live ?? []) members.set(entry.member, entry.value);
    return members;
  }

  async count(key: string): Promise<number> {
    const [live] = await this.#readLive([key]);
    return live?.length ?? 0;
  }

  async counts(keys: readonly string[]): Promise<Map<string, number>> {
    const unique = [...new Set(keys)];
    const live = await this.#readLive(unique);
    const counts = new Map<string, number>();
    unique.forEach((key, i) => counts.set(key, live[i]?.length ?? 0));
    return counts;
  }

  refresh(): Promise<void> {
    if (this.#closing !== undefined) return Promise.resolve();
    this.#refreshing ??= this.#heartbeat().finally(() => {
      this.#refreshing = undefined;
    });
    return this.#refreshing;
  }

  close(): Promise<void> {
    this.#closing ??= this.#shutdown();
    return this.#closing;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  readonly #beat = (): void => {
    // While reconnecting, a refresh would only queue behind others; the `ready` event resumes.
    if (this.#closing !== undefined || !this.#client.isReady) return;
    this.refresh().catch((error: unknown) => this.#report(error, { kind: 'heartbeat' }));
  };

  async #heartbeat(): Promise<void> {
    const previous = await this.#client.set(this.#nodeKey, ALIVE, { expiration: { type: 'PX', value: this.#ttlMs }, GET: true });
    if (previous !== null || this.#closing !== undefined) return;
    // The key had expired (a pause longer than the TTL, a Redis restart): other nodes may have
    // removed this node's entries as ghosts. The key is claimed again first, so a removal still
    // in flight finds it and leaves the re-added entries alone (see DELETE_IF_UNCHANGED).
    const multi = this.#client.multi().sAdd(nodesKey(this.#prefix), this.node);
    for (const [key, members] of this.#owned) {
      multi.hSet(hashKey(this.#prefix, key), Object.fromEntries(members));
      for (const [member, stored] of members) multi.hSet(this.#entriesKey, entryField(key, member), decodeEntry(stored)?.value ?? '');
    }
    await multi.exec();
    this.#report(new PresenceStoreError('lapsed', `The liveness of presence node ${this.node} had lapsed; its entries were re-added`), {
      kind: 'heartbeat',
    });
  }

  /**
   * Reads the live entries of each key, in two round trips whatever the number of keys: every
   * hash (pipelined), then the liveness of every node they name (one MGET). Ghosts met are
   * removed before it resolves; a failed removal is reported, not thrown, since the answer stands.
   */
  async #readLive(keys: readonly string[]): Promise<StoredEntry[][]> {
    if (this.#closing !== undefined) throw closedError();
    if (keys.length === 0) return [];
    return withTimeout(this.#readLiveUnbounded(keys));
  }

  async #readLiveUnbounded(keys: readonly string[]): Promise<StoredEntry[][]> {
    // Commands issued in one tick go out in one write: node-redis pipelines them.
    const hashes = await Promise.all(keys.map((key) => this.#client.hGetAll(hashKey(this.#prefix, key))));
    const entries = hashes.map((hash) => Object.entries(hash).map(([member, stored]) => toStoredEntry(member, stored)));

    const nodes = [...new Set(entries.flat().flatMap((entry) => (entry.node === undefined ? [] : [entry.node])))];
    const liveness = nodes.length === 0 ? [] : await this.#client.mGet(nodes.map((node) => nodeKey(this.#prefix, node)));
    const live = new Set(nodes.filter((_, i) => liveness[i] !== null));

    const isLive = (entry: StoredEntry): boolean => entry.node !== undefined && live.has(entry.node);
    await Promise.all(
      entries.map((stored, i) => {
        const ghosts = stored.filter((entry) => !isLive(entry));
        return ghosts.length === 0 ? undefined : this.#removeGhosts(keys[i] as string, ghosts);
      }),
    );
    return entries.map((stored) => stored.filter(isLive));
  }

  async #removeGhosts(key: string, ghosts: readonly StoredEntry[]): Promise<void> {
    const nodeKeys: string[] = [];
    const args: string[] = [];
    for (const ghost of ghosts) {
      let index = 0;
      if (ghost.node !== undefined) {
        const ghostNodeKey = nodeKey(this.#prefix, ghost.node);
        index = nodeKeys.indexOf(ghostNodeKey);
        if (index < 0) index = nodeKeys.push(ghostNodeKey) - 1;
        // KEYS[1] is the hash, and Lua counts from 1.
        index += 2;
      }
      args.push(ghost.member, ghost.stored, String(index));
    }
    try {
      await this.#client.eval(DELETE_IF_UNCHANGED, { keys: [hashKey(this.#prefix, key), ...nodeKeys], arguments: args });
    } catch (error) {
      this.#report(error, { kind: 'cleanup', key });
    }
  }

  async #shutdown(): Promise<void> {
    clearInterval(this.#timer);
    this.#stopReady();
    // A refresh in flight must not re-claim the node key after the DEL below. Its failure was
    // already given to whoever called it (the timer reports it), so it is not reported twice.
    await this.#refreshing?.catch(() => undefined);
    const client = this.#client;
    if (client.isReady) {
      try {
        // One round trip, atomic: the liveness ends together with the entries.
        const multi = client.multi().del(this.#nodeKey).del(this.#entriesKey).sRem(nodesKey(this.#prefix), this.node);
        for (const [key, members] of this.#owned) {
          // Compare-and-delete: a member another node has taken over since keeps its entry.
          const args = [...members].flatMap(([member, stored]) => [member, stored, '0']);
          multi.eval(DELETE_IF_UNCHANGED, { keys: [hashKey(this.#prefix, key)], arguments: args });
        }
        await multi.exec();
      } catch (error) {
        this.#report(error, { kind: 'cleanup' });
      }
    } else {
      this.#report(
        new PresenceStoreError(
          'unreachable',
          `Redis was unreachable when presence node ${this.node} closed; its entries expire with its liveness`,
        ),
        { kind: 'cleanup' },
      );
    }
    this.#owned.clear();
    this.#connection.mute();
    // A ready client drains what was sent; one that is reconnecting is destroyed: node-redis's
    // close() waits for replies that would never come.
    if (client.isReady) await client.close();
    else client.destroy();
  }
}

function toStoredEntry(member: string, stored: string): StoredEntry {
  const decoded = decodeEntry(stored);
  return { member, stored, node: decoded?.node, value: decoded?.value ?? stored };
}
