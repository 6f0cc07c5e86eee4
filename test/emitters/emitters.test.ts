/**
 * Emitters for backends: the REST emitter (`@switchboard/sdk`), the direct emitter beside the
 * nodes (`@switchboard/server`, Postgres + Redis) and the example queue worker. Their messages
 * reach sockets on every node, and a payload the spec refuses never leaves the process.
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createClient as createRedis } from 'redis';
import { createEmitter } from '@switchboard/sdk/emitter';
import { createDirectEmitter } from '@switchboard/server';
import { openSocket } from '../helpers/socket.ts';
import { ownChild, waitForLine } from '../helpers/processes.ts';
import { backends, createSharedBackend, startTestServer, TEST_REDIS_URL, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser, type TestApp } from '../helpers/tenancy.ts';

const WORKER = fileURLToPath(new URL('../../scripts/examples/notifications-worker.mjs', import.meta.url));

async function roomWithReader(server: TestServer, app: TestApp, room: string, history = true) {
  await app.rest.rooms.create({ name: room, history });
  const endpoint = await app.rest.endpoints.create(room, { permissions: 'read' });
  return openSocket(`${server.wsUrl}${endpoint.path}`);
}

/** What the emitter's refusal says: `validation_failed` naming the path. */
async function refusal(promise: Promise<unknown>) {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  // The SDK's and the server's SwitchboardError are different classes with the same shape.
  expect((error as { code?: string } | undefined)?.code).toBe('validation_failed');
  return JSON.stringify((error as { details?: unknown }).details);
}

describe.each(backends)('the REST emitter on %s', (backend) => {
  it('notifies a user and publishes to a room, and refuses a bad payload before sending it', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'emitting');
    const user = await createTestUser(app, 'ada');
    await using userSocket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    await using reader = await roomWithReader(server, app, 'builds');
    let requests = 0;
    const emitter = createEmitter({ baseUrl: server.url, apiKey: app.apiKey, fetch: (request) => (requests++, fetch(request)) });

    await emitter.toUser(user.id).notify({ message: 'Export ready', level: 'success' });
    expect((await userSocket.next((f) => f.action === 'notification')).payload).toMatchObject({
      message: 'Export ready',
      level: 'success',
    });
    const stored = await emitter.toRoom('builds').publish({ data: { build: 42 } });
    expect(stored).toMatchObject({ room: 'builds', data: { build: 42 } });
    expect((await reader.next((f) => f.action === 'message')).payload).toMatchObject({ seq: stored.seq, data: { build: 42 } });
    expect(requests).toBe(2);

    // Wrong type, unknown level, extra property: refused here, never sent.
    expect(await refusal(emitter.toUser(user.id).notify({ message: 42 } as never))).toContain('/message');
    expect(await refusal(emitter.toUser(user.id).notify({ message: 'x', level: 'loud' } as never))).toContain('/level');
    expect(await refusal(emitter.toRoom('builds').publish({ data: 1, extra: true } as never))).toMatch(/additional|extra/i);
    expect(requests).toBe(2);
  });
});

describe('the direct emitter over Postgres and Redis', () => {
  it('reaches sockets on every node, stores what it publishes, and refuses a bad payload before writing', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(a, 'direct');
    const user = await createTestUser(app, 'grace');
    await using onA = await openSocket(`${a.wsUrl}/ws?token=${user.token}`);
    await using onB = await openSocket(`${b.wsUrl}/ws?token=${user.token}`);
    await using readerB = await roomWithReader(b, app, 'alerts');
    await using emitter = await createDirectEmitter({
      databaseUrl: shared.databaseUrl,
      redisUrl: TEST_REDIS_URL,
      redisPrefix: shared.redisPrefix,
      apiKey: app.apiKey,
    });

    await emitter.toUser(user.id).notify({ message: 'Deploy done', level: 'info' });
    for (const socket of [onA, onB]) {
      expect((await socket.next((f) => f.action === 'notification')).payload).toMatchObject({ message: 'Deploy done' });
    }
    const first = await emitter.toRoom('alerts').publish({ data: { cpu: 97 }, identity: 'monitor' });
    expect((await readerB.next((f) => f.action === 'message')).payload).toMatchObject({ seq: first.seq, data: { cpu: 97 } });
    // Numbered with the nodes' own messages: the next REST publish follows it.
    const next = await app.rest.messages.publish('alerts', { data: 'after' });
    expect(next.seq).toBe(first.seq + 1);

    expect(await refusal(emitter.toRoom('alerts').publish({ data: 'x', identity: 7 } as never))).toContain('/identity');
    expect(await refusal(emitter.toRoom('alerts').publish({ data: 'nul\u0000' }))).toContain('/data');
    const history = await app.rest.messages.list('alerts');
    expect(history.items.map((m) => m.seq)).toEqual([first.seq, next.seq]);
  });

  it('refuses a revoked or unknown API key', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(a, 'revoked');
    const open = createDirectEmitter({ databaseUrl: shared.databaseUrl, redisUrl: TEST_REDIS_URL, apiKey: `${app.apiKey}x` });
    await expect(open).rejects.toMatchObject({ code: 'unauthenticated' });
  });
});

describe('the example notifications worker', () => {
  it('takes jobs from a Redis list and notifies users through the emitter', async () => {
    await using server = await startTestServer({ backend: 'embedded' });
    const app = await createTestApp(server, 'celery');
    const user = await createTestUser(app, 'linus');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    const queue = `test-${randomUUID()}:notifications`;
    const worker = ownChild(
      spawn(process.execPath, [WORKER], {
        env: { ...process.env, SWITCHBOARD_URL: server.url, SWITCHBOARD_API_KEY: app.apiKey, REDIS_URL: TEST_REDIS_URL, QUEUE: queue },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    );
    const redis = await createRedis({ url: TEST_REDIS_URL }).connect();
    try {
      await waitForLine(worker, /worker ready/, 'the worker');
      await redis.rPush(queue, JSON.stringify({ userId: user.id, message: 'Report built', level: 'success' }));
      expect((await socket.next((f) => f.action === 'notification')).payload).toMatchObject({ message: 'Report built' });
      // A job the spec refuses is logged by id and code, and the worker goes on.
      const refused = waitForLine(worker, /job failed.*validation_failed/, 'the refusal');
      await redis.rPush(queue, JSON.stringify({ userId: user.id, message: 'bad', level: 'loud' }));
      await refused;
      await redis.rPush(queue, JSON.stringify({ userId: user.id, message: 'Second report', level: 'info' }));
      expect((await socket.next((f) => f.action === 'notification')).payload).toMatchObject({ message: 'Second report', level: 'info' });
    } finally {
      await redis.del(queue);
      await redis.close();
      worker.kill('SIGTERM');
    }
  });
});
