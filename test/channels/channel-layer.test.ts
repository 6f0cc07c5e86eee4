import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ChannelLayerError, createMemoryBus, createMemoryChannelLayer, createRedisChannelLayer } from '@switchboard/server/testing';
import type { ChannelErrorContext, ChannelLayer } from '@switchboard/server/testing';
import { assembleCluster, recordErrors, redisUrl, testPrefix, useAdminClient } from '../helpers/redis.ts';
import type { Implementation, NodeCluster } from '../helpers/redis.ts';
import { createRecorder, seededRandom } from './helpers.ts';
import type { Recorder } from './helpers.ts';

/** Three nodes on one transport (a memory bus, or Redis under one prefix). */
interface Cluster extends NodeCluster<ChannelLayer, ChannelErrorContext> {
  /** How many nodes hold a transport subscription to the topic (`PUBSUB NUMSUB` for Redis). */
  subscriberCount(topic: string): Promise<number>;
  /** A node on the same transport but in another namespace (another bus, another prefix). */
  isolatedNode(): Promise<ChannelLayer>;
}

const memory: Implementation<Cluster> = {
  name: 'memory',
  createCluster: async () => {
    const bus = createMemoryBus();
    const reports = [
      recordErrors<ChannelErrorContext>(),
      recordErrors<ChannelErrorContext>(),
      recordErrors<ChannelErrorContext>(),
    ] as const;
    const nodes = [
      createMemoryChannelLayer({ bus, onError: reports[0].onError }),
      createMemoryChannelLayer({ bus, onError: reports[1].onError }),
      createMemoryChannelLayer({ bus, onError: reports[2].onError }),
    ] as const;
    return assembleCluster(
      nodes,
      reports.map((report) => report.errors),
      (track) => ({
        subscriberCount: async (topic: string) => bus.subscriberCount(topic),
        isolatedNode: async () => track(createMemoryChannelLayer({ bus: createMemoryBus() })),
      }),
    );
  },
};

// One client outside the nodes, to observe Redis as an operator would.
const admin = useAdminClient();

const redis: Implementation<Cluster> = {
  name: 'redis',
  createCluster: async () => {
    const prefix = testPrefix();
    const reports = [
      recordErrors<ChannelErrorContext>(),
      recordErrors<ChannelErrorContext>(),
      recordErrors<ChannelErrorContext>(),
    ] as const;
    const nodes = await Promise.all(
      reports.map((report) => createRedisChannelLayer({ url: redisUrl, prefix, name: 'sb-test', onError: report.onError })),
    );
    const [a, b, c] = nodes;
    if (a === undefined || b === undefined || c === undefined) throw new Error('expected three nodes');
    return assembleCluster(
      [a, b, c],
      reports.map((report) => report.errors),
      (track) => ({
        subscriberCount: async (topic: string) => {
          const counts = await admin().pubSubNumSub(prefix + topic);
          return Number(counts[prefix + topic] ?? 0);
        },
        isolatedNode: () => track(createRedisChannelLayer({ url: redisUrl, prefix: testPrefix(), name: 'sb-test' })),
      }),
    );
  },
};

/**
 * Publishes `message` on `topic`, then `sentinel` on `sentinelTopic`, both from `from`, and waits
 * until `sentinelRecorder` got the sentinel. Messages from one publisher reach one subscriber in
 * publish order (one Redis connection each way; one FIFO queue in memory), so once the sentinel
 * arrived, `message` has reached that node's listeners if it was ever going to.
 */
async function publishThenSentinel(
  from: ChannelLayer,
  topic: string,
  message: string,
  sentinelTopic: string,
  sentinelRecorder: Recorder,
): Promise<void> {
  const sentinel = `sentinel:${randomUUID()}`;
  await from.publish(topic, message);
  await from.publish(sentinelTopic, sentinel);
  await sentinelRecorder.received(sentinel);
}

