import { randomUUID } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { ChannelLayerError, createChannelLayer, createRedisChannelLayer } from '@switchboard/server/testing';
import type { ChannelErrorContext } from '@switchboard/server/testing';
import {
  INVALID_REDIS_URLS,
  UNREACHABLE_REDIS_URL,
  createDeferred,
  expectInvalidUrl,
  expectUnreachable,
  killConnection,
  redisUrl,
  testPrefix,
  useAdminClient,
} from '../helpers/redis.ts';
import type { ReportedError } from '../helpers/redis.ts';
import { createRecorder } from './helpers.ts';

// Behaviour only Redis has: connecting, reconnecting, the commands actually sent.
// Everything both layers share is in channel-layer.test.ts.

const admin = useAdminClient();

describe('Redis channel layer', () => {
  test('names the host but never the password when Redis is unreachable', async () => {
    await expectUnreachable(createRedisChannelLayer({ url: UNREACHABLE_REDIS_URL }), ChannelLayerError);
  });

  test.each(INVALID_REDIS_URLS)('refuses the invalid URL %s without echoing it', async (url) => {
    await expectInvalidUrl(createRedisChannelLayer({ url }), ChannelLayerError);
  });

  test('namespaces topics under sb: by default', async () => {
    await using layer = await createRedisChannelLayer({ url: redisUrl });
    const topic = `default-prefix-${randomUUID()}`;
    await layer.subscribe(topic, () => {});

    expect(await admin().pubSubNumSub(`sb:${topic}`)).toEqual({ [`sb:${topic}`]: 1 });
  });

  test('sends one SUBSCRIBE per topic per node, and one UNSUBSCRIBE when the last listener leaves', async () => {
    const prefix = testPrefix();
    const channel = `${prefix}room:1`;
    await using layer = await createRedisChannelLayer({ url: redisUrl, prefix });
    const monitor = admin().duplicate();
    monitor.on('error', () => {});
    await monitor.connect();
    try {
      const lines: string[] = [];
      const marker = `marker-${randomUUID()}`;
      const markerSeen = createDeferred<void>();
      await monitor.monitor((line: string) => {
        lines.push(line);
        if (line.includes(marker)) markerSeen.resolve();
      });

      const listeners = Array.from({ length: 5 }, () => createRecorder().listener);
      await Promise.all(listeners.slice(0, 3).map((listener) => layer.subscribe('room:1', listener)));
      for (const listener of listeners.slice(3)) await layer.subscribe('room:1', listener);
      await Promise.all(listeners.slice(0, 4).map((listener) => layer.unsubscribe('room:1', listener)));
      await layer.unsubscribe('room:1', listeners[4]!);
      // MONITOR reports commands in execution order: once the marker shows, ours all have.
      await admin().echo(marker);
      await markerSeen.promise;

      const sent = (command: string): number =>
        lines.filter((line) => line.toLowerCase().includes(`"${command}" "${channel.toLowerCase()}"`)).length;
      expect(sent('subscribe')).toBe(1);
      expect(sent('unsubscribe')).toBe(1);
    } finally {
      monitor.destroy();
    }
  });

  test('reports a lost subscriber connection, then delivers again once node-redis resubscribed', async () => {
    const prefix = testPrefix();
    const name = `sb-test-${randomUUID()}`;
    const connectionError = createDeferred<ReportedError<ChannelErrorContext>>();
    await using node = await createRedisChannelLayer({
      url: redisUrl,
      prefix,
      name,
      onError: (error, context) => {
        if (context.kind === 'connection') connectionError.resolve({ error, context });
      },
    });
    await using publisher = await createRedisChannelLayer({ url: redisUrl, prefix, name: 'sb-test' });
    const recorder = createRecorder();
    await node.subscribe('room:1', recorder.listener);

    await killConnection(admin(), `${name}:sub`);

    expect((await connectionError.promise).context).toEqual({ kind: 'connection', connection: 'subscriber' });
    // Messages published while it was down are lost (Redis pub/sub keeps nothing): probe until
    // one arrives, each probe waiting for Redis's reply, so no timing is assumed.
    for (let probe = 0; recorder.messages.length === 0; probe += 1) {
      await publisher.publish('room:1', `probe ${probe}`);
    }
    expect(recorder.messages[0]).toMatch(/^probe \d+$/);
  });
});

describe('createChannelLayer', () => {
  test('uses Redis when given a URL', async () => {
    await using layer = await createChannelLayer({ redisUrl, prefix: testPrefix() });
    expect(layer.kind).toBe('redis');
  });

  test.each([{}, { redisUrl: '' }])('stays in memory with %o', async (options) => {
    await using layer = await createChannelLayer(options);
    expect(layer.kind).toBe('memory');
  });
});
