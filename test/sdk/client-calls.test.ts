/**
 * Per-call options, disconnect()/reconnect(), the connect timeout, the token in the authorize
 * frame, and room handles, against the in-process fake server: no wait but for frames and states.
 */
import { describe, expect, test, vi } from 'vitest';
import { isSwitchboardError } from '@switchboard/sdk';
import { connect, nextEvent, nextState, rejection } from './client-helpers.ts';
import { startFakeServer } from './fake-server.ts';
import { joinAnswer } from './chat-fixtures.ts';

describe('per-call options', () => {
  test('timeoutMs bounds one call: it rejects with timeout while the client default is far longer', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { requestTimeoutMs: 600_000 });
    const conn = await server.nextConnection();
    const error = await rejection(client.echo({ text: 'x' }, { timeoutMs: 20 }));
    expect(error).toMatchObject({ code: 'timeout', action: 'echo', message: 'no answer to echo within 20 ms' });
    expect(await conn.nextFrame()).toMatchObject({ action: 'echo' });
  });

  test('an abort rejects with aborted (the reason as cause); a call aborted while queued is never sent', async () => {
    await using server = await startFakeServer({ greet: false });
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const queued = new AbortController();
    const dropped = client.echo({ text: 'never sent' }, { signal: queued.signal });
    queued.abort(new Error('user left the page'));
    const error = await rejection(dropped);
    expect(isSwitchboardError(error) && error.code).toBe('aborted');
    expect(error).toMatchObject({ action: 'echo', cause: new Error('user left the page') });
    const open = nextState(client, 'open');
    conn.sendConnected();
    await open;
    const sent = new AbortController();
    const running = client.chat.send({ room: 'a', text: 'hi' }, { signal: sent.signal });
    const frame = await conn.nextFrame();
    expect(frame).toMatchObject({ action: 'chat.send', payload: { room: 'a', text: 'hi' } });
    sent.abort();
    expect(await rejection(running)).toMatchObject({ code: 'aborted' });
    // The late answer of the aborted call is dropped, and the next call gets its own.
    conn.reply(frame, { late: true });
    const pong = client.ping();
    const ping = await conn.nextFrame();
    expect(ping.action).toBe('ping');
    conn.reply(ping, { pong: true, time: '2025-01-01T00:00:00.000Z' });
    await pong;
    expect(await rejection(client.ping(undefined, { signal: AbortSignal.abort() }))).toMatchObject({ code: 'aborted' });
  });
});

describe('disconnect() and reconnect()', () => {
  test('disconnect() closes the socket without reconnecting; reconnect() opens a new one and rejoins with since', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const first = await server.nextConnection();
    const joining = client.chat.join({ room: 'lobby' });
    const join = await first.nextFrame();
    first.reply(join, joinAnswer('lobby', 5));
    await joining;
    const pending = rejection(client.echo({ text: 'cut off' }));
    await first.nextFrame();
    await client.disconnect();
    expect(client.state).toEqual({ state: 'disconnected' });
    expect(await first.closed).toEqual({ code: 1000, reason: 'disconnected by client' });
    expect(await pending).toMatchObject({ code: 'unavailable' });
    expect(await rejection(client.ping())).toMatchObject({ code: 'unavailable', message: expect.stringContaining('reconnect()') });
    expect(await rejection(client.ready())).toMatchObject({ code: 'unavailable' });
    let reconnected = false;
    const next = server.nextConnection().then((conn) => {
      expect(reconnected).toBe(true);
      return conn;
    });
    reconnected = true;
    client.reconnect();
    const second = await next;
    expect(await second.nextFrame()).toMatchObject({ action: 'chat.join', payload: { room: 'lobby', since: 5 } });
  });

  test('reconnect() on an open client swaps the socket at once; after close() it throws', async () => {
    await using server = await startFakeServer();
    const client = connect(server.url, { reconnect: { minDelayMs: 60_000, maxDelayMs: 60_000 } });
    const first = await server.nextConnection();
    await client.ready();
    const reopened = nextState(client, 'open');
    client.reconnect();
    expect(await first.closed).toMatchObject({ code: 1000, reason: 'reconnecting' });
    await server.nextConnection();
    expect(await reopened).toMatchObject({ connectionId: 'conn-2' });
    await client.close();
    expect(() => client.reconnect()).toThrow(/closed/);
  });
});

