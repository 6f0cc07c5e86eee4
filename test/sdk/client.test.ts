import { describe, expect, test } from 'vitest';
import { isSwitchboardError } from '@switchboard/sdk';
import { validateServerFrame } from '@switchboard/sdk/validate';
import type { ErrorEventPayload } from '@switchboard/sdk';
import { connect, nextState, notification, rejection } from './client-helpers.ts';
import { startFakeServer } from './fake-server.ts';

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
    // A late answer finds nothing to settle and is dropped, not reported as an error.
    const errors: ErrorEventPayload[] = [];
    client.on('error', (error) => errors.push(error));
    conn.reply(frame, { text: 'x' });
    conn.send({ action: 'echo', ref: frame.id, error: { code: 'internal', message: 'late' } });
    await conn.roundTrip();
    expect(errors).toEqual([]);
    expect(client.state.state).toBe('open');
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
    const replyError = rejection(reply);
    await client.close();
    expect(await replyError).toMatchObject({ code: 'unavailable', action: 'echo' });
    expect(await rejection(client.ping())).toMatchObject({ code: 'unavailable', action: 'ping' });
    expect(client.state).toEqual({ state: 'closed', reason: { code: 1000, reason: 'closed by client', name: undefined } });
    expect(await conn.closed).toEqual({ code: 1000, reason: 'closed by client' });
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
    let reportInvalid: (report: { frame: unknown; reason: string }) => void = () => {};
    const invalid = new Promise<{ frame: unknown; reason: string }>((resolve) => (reportInvalid = resolve));
    await using client = connect(server.url, { onInvalidFrame: (frame, reason) => reportInvalid({ frame, reason }) });
    await using plain = connect(server.url);
    const conn = await server.nextConnection();
    const plainConn = await server.nextConnection();
    await Promise.all([client.ready(), plain.ready()]);
    const bad = { action: 'notification', payload: { ...notification, level: 'shouting' } };
    conn.send(bad);
    expect(await invalid).toMatchObject({ frame: bad, reason: expect.stringContaining('/payload/level') });
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
    expect(validateServerFrame({ action: 'constructor' })).toEqual({
      ok: false,
      reason: '"constructor" is neither an action nor an event of this socket',
    });
    expect(validateServerFrame([])).toEqual({ ok: false, reason: 'not a JSON object' });
  });
});
