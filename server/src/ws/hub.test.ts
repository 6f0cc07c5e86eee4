/**
 * The hub against a fake channel layer and real connections on fake sockets: one subscription
 * per topic per node, the last local member unsubscribes, a frame is encoded once for every
 * member, a control message closes them, and a failed subscribe leaves nothing behind.
 */
import { describe, expect, it } from 'vitest';
import { createLogger } from '../lib/logger.ts';
import { Connection } from './connection.ts';
import { encodeClose } from './control.ts';
import { Hub, type TopicListener, type TopicTransport } from './hub.ts';
import type { RawSocket } from './socket-contract.ts';

/** A socket that records what was written to it; `bufferedAmount` is what the test says. */
class FakeSocket implements RawSocket {
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: (string | Buffer)[] = [];
  closedWith: { code: number; reason: string } | undefined;
  send(data: string | Buffer): void {
    this.sent.push(data);
  }
  close(code: number, reason: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  terminate(): void {}
  ping(): void {}
}

const silent = createLogger({ level: 'silent' });
const limits = { maxBufferedBytes: 1024, framesPerSecond: 100, frameBurst: 10, maxInbox: 10, malformedPerMinute: 10 };

function connection(id: string): { connection: Connection; socket: FakeSocket } {
  const socket = new FakeSocket();
  const handle = async (): Promise<void> => {};
  return { socket, connection: new Connection({ id, route: '/ws', socket, log: silent, limits, handle }) };
}

// The hub's own view of the channel layer, so this transport test imports no store.

/** A deferred promise, so a test decides when a subscription goes live. */
function deferred(): { promise: Promise<void>; resolve(): void; reject(error: Error): void } {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const promise = new Promise<void>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** A channel layer that records calls and lets the test deliver messages and settle subscriptions. */
function fakeChannels() {
  const listeners = new Map<string, Set<TopicListener>>();
  const calls: string[] = [];
  const pending: ReturnType<typeof deferred>[] = [];
  let autoResolve = true;
  const layer: TopicTransport = {
    subscribe: (topic, listener) => {
      calls.push(`subscribe ${topic}`);
      (listeners.get(topic) ?? listeners.set(topic, new Set()).get(topic)!).add(listener);
      if (autoResolve) return Promise.resolve();
      const gate = deferred();
      pending.push(gate);
      return gate.promise;
    },
    unsubscribe: async (topic, listener) => {
      calls.push(`unsubscribe ${topic}`);
      listeners.get(topic)?.delete(listener);
    },
  };
  const deliver = (topic: string, message: string): void => {
    for (const listener of listeners.get(topic) ?? []) listener(message, topic);
  };
  return {
    layer,
    calls,
    pending,
    deliver,
    holdSubscriptions: () => void (autoResolve = false),
  };
}

describe('Hub', () => {
  it('subscribes a topic once per node however many local members join it', async () => {
    const channels = fakeChannels();
    const hub = new Hub(channels.layer);
    const a = connection('n.a');
    const b = connection('n.b');
    await hub.join('room:1', a.connection);
    await hub.join('room:1', b.connection);
    await hub.join('room:1', b.connection);
    expect(channels.calls).toEqual(['subscribe room:1']);
    expect(hub.localMembers('room:1')).toBe(2);
    expect(hub.topicCount).toBe(1);
  });

  it('resolves a join only once the subscription is live, for every member waiting on it', async () => {
    const channels = fakeChannels();
    channels.holdSubscriptions();
    const hub = new Hub(channels.layer);
    const order: string[] = [];
    const first = hub.join('room:1', connection('n.a').connection).then(() => order.push('a'));
    const second = hub.join('room:1', connection('n.b').connection).then(() => order.push('b'));
    await Promise.resolve();
    expect(order).toEqual([]);
    channels.pending[0]!.resolve();
    await Promise.all([first, second]);
    expect(order).toEqual(['a', 'b']);
    expect(channels.pending).toHaveLength(1);
  });

  it('unsubscribes when the last local member leaves, not before', async () => {
    const channels = fakeChannels();
    const hub = new Hub(channels.layer);
    const a = connection('n.a');
    const b = connection('n.b');
    await hub.join('room:1', a.connection);
    await hub.join('room:1', b.connection);
    await hub.leave('room:1', a.connection);
    expect(channels.calls).toEqual(['subscribe room:1']);
    await hub.leave('room:1', b.connection);
    expect(channels.calls).toEqual(['subscribe room:1', 'unsubscribe room:1']);
    expect(hub.topicCount).toBe(0);
    // Leaving again, or a topic never joined, changes nothing.
    await hub.leave('room:1', b.connection);
    await hub.leave('room:2', b.connection);
    expect(channels.calls).toHaveLength(2);
  });

  it('writes a frame to one member as text and to many as the same encoded bytes', async () => {
    const channels = fakeChannels();
    const hub = new Hub(channels.layer);
    const alone = connection('n.alone');
    await hub.join('solo', alone.connection);
    channels.deliver('solo', '{"action":"message"}');
    expect(alone.socket.sent).toEqual(['{"action":"message"}']);

    const members = [connection('n.a'), connection('n.b'), connection('n.c')];
    for (const member of members) await hub.join('room:1', member.connection);
    channels.deliver('room:1', '{"action":"chat.message"}');
    const written = members.map((member) => member.socket.sent[0]);
    expect(written[0]).toBeInstanceOf(Buffer);
    expect(written[0]!.toString()).toBe('{"action":"chat.message"}');
    // Encoded once: every member got the very same bytes.
    expect(new Set(written).size).toBe(1);
  });

  it('applies a control message instead of writing it: every member is closed with its code', async () => {
    const channels = fakeChannels();
    const hub = new Hub(channels.layer);
    const members = [connection('n.a'), connection('n.b')];
    for (const member of members) await hub.join('room:1:control', member.connection);
    channels.deliver('room:1:control', encodeClose('room_deleted'));
    for (const member of members) {
      expect(member.socket.sent).toEqual([]);
      expect(member.socket.closedWith?.code).toBe(4502);
      expect(member.connection.phase).toEqual({ phase: 'closed', code: 4502 });
    }
  });

  it('answers a failed subscribe unavailable and forgets the topic, so the next join subscribes again', async () => {
    const channels = fakeChannels();
    channels.holdSubscriptions();
    const hub = new Hub(channels.layer);
    const joining = hub.join('room:1', connection('n.a').connection);
    channels.pending[0]!.reject(new Error('redis is down'));
    // An outage the client retries, not `internal`; the driver's error stays as the cause for the log.
    await expect(joining).rejects.toMatchObject({ code: 'unavailable', dependency: 'redis', cause: { message: 'redis is down' } });
    expect(hub.topicCount).toBe(0);
    const again = hub.join('room:1', connection('n.b').connection);
    channels.pending[1]!.resolve();
    await again;
    expect(channels.calls).toEqual(['subscribe room:1', 'subscribe room:1']);
  });

  it('takes a closing connection out of every topic it was in', async () => {
    const channels = fakeChannels();
    const hub = new Hub(channels.layer);
    const a = connection('n.a');
    const b = connection('n.b');
    await hub.join('room:1', a.connection);
    await hub.join('user:1', a.connection);
    await hub.join('room:1', b.connection);
    await hub.leaveAll(a.connection);
    expect(hub.localMembers('room:1')).toBe(1);
    expect(hub.localMembers('user:1')).toBe(0);
    expect(channels.calls).toEqual(['subscribe room:1', 'subscribe user:1', 'unsubscribe user:1']);
  });
});
