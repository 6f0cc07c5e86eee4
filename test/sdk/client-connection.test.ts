import { describe, expect, test, vi } from 'vitest';
import { backoff } from '@switchboard/sdk';
import type { ConnectionState } from '@switchboard/sdk';
import { connect, nextState, rejection } from './client-helpers.ts';
import { startFakeServer } from './fake-server.ts';
import type { FakeConnection } from './fake-server.ts';

describe('connection', () => {
  test('await using closes the socket at the end of the block', async () => {
    await using server = await startFakeServer();
    let conn: FakeConnection | undefined;
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

  test('the client waits longer after each failed attempt, up to maxDelayMs, and starts over after an open', async () => {
    // The top of every jitter window: each delay is then the largest its attempt allows, so a
    // client whose delay never grows (a fixed step, a lost attempt count) shows here.
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.999_999);
    try {
      await using server = await startFakeServer({ greet: false });
      await using client = connect(server.url, { reconnect: { minDelayMs: 1, maxDelayMs: 20 } });
      const fail = async () => {
        const conn = await server.nextConnection();
        const waiting = nextState(client, 'reconnecting');
        conn.close(4000, 'heartbeat');
        return { conn, state: await waiting };
      };
      const delays: number[] = [];
      for (let attempt = 1; attempt <= 7; attempt++) delays.push((await fail()).state.delayMs);
      for (let i = 1; i < delays.length; i++) {
        if (delays[i - 1]! < 20) expect(delays[i], `delays ${JSON.stringify(delays)}`).toBeGreaterThan(delays[i - 1]!);
        else expect(delays[i]).toBe(20);
      }
      expect(delays.at(-1)).toBe(20);
      const conn = await server.nextConnection();
      const open = nextState(client, 'open');
      conn.sendConnected();
      await open;
      const waiting = nextState(client, 'reconnecting');
      conn.close(4002, 'restart');
      expect(await waiting).toMatchObject({ attempt: 1, delayMs: delays[0] });
    } finally {
      random.mockRestore();
    }
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
    expect(await rejection(client.ready())).toMatchObject({ code: 'unauthenticated', details: { closeCode: 4501 } });
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
    expect(await first.authorized).toBe('stale');
    expect(first.url.searchParams.has('token')).toBe(false);
    await client.ready();
    const reopened = nextState(client, 'open');
    first.close(4003, 'expired');
    const second = await server.nextConnection();
    expect(await second.authorized).toBe('fresh');
    expect(second.url.searchParams.has('token')).toBe(false);
    expect(second.url.pathname).toBe('/ws');
    await reopened;
    expect(getToken).toHaveBeenCalledTimes(1);
  });

  test('getToken() is asked again before every reconnect attempt, whatever closed the socket', async () => {
    await using server = await startFakeServer();
    const getToken = vi.fn<() => string>().mockReturnValueOnce('second').mockReturnValueOnce('third');
    await using client = connect(server.url, { token: 'first', getToken });
    const first = await server.nextConnection();
    await client.ready();
    first.close(4000, 'heartbeat');
    const second = await server.nextConnection();
    expect(await second.authorized).toBe('second');
    expect(second.url.searchParams.has('token')).toBe(false);
    second.close(4002, 'restart');
    const third = await server.nextConnection();
    expect(await third.authorized).toBe('third');
    expect(third.url.searchParams.has('token')).toBe(false);
    expect(getToken).toHaveBeenCalledTimes(2);
  });

  test('a token refused at connect (4501) ends the client: ready() rejects with unauthenticated and nothing reconnects', async () => {
    // As the server does: the handshake completes, then the socket closes before any frame.
    await using server = await startFakeServer({ greet: false });
    const getToken = vi.fn(() => 'never used');
    await using client = connect(server.url, { token: 'bad', getToken });
    const ready = client.ready();
    (await server.nextConnection()).close(4501, 'token refused');
    expect(await rejection(ready)).toMatchObject({ code: 'unauthenticated', details: { closeCode: 4501, closeName: 'unauthorized' } });
    expect(client.state).toMatchObject({ state: 'closed', reason: { code: 4501 } });
    expect(getToken).not.toHaveBeenCalled();
  });

  test('a foreign origin (4503) ends the client with forbidden; an expired token without getToken (4003) with unauthenticated', async () => {
    await using server = await startFakeServer({ greet: false });
    await using foreign = connect(server.url);
    const refused = foreign.ready();
    (await server.nextConnection()).close(4503, 'origin not allowed');
    expect(await rejection(refused)).toMatchObject({ code: 'forbidden', details: { closeCode: 4503, closeName: 'origin_refused' } });
    await using stale = connect(server.url, { token: 'expired' });
    const expired = stale.ready();
    (await server.nextConnection()).close(4003, 'token expired');
    expect(await rejection(expired)).toMatchObject({ code: 'unauthenticated', details: { closeCode: 4003 } });
  });

  test('getToken() supplies the first token when none is given', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { getToken: () => 'from-getter' });
    const conn = await server.nextConnection();
    expect(await conn.authorized).toBe('from-getter');
    expect(conn.url.searchParams.has('token')).toBe(false);
    await client.ready();
  });

  test('a failing getToken() counts as a failed attempt and is retried with backoff', async () => {
    await using server = await startFakeServer();
    const getToken = vi.fn<() => string>().mockImplementationOnce(() => {
      throw new Error('refresh failed');
    });
    getToken.mockReturnValue('second');
    await using client = connect(server.url, { getToken });
    // getToken() fails in a microtask, after this listener is in place.
    const waiting = nextState(client, 'reconnecting');
    expect(await waiting).toMatchObject({ attempt: 1, lastClose: { reason: 'getToken() failed: refresh failed' } });
    const conn = await server.nextConnection();
    expect(await conn.authorized).toBe('second');
    expect(conn.url.searchParams.has('token')).toBe(false);
    await client.ready();
  });
});
