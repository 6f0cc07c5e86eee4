import { describe, expect, test, vi } from 'vitest';
import { backoff, createClient, isSwitchboardError, validateServerFrame } from '@switchboard/sdk';
import type { ClientOptions, ConnectionState, ErrorEventPayload, SwitchboardClient } from '@switchboard/sdk';
import { startFakeServer } from './fake-server.ts';

type StateName = ConnectionState['state'];

/** Resolves with the next state the client enters that matches `name` (and `where`, if given). */
function nextState<S extends StateName>(
  client: SwitchboardClient,
  name: S,
  where: (state: Extract<ConnectionState, { state: S }>) => boolean = () => true,
): Promise<Extract<ConnectionState, { state: S }>> {
  return new Promise((resolve) => {
    const stop = client.on('state', (state) => {
      if (state.state !== name) return;
      const match = state as Extract<ConnectionState, { state: S }>;
      if (!where(match)) return;
      stop();
      resolve(match);
    });
  });
}

/** Resolves with the reason a promise rejected; fails the test if it resolves. */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

const notification = { message: 'hello', level: 'info', at: '2025-01-01T00:00:00.000Z' } as const;

function connect(url: string, options: Partial<ClientOptions> = {}): SwitchboardClient {
  return createClient({ url, reconnect: { minDelayMs: 1, maxDelayMs: 8 }, ...options });
}

describe('requests', () => {
  test('each reply settles the request whose id it carries, in any order', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const first = client.echo({ text: 'one' });
    const second = client.request('echo', { text: 'two' });
    const frameOne = await conn.nextFrame();
    const frameTwo = await conn.nextFrame();
    expect(frameOne).toEqual({ action: 'echo', id: expect.any(String), payload: { text: 'one' } });
    expect(frameTwo.id).not.toBe(frameOne.id);
    conn.reply(frameTwo, { text: 'two' });
    conn.reply(frameOne, { text: 'one' });
    expect(await first).toEqual({ text: 'one' });
    expect(await second).toEqual({ text: 'two' });
  });

  test('a payload with no required field can be left out, and then is not sent', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const pong = client.ping();
    const frame = await conn.nextFrame();
    expect(frame).toEqual({ action: 'ping', id: expect.any(String) });
    conn.reply(frame, { pong: true, time: '2025-01-01T00:00:00.000Z' });
    expect(await pong).toEqual({ pong: true, time: '2025-01-01T00:00:00.000Z' });
  });

  test('an error reply rejects with a SwitchboardError carrying code, details and action', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const reply = client.echo({ text: 'x' });
    const frame = await conn.nextFrame();
    const details = { issues: [{ path: '/text', message: 'too long' }] };
    conn.send({ action: 'echo', ref: frame.id, error: { code: 'validation_failed', message: 'bad', details } });
    const error = await rejection(reply);
    expect(isSwitchboardError(error, 'echo')).toBe(true);
    expect(error).toMatchObject({ name: 'SwitchboardError', code: 'validation_failed', message: 'bad', details, action: 'echo' });
  });

  test('an error event carrying the ref settles the request', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const reply = client.echo({ text: 'x'.repeat(10) });
    const frame = await conn.nextFrame();
    conn.send({ action: 'error', ref: frame.id, error: { code: 'frame_too_large', message: 'too big', details: { maxBytes: 5 } } });
    expect(await rejection(reply)).toMatchObject({ code: 'frame_too_large', action: 'echo', details: { maxBytes: 5 } });
  });

  test('a request without an answer rejects with timeout', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { requestTimeoutMs: 30 });
    const conn = await server.nextConnection();
    const reply = client.echo({ text: 'x' });
    const frame = await conn.nextFrame();
    expect(await rejection(reply)).toMatchObject({ code: 'timeout', action: 'echo' });
    // A late answer finds nothing to settle and is dropped.
    conn.reply(frame, { text: 'x' });
    const next = client.ping();
    const ping = await conn.nextFrame();
    conn.reply(ping, { pong: true, time: '2025-01-01T00:00:00.000Z' });
    await expect(next).resolves.toMatchObject({ pong: true });
  });

  test('requests issued while connecting are queued and sent once connected', async () => {
    await using server = await startFakeServer({ greet: false });
    await using client = connect(server.url);
    const reply = client.echo({ text: 'early' });
    expect(client.state).toEqual({ state: 'connecting', attempt: 0 });
    const conn = await server.nextConnection();
    await conn.roundTrip();
    expect(conn.unread).toBe(0);
    const open = nextState(client, 'open');
    conn.sendConnected({ connectionId: 'c-7', node: 'n-1' });
    expect(await open).toEqual({ state: 'open', connectionId: 'c-7', node: 'n-1' });
    const frame = await conn.nextFrame();
    expect(frame.payload).toEqual({ text: 'early' });
    conn.reply(frame, { text: 'early' });
    expect(await reply).toEqual({ text: 'early' });
  });

  test('close() rejects what is pending; later requests reject with unavailable', async () => {
    await using server = await startFakeServer();
    const client = connect(server.url);
    await client.ready();
    const conn = await server.nextConnection();
    const reply = client.echo({ text: 'x' });
    await conn.nextFrame();
    await client.close();
    expect(await rejection(reply)).toMatchObject({ code: 'unavailable', action: 'echo' });
    expect(await rejection(client.ping())).toMatchObject({ code: 'unavailable', action: 'ping' });
    expect(client.state).toEqual({ state: 'closed', reason: { code: 1000, reason: 'closed by client', name: undefined } });
    expect(await conn.closed).toEqual({ code: 1000, reason: 'closed by client' });
  });
});