describe.each([memory, redis])('$name channel layer', (implementation) => {
  test('delivers a message to the listeners of every node, with its topic', async () => {
    await using cluster = await implementation.createCluster();
    const recorders = cluster.nodes.map(() => createRecorder());
    await Promise.all(cluster.nodes.map((node, i) => node.subscribe('room:1', recorders[i]!.listener)));

    await cluster.nodes[1].publish('room:1', 'hello');
    await cluster.nodes[1].publish('room:1', 'end');
    await Promise.all(recorders.map((recorder) => recorder.received('end')));

    for (const recorder of recorders) {
      expect(recorder.messages).toEqual(['hello', 'end']);
      expect(recorder.topics).toEqual(['room:1', 'room:1']);
    }
  });

  test('keeps publish order per topic on every node', async () => {
    await using cluster = await implementation.createCluster();
    const topics = ['room:a', 'room:b'] as const;
    const recorders = cluster.nodes.map(() => ({ 'room:a': createRecorder(), 'room:b': createRecorder() }));
    await Promise.all(cluster.nodes.flatMap((node, i) => topics.map((topic) => node.subscribe(topic, recorders[i]![topic].listener))));
    const expected = Array.from({ length: 500 }, (_, i) => `m${i}`);

    // Not awaited one by one: publishes in flight together must still arrive in order.
    await Promise.all(expected.flatMap((message) => topics.map((topic) => cluster.nodes[0].publish(topic, message))));

    for (const byTopic of recorders) {
      for (const topic of topics) {
        await byTopic[topic].until((messages) => messages.length >= expected.length);
        expect(byTopic[topic].messages).toEqual(expected);
      }
    }
  });

  test('holds one transport subscription per topic per node and releases it with the last listener', async () => {
    await using cluster = await implementation.createCluster();
    const first = cluster.nodes.map(() => createRecorder());
    const second = cluster.nodes.map(() => createRecorder());
    await Promise.all(
      cluster.nodes.flatMap((node, i) => [node.subscribe('room:1', first[i]!.listener), node.subscribe('room:1', second[i]!.listener)]),
    );
    expect(await cluster.subscriberCount('room:1')).toBe(3);

    await Promise.all(cluster.nodes.map((node, i) => node.unsubscribe('room:1', first[i]!.listener)));
    expect(await cluster.subscriberCount('room:1')).toBe(3);

    await cluster.nodes[2].publish('room:1', 'one');
    await Promise.all(second.map((recorder) => recorder.received('one')));
    // A node calls its listeners one after the other for a message, so the removed ones are done too.
    for (const recorder of first) expect(recorder.messages).toEqual([]);

    await Promise.all(cluster.nodes.map((node, i) => node.unsubscribe('room:1', second[i]!.listener)));
    expect(await cluster.subscriberCount('room:1')).toBe(0);
  });

  test('counts a listener added twice to a topic once', async () => {
    await using cluster = await implementation.createCluster();
    const recorder = createRecorder();
    await cluster.nodes[1].subscribe('room:1', recorder.listener);
    await cluster.nodes[1].subscribe('room:1', recorder.listener);

    await cluster.nodes[0].publish('room:1', 'once');
    await cluster.nodes[0].publish('room:1', 'end');
    await recorder.received('end');
    expect(recorder.messages).toEqual(['once', 'end']);

    await cluster.nodes[1].unsubscribe('room:1', recorder.listener);
    expect(await cluster.subscriberCount('room:1')).toBe(0);
  });

  test('delivers a publish issued as soon as subscribe resolved', async () => {
    await using cluster = await implementation.createCluster();
    // Many fresh topics: each subscribe is a new transport subscription confirmed just in time.
    for (let i = 0; i < 25; i += 1) {
      const recorder = createRecorder();
      await cluster.nodes[2].subscribe(`fresh:${i}`, recorder.listener);
      await cluster.nodes[0].publish(`fresh:${i}`, 'first');
      await recorder.received('first');
    }
  });

  test('stops delivering to a removed listener while another keeps the topic', async () => {
    await using cluster = await implementation.createCluster();
    const removed = createRecorder();
    const kept = createRecorder();
    await cluster.nodes[1].subscribe('room:1', removed.listener);
    await cluster.nodes[1].subscribe('room:1', kept.listener);
    await cluster.nodes[0].publish('room:1', 'before');
    await removed.received('before');

    await cluster.nodes[1].unsubscribe('room:1', removed.listener);
    await cluster.nodes[0].publish('room:1', 'after');
    await cluster.nodes[0].publish('room:1', 'sentinel');
    await kept.received('sentinel');

    expect(removed.messages).toEqual(['before']);
    expect(kept.messages).toEqual(['before', 'after', 'sentinel']);
  });

  test('stops delivering once the last listener of a node left', async () => {
    await using cluster = await implementation.createCluster();
    const removed = createRecorder();
    const sentinel = createRecorder();
    const elsewhere = createRecorder();
    await cluster.nodes[1].subscribe('room:1', removed.listener);
    await cluster.nodes[1].subscribe('control', sentinel.listener);
    await cluster.nodes[2].subscribe('room:1', elsewhere.listener);

    await cluster.nodes[1].unsubscribe('room:1', removed.listener);
    expect(await cluster.subscriberCount('room:1')).toBe(1);
    // The node has no listener left on room:1, so the sentinel travels on another topic to it.
    await publishThenSentinel(cluster.nodes[0], 'room:1', 'after', 'control', sentinel);
    await elsewhere.received('after');

    expect(removed.messages).toEqual([]);
  });

  test('reports a throwing listener to onError and still calls the others', async () => {
    await using cluster = await implementation.createCluster();
    const thrower = createRecorder((message) => {
      throw new Error(`listener failed on ${message}`);
    });
    const sameNode = createRecorder();
    const otherNode = createRecorder();
    await cluster.nodes[1].subscribe('room:1', thrower.listener);
    await cluster.nodes[1].subscribe('room:1', sameNode.listener);
    await cluster.nodes[2].subscribe('room:1', otherNode.listener);

    await cluster.nodes[0].publish('room:1', 'x');
    await cluster.nodes[0].publish('room:1', 'y');
    await Promise.all([sameNode.received('y'), otherNode.received('y')]);

    expect(thrower.messages).toEqual(['x', 'y']);
    expect(sameNode.messages).toEqual(['x', 'y']);
    expect(otherNode.messages).toEqual(['x', 'y']);
    expect(cluster.errors[1]).toEqual([
      { error: new Error('listener failed on x'), context: { kind: 'listener', topic: 'room:1' } },
      { error: new Error('listener failed on y'), context: { kind: 'listener', topic: 'room:1' } },
    ]);
    expect(cluster.errors[0]).toEqual([]);
    expect(cluster.errors[2]).toEqual([]);
  });

  test('close is idempotent, stops delivery and refuses later publish and subscribe', async () => {
    await using cluster = await implementation.createCluster();
    const closedNode = cluster.nodes[1];
    const lost = createRecorder();
    const kept = createRecorder();
    await closedNode.subscribe('room:1', lost.listener);
    await cluster.nodes[0].subscribe('room:1', kept.listener);

    await Promise.all([closedNode.close(), closedNode.close()]);
    await closedNode.close();

    await cluster.nodes[0].publish('room:1', 'after close');
    await kept.received('after close');
    expect(lost.messages).toEqual([]);

    await expect(closedNode.publish('room:1', 'x')).rejects.toThrow(ChannelLayerError);
    await expect(closedNode.publish('room:1', 'x')).rejects.toMatchObject({ code: 'closed' });
    await expect(closedNode.subscribe('room:1', lost.listener)).rejects.toMatchObject({ code: 'closed' });
    await expect(closedNode.unsubscribe('room:1', lost.listener)).resolves.toBeUndefined();
  });

  test.each([
    { from: 'unsubscribed', calls: ['subscribe', 'unsubscribe'] },
    { from: 'unsubscribed', calls: ['subscribe', 'unsubscribe', 'subscribe'] },
    { from: 'subscribed', calls: ['unsubscribe', 'subscribe'] },
    { from: 'subscribed', calls: ['unsubscribe', 'subscribe', 'unsubscribe'] },
  ] as const)('$calls issued together while $from end in the state of the last call', async ({ from, calls }) => {
    await using cluster = await implementation.createCluster();
    const node = cluster.nodes[1];
    const listener = createRecorder();
    const sentinel = createRecorder();
    await node.subscribe('control', sentinel.listener);
    if (from === 'subscribed') await node.subscribe('room:1', listener.listener);

    await Promise.all(calls.map((call) => node[call]('room:1', listener.listener)));

    const live = calls.at(-1) === 'subscribe';
    expect(await cluster.subscriberCount('room:1')).toBe(live ? 1 : 0);
    await publishThenSentinel(cluster.nodes[0], 'room:1', 'probe', 'control', sentinel);
    expect(listener.messages).toEqual(live ? ['probe'] : []);
  });

  test('random bursts of subscribe and unsubscribe converge on the last call per listener', async () => {
    await using cluster = await implementation.createCluster();
    const node = cluster.nodes[2];
    const random = seededRandom(20_240_601);
    const listeners = [createRecorder(), createRecorder()];
    const sentinel = createRecorder();
    await node.subscribe('control', sentinel.listener);
    const wanted = new Set<Recorder>();

    for (let round = 0; round < 40; round += 1) {
      const burst: Promise<void>[] = [];
      for (let op = 0; op < 6; op += 1) {
        const recorder = listeners[Math.floor(random() * listeners.length)]!;
        if (random() < 0.5) {
          wanted.add(recorder);
          burst.push(node.subscribe('room:1', recorder.listener));
        } else {
          wanted.delete(recorder);
          burst.push(node.unsubscribe('room:1', recorder.listener));
        }
      }
      await Promise.all(burst);

      expect(await cluster.subscriberCount('room:1')).toBe(wanted.size > 0 ? 1 : 0);
      const probe = `probe:${round}`;
      await publishThenSentinel(cluster.nodes[0], 'room:1', probe, 'control', sentinel);
      for (const recorder of listeners) {
        expect(recorder.messages.filter((message) => message === probe)).toEqual(wanted.has(recorder) ? [probe] : []);
      }
    }
  });

  test('isolates namespaces sharing one transport', async () => {
    await using cluster = await implementation.createCluster();
    const isolated = await cluster.isolatedNode();
    const inCluster = createRecorder();
    const inIsolated = createRecorder();
    await cluster.nodes[0].subscribe('room:1', inCluster.listener);
    await isolated.subscribe('room:1', inIsolated.listener);

    // Each side's last message is its sentinel: anything crossing over would have arrived before it.
    await isolated.publish('room:1', 'isolated 1');
    await cluster.nodes[1].publish('room:1', 'cluster 1');
    await isolated.publish('room:1', 'isolated 2');
    await Promise.all([inCluster.received('cluster 1'), inIsolated.received('isolated 2')]);

    expect(inCluster.messages).toEqual(['cluster 1']);
    expect(inIsolated.messages).toEqual(['isolated 1', 'isolated 2']);
  });
});