describe('connect timeout', () => {
  test('a server that accepts the socket and says nothing fails the attempt; the client tries again', async () => {
    await using server = await startFakeServer({ greet: false });
    const client = connect(server.url, { connectTimeoutMs: 30, lazy: true });
    const retrying = nextState(client, 'reconnecting');
    const ready = client.ready();
    const silent = await server.nextConnection();
    expect((await retrying).lastClose).toMatchObject({ code: 1006, reason: 'no connection within 30 ms' });
    // The silent socket is closed by the client, and the next attempt opens another.
    await silent.closed;
    await server.nextConnection();
    await client.close();
    expect(await rejection(ready)).toMatchObject({ code: 'unavailable' });
  });
});

describe('the token in the authorize frame', () => {
  test('the token is the first frame and never in the URL; tokenIn: query keeps the old form', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url, { token: 'secret' });
    const conn = await server.nextConnection();
    expect(await conn.authorized).toBe('secret');
    expect(conn.url.search).toBe('');
    await client.ready();
    await using legacy = connect(server.url, { token: 'in-url', tokenIn: 'query' });
    const old = await server.nextConnection();
    expect(old.url.searchParams.get('token')).toBe('in-url');
    await legacy.ready();
  });

  test('a refused token ends the client (4501); an expired one asks getToken and tries again', async () => {
    await using server = await startFakeServer({ welcome: false });
    await using refused = connect(server.url, { token: 'bad', getToken: () => 'unused' });
    const ready = refused.ready();
    const conn = await server.nextConnection();
    const frame = await conn.nextFrame();
    conn.fail(frame, 'unauthenticated', 'The access token is not valid.');
    expect(await rejection(ready)).toMatchObject({ code: 'unauthenticated', details: { closeCode: 4501 } });
    expect(await conn.closed).toMatchObject({ code: 1000 });

    const getToken = vi.fn(() => 'fresh');
    await using client = connect(server.url, { token: 'stale', getToken });
    const first = await server.nextConnection();
    const authorize = await first.nextFrame();
    const retrying = nextState(client, 'reconnecting');
    first.send({
      action: 'authorize',
      ref: authorize.id,
      error: { code: 'unauthenticated', message: 'expired', details: { expired: true } },
    });
    expect((await retrying).lastClose).toMatchObject({ code: 4003, name: 'token_expired' });
    const second = await server.nextConnection();
    expect(await second.acceptAuthorize()).toBe('fresh');
    const open = nextState(client, 'open');
    second.sendWelcome();
    await open;
    expect(getToken).toHaveBeenCalledTimes(1);
  });
});

describe('room handles', () => {
  test('room.on hears only its room, room.send and room.history name it, room.leave stops its listeners', async () => {
    await using server = await startFakeServer();
    await using client = connect(server.url);
    const conn = await server.nextConnection();
    const joining = client.chat.join({ room: 'lobby' });
    conn.reply(await conn.nextFrame(), joinAnswer('lobby', 0));
    const room = await joining;
    expect(room).toMatchObject({ name: 'lobby', lastSeq: 0, members: expect.any(Array) });
    const heard: string[] = [];
    room.on('joined', (p) => heard.push(`joined:${p.room}:${p.user.username}`));
    const presence = { user: { id: 'u-2', username: 'bob', staff: false } };
    const other = nextEvent(client, 'chat.joined', (p) => p.room === 'other');
    conn.send({ action: 'chat.joined', payload: { room: 'other', ...presence } });
    conn.send({ action: 'chat.joined', payload: { room: 'other', ...presence } });
    await other;
    const mine = nextEvent(client, 'chat.joined', (p) => p.room === 'lobby');
    conn.send({ action: 'chat.joined', payload: { room: 'lobby', ...presence } });
    await mine;
    expect(heard).toEqual(['joined:lobby:bob']);
    const sending = room.send({ text: 'hi' }, { timeoutMs: 5_000 });
    expect(await conn.nextFrame()).toMatchObject({ action: 'chat.send', payload: { room: 'lobby', text: 'hi' } });
    void sending.catch(() => {});
    void room.history({ before: 3 }).catch(() => {});
    expect(await conn.nextFrame()).toMatchObject({ action: 'chat.history', payload: { room: 'lobby', before: 3 } });
    const leaving = room.leave();
    const leave = await conn.nextFrame();
    expect(leave).toMatchObject({ action: 'chat.leave', payload: { room: 'lobby' } });
    conn.reply(leave, { room: 'lobby' });
    await leaving;
    const again = nextEvent(client, 'chat.joined');
    conn.send({ action: 'chat.joined', payload: { room: 'lobby', ...presence } });
    await again;
    expect(heard).toEqual(['joined:lobby:bob']);
  });
});