describe('connection', () => {
  test('await using closes the socket at the end of the block', async () => {
    await using server = await startFakeServer();
    let conn;
    {
      await using client = connect(server.url);
      await client.ready();
      conn = await server.nextConnection();
    }
    expect(await conn.closed).toMatchObject({ code: 1000 });
  });

  test('lazy: stays idle until the first request or ready()', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { lazy: true });
    expect(client.state).toEqual({ state: 'idle' });
    await expect(client.ready()).resolves.toMatchObject({ state: 'open', connectionId: 'conn-1', node: 'fake' });
  });

  test('a dropped socket rejects in-flight requests with unavailable, then reconnects without resending them', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const first = await server.nextConnection();
    await client.ready();
    const reply = client.echo({ text: 'x' });
    await first.nextFrame();
    const reconnecting = nextState(client, 'reconnecting');
    const reopened = nextState(client, 'open');
    first.close(4002, 'restart');
    expect(await rejection(reply)).toMatchObject({ code: 'unavailable', action: 'echo' });
    expect(await reconnecting).toMatchObject({ attempt: 1, lastClose: { code: 4002, reason: 'restart', name: 'server_restart' } });
    const second = await server.nextConnection();
    expect(await reopened).toMatchObject({ connectionId: 'conn-2' });
    const pong = client.ping();
    const frame = await second.nextFrame();
    expect(frame.action).toBe('ping');
    second.reply(frame, { pong: true, time: '2025-01-01T00:00:00.000Z' });
    await pong;
  });

  test('reconnect delays grow with full jitter within bounds and reset after an open', async () => {
    await using server = await startFakeServer({ greet: false });
    await using client = connect(server.url, { reconnect: { minDelayMs: 1, maxDelayMs: 4 } });
    const seen: ConnectionState[] = [];
    client.on('state', (state) => seen.push(state));
    for (let attempt = 1; attempt <= 4; attempt++) {
      const conn = await server.nextConnection();
      const waiting = nextState(client, 'reconnecting');
      conn.close(4000, 'heartbeat');
      const state = await waiting;
      expect(state.attempt).toBe(attempt);
      expect(state.delayMs).toBeGreaterThanOrEqual(1);
      expect(state.delayMs).toBeLessThanOrEqual(Math.min(4, 1 + 2 ** (attempt - 1)));
    }
    const conn = await server.nextConnection();
    const open = nextState(client, 'open');
    conn.sendConnected();
    await open;
    const waiting = nextState(client, 'reconnecting');
    conn.close(4001, 'slow');
    expect(await waiting).toMatchObject({ attempt: 1, lastClose: { name: 'slow_consumer' } });
    expect(seen.slice(0, 3).map((state) => state.state)).toEqual(['reconnecting', 'connecting', 'reconnecting']);
    expect(seen.filter((state) => state.state === 'connecting').map((state) => state.attempt)).toEqual([1, 2, 3, 4]);
  });

  test('backoff() stays within [min, min(max, min + min * 2^step)]', () => {
    expect(backoff(0, 250, 10_000, () => 0)).toBe(250);
    expect(backoff(0, 250, 10_000, () => 0.999_999)).toBe(500);
    expect(backoff(3, 250, 10_000, () => 0.999_999)).toBe(2250);
    expect(backoff(10, 250, 10_000, () => 0.999_999)).toBe(10_000);
    expect(backoff(1000, 250, 10_000, () => 0.5)).toBe(5250);
  });

  test('a 45xx close is terminal: no reconnect, ready() and requests reject', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    await client.ready();
    const conn = await server.nextConnection();
    const closed = nextState(client, 'closed');
    conn.close(4501, 'revoked');
    expect(await closed).toEqual({ state: 'closed', reason: { code: 4501, reason: 'revoked', name: 'unauthorized' } });
    expect(await rejection(client.ready())).toMatchObject({ code: 'unavailable' });
    expect(await rejection(client.ping())).toMatchObject({ code: 'unavailable' });
  });

  test('reconnect: false closes for good on any close', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { reconnect: false });
    await client.ready();
    const conn = await server.nextConnection();
    const closed = nextState(client, 'closed');
    conn.close(4002, 'restart');
    expect(await closed).toMatchObject({ reason: { code: 4002, name: 'server_restart' } });
  });

  test('token_expired: getToken() is called, then the client reconnects with the new token', async () => {
    await using server = await startFakeServer();
    const getToken = vi.fn(() => Promise.resolve('fresh'));
    await using client = connect(server.url, { token: 'stale', getToken });
    const first = await server.nextConnection();
    expect(first.url.searchParams.get('token')).toBe('stale');
    await client.ready();
    const reopened = nextState(client, 'open');
    first.close(4003, 'expired');
    const second = await server.nextConnection();
    expect(second.url.searchParams.get('token')).toBe('fresh');
    expect(second.url.pathname).toBe('/ws');
    await reopened;
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  test('getToken() supplies the first token when none is given', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { getToken: () => 'from-getter' });
    const conn = await server.nextConnection();
    expect(conn.url.searchParams.get('token')).toBe('from-getter');
    await client.ready();
  });
});

