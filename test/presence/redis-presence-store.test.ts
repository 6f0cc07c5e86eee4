import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, test, vi } from 'vitest';
import { PresenceStoreError, createPresenceStore, createRedisPresenceStore } from '@switchboard/server/testing';
import type { PresenceErrorContext } from '@switchboard/server/testing';
import { DELETE_IF_UNCHANGED } from '@switchboard/server/testing';
import {
  INVALID_REDIS_URLS,
  UNREACHABLE_REDIS_URL,
  createDeferred,
  expectInvalidUrl,
  expectUnreachable,
  killConnection,
  recordErrors,
  redisUrl,
  testPrefix,
  useAdminClient,
} from '../helpers/redis.ts';
import type { ReportedError } from '../helpers/redis.ts';

// Behaviour only Redis has: what is stored where, liveness and its refresh, connecting and
// reconnecting. Everything both stores share is in presence-store.test.ts.

const admin = useAdminClient();

afterEach(() => {
  vi.useRealTimers();
});

describe('Redis presence store', () => {
  test('stores a hash per key, each field `<node>\\t<value>`, and a node key with the TTL', async () => {
    const prefix = testPrefix();
    await using store = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'n1' });
    await store.add('room:1', 'conn-1', '{"user":"ann"}');

    expect(await admin().hGetAll(`${prefix}presence:room:1`)).toEqual({ 'conn-1': 'n1\t{"user":"ann"}' });
    const ttl = await admin().pTTL(`${prefix}node:n1`);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(15_000);
  });

  test("close deletes the node key and this node's fields, and leaves the rest", async () => {
    const prefix = testPrefix();
    await using a = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'a' });
    await using b = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'b' });
    await a.add('room:1', 'conn-a', 'a');
    await a.add('room:1', 'conn-gone', 'a');
    await a.remove('room:1', 'conn-gone');
    await b.add('room:1', 'conn-b', 'b');

    await a.close();

    expect(await admin().exists(`${prefix}node:a`)).toBe(0);
    expect(await admin().exists(`${prefix}node:b`)).toBe(1);
    expect(await admin().hGetAll(`${prefix}presence:room:1`)).toEqual({ 'conn-b': 'b\tb' });
  });

  test('namespaces keys under sb: by default, through createPresenceStore', async () => {
    const node = `default-prefix-${randomUUID()}`;
    const key = `room:${randomUUID()}`;
    const store = await createPresenceStore({ redisUrl, node });
    expect(store.kind).toBe('redis');
    await store.add(key, 'conn', 'v');
    expect(await admin().hGet(`sb:presence:${key}`, 'conn')).toBe(`${node}\tv`);

    await store.close();
    expect(await admin().exists([`sb:presence:${key}`, `sb:node:${node}`])).toBe(0);
  });

  test('createPresenceStore picks memory without a URL', async () => {
    await using store = await createPresenceStore({ node: 'n1', redisUrl: '' });
    expect(store.kind).toBe('memory');
  });

  test("re-adds this node's entries when a refresh finds its liveness lapsed, and reports it", async () => {
    const prefix = testPrefix();
    const { errors, onError } = recordErrors<PresenceErrorContext>();
    await using a = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'a', onError });
    await using b = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'b' });
    await a.add('room:1', 'conn-a', 'a1');
    await a.add('room:2', 'conn-a', 'a2');
    await a.add('room:2', 'conn-gone', 'a');
    await a.remove('room:2', 'conn-gone');

    // A pause longer than the TTL: the key expires and another node removes the ghosts.
    await admin().del(`${prefix}node:a`);
    expect(await b.counts(['room:1', 'room:2'])).toEqual(
      new Map([
        ['room:1', 0],
        ['room:2', 0],
      ]),
    );
    expect(await admin().exists([`${prefix}presence:room:1`, `${prefix}presence:room:2`])).toBe(0);

    await a.refresh();

    expect(await b.members('room:1')).toEqual(new Map([['conn-a', 'a1']]));
    expect(await b.members('room:2')).toEqual(new Map([['conn-a', 'a2']]));
    expect(await admin().pTTL(`${prefix}node:a`)).toBeGreaterThan(0);
    expect(errors).toEqual([{ error: expect.objectContaining({ code: 'lapsed' }), context: { kind: 'heartbeat' } }] satisfies unknown[]);
  });

  test('a refresh of a live node only extends its TTL', async () => {
    const prefix = testPrefix();
    const { errors, onError } = recordErrors<PresenceErrorContext>();
    await using store = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'a', ttlMs: 60_000, onError });
    await admin().pExpire(`${prefix}node:a`, 1_000);

    await Promise.all([store.refresh(), store.refresh()]);

    expect(await admin().pTTL(`${prefix}node:a`)).toBeGreaterThan(1_000);
    expect(errors).toEqual([]);
  });

  test('refreshes its liveness every third of the TTL on its own', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const prefix = testPrefix();
    await using store = await createRedisPresenceStore({ url: redisUrl, prefix, node: 'a', ttlMs: 60_000 });
    // Longer than the TTL, so that only a refresh can bring it back under 60 s.
    await admin().pExpire(`${prefix}node:a`, 600_000);

    vi.advanceTimersByTime(19_999);
    await store.count('room:1');
    expect(await admin().pTTL(`${prefix}node:a`)).toBeGreaterThan(60_000);

    vi.advanceTimersByTime(1);
    // The timer's SET was sent before this command, on the same connection, so it ran first.
    await store.count('room:1');
    expect(await admin().pTTL(`${prefix}node:a`)).toBeLessThanOrEqual(60_000);
  });

  test('reports a dropped connection, reconnects and keeps working', async () => {
    const prefix = testPrefix();
    const name = `sb-test-${randomUUID()}`;
    const dropped = createDeferred<ReportedError<PresenceErrorContext>>();
    await using store = await createRedisPresenceStore({
      url: redisUrl,
      prefix,
      node: 'a',
      name,
      onError: (error, context) => dropped.resolve({ error, context }),
    });
    await store.add('room:1', 'conn-a', 'a');

    await killConnection(admin(), `${name}:presence`);

    expect((await dropped.promise).context).toEqual({ kind: 'connection' });
    await store.add('room:1', 'conn-b', 'b');
    expect(await store.count('room:1')).toBe(2);
  });

  test('names the host but never the password when Redis is unreachable', async () => {
    await expectUnreachable(createRedisPresenceStore({ url: UNREACHABLE_REDIS_URL, node: 'a' }), PresenceStoreError);
  });

  test.each(INVALID_REDIS_URLS)('refuses the invalid URL %s without echoing it', async (url) => {
    await expectInvalidUrl(createRedisPresenceStore({ url, node: 'a' }), PresenceStoreError);
  });

  test.each([999, 1_500.5, Number.NaN])('refuses the TTL %d', async (ttlMs) => {
    const error: unknown = await createRedisPresenceStore({ url: redisUrl, node: 'a', ttlMs }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-option' });
  });
});

describe('DELETE_IF_UNCHANGED', () => {
  test('deletes a field only while it holds the value read and its node key is still missing', async () => {
    const prefix = testPrefix();
    const hash = `${prefix}presence:room:1`;
    const liveNode = `${prefix}node:back`;
    const deadNode = `${prefix}node:dead`;
    await admin().hSet(hash, { ghost: 'dead\tx', 'taken-over': 'other\ty', revived: 'back\tz', unchecked: 'no-tab' });
    await admin().set(liveNode, '1');

    const removed = await admin().eval(DELETE_IF_UNCHANGED, {
      keys: [hash, deadNode, liveNode],
      arguments: [
        'ghost',
        'dead\tx',
        '2',
        'taken-over',
        'dead\ty',
        '2',
        'revived',
        'back\tz',
        '3',
        'unchecked',
        'no-tab',
        '0',
        'absent',
        'v',
        '0',
      ],
    });

    expect(removed).toBe(2);
    expect(await admin().hGetAll(hash)).toEqual({ 'taken-over': 'other\ty', revived: 'back\tz' });
    await admin().del([hash, liveNode]);
  });
});
