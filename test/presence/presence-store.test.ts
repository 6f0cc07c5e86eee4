import { describe, expect, test } from 'vitest';
import {
  PresenceStoreError,
  createMemoryPresenceState,
  createMemoryPresenceStore,
  createRedisPresenceStore,
} from '@switchboard/server/testing';
import type { PresenceErrorContext, PresenceErrorHandler, PresenceStore } from '@switchboard/server/testing';
import { assembleCluster, recordErrors, redisUrl, testPrefix, useAdminClient } from '../helpers/redis.ts';
import type { Implementation, NodeCluster } from '../helpers/redis.ts';

/** Three nodes on one backend (a memory state, or Redis under one prefix); memory never reports an error. */
interface Cluster extends NodeCluster<PresenceStore, PresenceErrorContext> {
  /** Kills a node as a crash would: it never refreshes its liveness again, which then lapses. */
  crash(index: 0 | 1 | 2): Promise<void>;
  /** How many entries are stored under a key, ghosts included (`HLEN` for Redis). */
  storedCount(key: string): Promise<number>;
  /** A node with the id of `nodes[0]` on the same backend but in another namespace (another state, another prefix). */
  isolatedNode(): Promise<PresenceStore>;
  /** Creates another store on the cluster's backend and namespace. */
  addNode(node: string): Promise<PresenceStore>;
}

const NODE_IDS = ['node-a', 'node-b', 'node-c'] as const;

const memory: Implementation<Cluster> = {
  name: 'memory',
  createCluster: async () => {
    const state = createMemoryPresenceState();
    const [a, b, c] = NODE_IDS.map((node) => createMemoryPresenceStore({ node, state }));
    if (a === undefined || b === undefined || c === undefined) throw new Error('expected three nodes');
    return assembleCluster([a, b, c], [[], [], []], (track) => ({
      crash: async (index: 0 | 1 | 2) => state.expire(NODE_IDS[index]),
      storedCount: async (key: string) => state.entries(key).size,
      // Async, so that a refused node id rejects as with Redis rather than throwing.
      isolatedNode: async () => track(createMemoryPresenceStore({ node: NODE_IDS[0] })),
      addNode: async (node: string) => track(createMemoryPresenceStore({ node, state })),
    }));
  },
};

const admin = useAdminClient();

// Longer than any test: the timer never refreshes during one, so a node key deleted by the test
// stays deleted, exactly as if the node had died and its key expired.
const NEVER_REFRESHED_TTL_MS = 3_600_000;

const redis: Implementation<Cluster> = {
  name: 'redis',
  createCluster: async () => {
    const prefix = testPrefix();
    const reports = NODE_IDS.map(() => recordErrors<PresenceErrorContext>());
    const create = (node: string, onError?: PresenceErrorHandler): Promise<PresenceStore> =>
      createRedisPresenceStore({ url: redisUrl, prefix, node, ttlMs: NEVER_REFRESHED_TTL_MS, name: 'sb-test', onError });
    const [a, b, c] = await Promise.all(NODE_IDS.map((node, i) => create(node, reports[i]?.onError)));
    if (a === undefined || b === undefined || c === undefined) throw new Error('expected three nodes');
    return assembleCluster(
      [a, b, c],
      reports.map((report) => report.errors),
      (track) => ({
        crash: async (index: 0 | 1 | 2) => {
          await admin().del(`${prefix}node:${NODE_IDS[index]}`);
        },
        storedCount: (key: string) => admin().hLen(`${prefix}presence:${key}`),
        isolatedNode: () =>
          track(
            createRedisPresenceStore({
              url: redisUrl,
              prefix: testPrefix(),
              node: NODE_IDS[0],
              ttlMs: NEVER_REFRESHED_TTL_MS,
              name: 'sb-test',
            }),
          ),
        addNode: (node: string) => track(create(node)),
      }),
    );
  },
};