describe('events', () => {
  test('spec events reach their typed listeners until unsubscribed', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    await client.ready();
    const first: unknown[] = [];
    const stopFirst = client.on('notification', (payload) => first.push(payload));
    const received = new Promise((resolve) => client.on('notification', resolve));
    conn.send({ action: 'notification', payload: notification });
    expect(await received).toEqual(notification);
    stopFirst();
    const again = new Promise((resolve) => client.on('notification', resolve));
    conn.send({ action: 'notification', payload: { ...notification, message: 'again' } });
    expect(await again).toMatchObject({ message: 'again' });
    expect(first).toEqual([notification]);
  });

  test('connected and state are emitted on open', async () => {
    await using server = await startFakeServer({ greet: false });
    await using client = connect(server.url);
    const connected = new Promise((resolve) => client.on('connected', resolve));
    const conn = await server.nextConnection();
    conn.sendConnected({ connectionId: 'c-1', heartbeatMs: 1000 });
    expect(await connected).toMatchObject({ connectionId: 'c-1', heartbeatMs: 1000, protocol: 1 });
    expect(client.state).toEqual({ state: 'open', connectionId: 'c-1', node: 'fake' });
  });

  test('an error event the client cannot attribute is emitted as error', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    await client.ready();
    const error = new Promise<ErrorEventPayload>((resolve) => client.on('error', resolve));
    conn.send({ action: 'error', ref: 'nobody', error: { code: 'unknown_action', message: 'no such action' } });
    expect(await error).toEqual({ ref: 'nobody', error: { code: 'unknown_action', message: 'no such action' } });
  });
});

describe('frame validation', () => {
  test('an invalid reply rejects its request with internal', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { validate: true });
    const conn = await server.nextConnection();
    const reply = client.echo({ text: 'x' });
    const frame = await conn.nextFrame();
    conn.reply(frame, { text: 42 });
    const error = await rejection(reply);
    expect(error).toMatchObject({ code: 'internal', action: 'echo' });
    expect(String(error)).toContain('/payload/text');
  });

  test('an invalid event goes to onInvalidFrame, or to the error event without it', async () => {
    await using server = await startFakeServer();
    const invalid = Promise.withResolvers<{ frame: unknown; reason: string }>();
    await using client = connect(server.url, { onInvalidFrame: (frame, reason) => invalid.resolve({ frame, reason }) });
    await using plain = connect(server.url);
    const conn = await server.nextConnection();
    const plainConn = await server.nextConnection();
    await Promise.all([client.ready(), plain.ready()]);
    const bad = { action: 'notification', payload: { ...notification, level: 'shouting' } };
    conn.send(bad);
    expect(await invalid.promise).toMatchObject({ frame: bad, reason: expect.stringContaining('/payload/level') });
    const error = new Promise<ErrorEventPayload>((resolve) => plain.on('error', resolve));
    plainConn.send('not json');
    expect(await error).toMatchObject({ error: { code: 'internal', message: expect.stringContaining('not a JSON object') } });
  });

  test('validateServerFrame accepts spec frames and says why it refuses others', () => {
    expect(validateServerFrame({ action: 'echo', ref: '1', payload: { text: 'hi' } })).toEqual({ ok: true });
    expect(validateServerFrame({ action: 'echo', ref: '1', error: { code: 'rate_limited', message: 'slow down' } })).toEqual({ ok: true });
    expect(validateServerFrame({ action: 'notification', payload: notification })).toEqual({ ok: true });
    expect(validateServerFrame({ action: 'error', ref: 3, error: { code: 'bad_request', message: 'x' } })).toEqual({ ok: true });
    expect(validateServerFrame({ action: 'echo', ref: '1', error: { code: 'not_found', message: 'x' } })).toMatchObject({ ok: false });
    expect(validateServerFrame({ action: 'constructor' })).toEqual({ ok: false, reason: '"constructor" is neither an action nor an event of this socket' });
    expect(validateServerFrame([])).toEqual({ ok: false, reason: 'not a JSON object' });
  });
});