describe.each([memory, redis])('$name presence store', (implementation) => {
  test('shows the members every node added to every node, with their values', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b, c] = cluster.nodes;
    await a.add('room:1', 'conn-a', '{"user":"ann"}');
    await b.add('room:1', 'conn-b', '{"user":"bob"}');
    await c.add('room:2', 'conn-c', '{"user":"cat"}');

    const expected = new Map([
      ['conn-a', '{"user":"ann"}'],
      ['conn-b', '{"user":"bob"}'],
    ]);
    for (const node of cluster.nodes) {
      expect(await node.members('room:1')).toEqual(expected);
      expect(await node.count('room:1')).toBe(2);
      expect(await node.count('room:2')).toBe(1);
    }
  });

  test('adds idempotently, and a later add replaces the value', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b] = cluster.nodes;
    await a.add('room:1', 'conn-a', 'v1');
    await a.add('room:1', 'conn-a', 'v1');
    expect(await b.members('room:1')).toEqual(new Map([['conn-a', 'v1']]));

    await a.add('room:1', 'conn-a', 'v2');
    expect(await b.members('room:1')).toEqual(new Map([['conn-a', 'v2']]));
    expect(await b.count('room:1')).toBe(1);
  });

  test('stores values verbatim, tabs and empty ones included', async () => {
    await using cluster = await implementation.createCluster();
    await cluster.nodes[0].add('room:1', 'conn-a', 'a\tb\tc');
    await cluster.nodes[0].add('room:1', 'conn-b', '');

    expect(await cluster.nodes[1].members('room:1')).toEqual(
      new Map([
        ['conn-a', 'a\tb\tc'],
        ['conn-b', ''],
      ]),
    );
  });

  test('removes a member for every node, and tells whether it was present', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b, c] = cluster.nodes;
    await a.add('room:1', 'conn-a', 'x');
    await b.add('room:1', 'conn-b', 'y');

    expect(await a.remove('room:1', 'conn-a')).toBe(true);
    expect(await a.remove('room:1', 'conn-a')).toBe(false);
    expect(await a.remove('room:9', 'conn-a')).toBe(false);
    // Any node may remove any member: the one that added it may not be the one that learns it left.
    expect(await c.remove('room:1', 'conn-b')).toBe(true);

    for (const node of cluster.nodes) {
      expect(await node.members('room:1')).toEqual(new Map());
      expect(await node.count('room:1')).toBe(0);
    }
    expect(await cluster.storedCount('room:1')).toBe(0);
  });

  test('counts many keys at once, absent and repeated ones included', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b, c] = cluster.nodes;
    await a.add('endpoint:1', 'conn-1', '');
    await b.add('endpoint:1', 'conn-2', '');
    await c.add('endpoint:2', 'conn-3', '');

    expect(await c.counts(['endpoint:1', 'endpoint:2', 'endpoint:3', 'endpoint:1'])).toEqual(
      new Map([
        ['endpoint:1', 2],
        ['endpoint:2', 1],
        ['endpoint:3', 0],
      ]),
    );
    expect(await c.counts([])).toEqual(new Map());
  });

  test('close removes only the entries of its node, and is idempotent', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b, c] = cluster.nodes;
    await a.add('room:1', 'conn-a1', 'a1');
    await a.add('room:2', 'conn-a2', 'a2');
    await b.add('room:1', 'conn-b', 'b');
    await c.add('room:2', 'conn-c', 'c');

    await Promise.all([a.close(), a.close()]);
    await a.close();

    expect(await b.members('room:1')).toEqual(new Map([['conn-b', 'b']]));
    expect(await c.members('room:2')).toEqual(new Map([['conn-c', 'c']]));
    // Removed, not merely hidden.
    expect(await cluster.storedCount('room:1')).toBe(1);
    expect(await cluster.storedCount('room:2')).toBe(1);
  });

  test('close leaves a member that another node has since taken over', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b] = cluster.nodes;
    await a.add('chat:lobby', 'user-1', 'on a');
    await b.add('chat:lobby', 'user-1', 'on b');

    await a.close();

    expect(await b.members('chat:lobby')).toEqual(new Map([['user-1', 'on b']]));
  });

  test('refuses reads and adds once closed; remove then resolves false', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b] = cluster.nodes;
    await b.add('room:1', 'conn-b', 'b');
    await a.close();

    await expect(a.add('room:1', 'conn-a', 'a')).rejects.toMatchObject({ name: 'PresenceStoreError', code: 'closed' });
    await expect(a.members('room:1')).rejects.toMatchObject({ code: 'closed' });
    await expect(a.count('room:1')).rejects.toMatchObject({ code: 'closed' });
    await expect(a.counts(['room:1'])).rejects.toMatchObject({ code: 'closed' });
    expect(await a.remove('room:1', 'conn-b')).toBe(false);
    expect(await b.count('room:1')).toBe(1);
  });

  test('hides the entries of a crashed node from every other node, then removes them', async () => {
    await using cluster = await implementation.createCluster();
    const [a, b, c] = cluster.nodes;
    await a.add('room:1', 'conn-a1', 'a');
    await a.add('room:1', 'conn-a2', 'a');
    await a.add('room:2', 'conn-a3', 'a');
    await b.add('room:1', 'conn-b', 'b');
    // The crashed node's member taken over by a live node is that node's now, and stays.
    await a.add('room:2', 'user-1', 'on a');
    await c.add('room:2', 'user-1', 'on c');

    await cluster.crash(0);

    expect(await b.members('room:1')).toEqual(new Map([['conn-b', 'b']]));
    expect(await c.count('room:1')).toBe(1);
    expect(await c.counts(['room:1', 'room:2'])).toEqual(
      new Map([
        ['room:1', 1],
        ['room:2', 1],
      ]),
    );
    expect(await b.members('room:2')).toEqual(new Map([['user-1', 'on c']]));
    // Reading removed the ghosts, so they do not pile up in the backend.
    expect(await cluster.storedCount('room:1')).toBe(1);
    expect(await cluster.storedCount('room:2')).toBe(1);
  });

  test('keeps namespaces apart: another state or prefix sees nothing of this one', async () => {
    await using cluster = await implementation.createCluster();
    const isolated = await cluster.isolatedNode();
    await cluster.nodes[0].add('room:1', 'conn-a', 'here');
    await isolated.add('room:1', 'conn-x', 'elsewhere');

    expect(await cluster.nodes[1].members('room:1')).toEqual(new Map([['conn-a', 'here']]));
    expect(await isolated.members('room:1')).toEqual(new Map([['conn-x', 'elsewhere']]));

    // Closing the isolated node, which has the same node id, removes nothing here.
    await isolated.close();
    expect(await cluster.nodes[1].count('room:1')).toBe(1);
  });

  test('refuses a node id that is live already, and accepts it once that node closed', async () => {
    await using cluster = await implementation.createCluster();
    const error: unknown = await cluster.addNode(NODE_IDS[1]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PresenceStoreError);
    expect(error).toMatchObject({ code: 'duplicate-node' });

    await cluster.nodes[1].close();
    const again = await cluster.addNode(NODE_IDS[1]);
    await again.add('room:1', 'conn', 'back');
    expect(await cluster.nodes[0].members('room:1')).toEqual(new Map([['conn', 'back']]));
  });

  test.each(['', 'with\ttab'])('refuses the node id %j', async (node) => {
    await using cluster = await implementation.createCluster();
    const error: unknown = await cluster.addNode(node).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-option' });
  });

  test('reports no error in ordinary use', async () => {
    await using cluster = await implementation.createCluster();
    await cluster.nodes[0].add('room:1', 'conn-a', 'a');
    await cluster.crash(0);
    await cluster.nodes[1].members('room:1');
    await cluster.nodes[2].close();
    expect(cluster.errors.flat()).toEqual([]);
  });
});
