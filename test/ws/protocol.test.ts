/**
 * The /ws protocol through a plain websocket client, on embedded defaults and on real Postgres
 * and Redis: every answer as the spec says, and the socket still usable after each bad frame.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSocket, refusedUpgrade } from '../helpers/socket.ts';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { userSocketUrl } from '../helpers/tenancy.ts';

describe.each(backends)('/ws protocol on %s', (backend) => {
  let server: TestServer;
  let url: string;
  beforeAll(async () => {
    server = await startTestServer({ backend, config: { maxFrameBytes: 1024 } });
    url = await userSocketUrl(server);
  });
  afterAll(() => server?.close());

  it('greets with connected, then answers ping and echo with the command ref', async () => {
    await using socket = await openSocket(url);
    const connected = socket.frames[0]!;
    expect(connected).toMatchObject({ action: 'connected', payload: { node: server.node, protocol: 1, maxFrameBytes: 1024 } });
    const ping = await socket.request('ping');
    expect(ping).toMatchObject({ action: 'ping', payload: { pong: true } });
    expect(Date.parse((ping.payload as { time: string }).time)).not.toBeNaN();
    expect(await socket.request('echo', { text: 'héllo' })).toEqual({
      action: 'echo',
      ref: expect.any(String),
      payload: { text: 'héllo' },
    });
  });

  it('accepts integer ids and commands without an id', async () => {
    await using socket = await openSocket(url);
    socket.send({ action: 'echo', id: 42, payload: { text: 'n' } });
    expect(await socket.next((f) => f.action === 'echo')).toEqual({ action: 'echo', ref: 42, payload: { text: 'n' } });
    socket.send({ action: 'ping' });
    const reply = await socket.next((f) => f.action === 'ping');
    expect(reply.ref).toBeUndefined();
  });

  it('answers bad frames with an error event and keeps the socket usable', async () => {
    await using socket = await openSocket(url);
    socket.send('{not json');
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({ error: { code: 'bad_request' } });
    socket.send('[1,2]');
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({ error: { code: 'bad_request' } });
    socket.send({ action: 'echo', id: 'e1', extra: true });
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({
      ref: 'e1',
      error: { code: 'bad_request', details: { issues: [expect.objectContaining({ message: expect.stringContaining('extra') })] } },
    });
    socket.send({ action: 'nope.nothing', id: 'u1' });
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({ ref: 'u1', error: { code: 'unknown_action' } });
    socket.send(JSON.stringify({ action: 'echo', id: 'big', payload: { text: 'x'.repeat(2000) } }));
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({
      ref: 'big',
      error: { code: 'frame_too_large', details: { maxBytes: 1024 } },
    });
    socket.ws.send(Buffer.from([1, 2, 3]), { binary: true });
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({ error: { code: 'bad_request' } });
    expect(await socket.request('echo', { text: 'still here' })).toMatchObject({ payload: { text: 'still here' } });
  });

  it('answers an invalid payload with validation_failed on the action itself', async () => {
    await using socket = await openSocket(url);
    const missing = await socket.request('echo', {});
    expect(missing).toMatchObject({ action: 'echo', error: { code: 'validation_failed', details: { issues: [{ path: '/text' }] } } });
    const wrongType = await socket.request('echo', { text: 5 });
    expect(wrongType).toMatchObject({ action: 'echo', error: { code: 'validation_failed', details: { issues: [{ path: '/text' }] } } });
    expect(await socket.request('ping')).toMatchObject({ payload: { pong: true } });
  });

  it('counts multi-byte characters as bytes for the frame limit', async () => {
    await using socket = await openSocket(url);
    // 400 characters, 1,200 bytes of UTF-8: over the 1,024-byte limit though under it in characters.
    socket.send(JSON.stringify({ action: 'echo', id: 'mb', payload: { text: '€'.repeat(400) } }));
    expect(await socket.next((f) => f.action === 'error')).toMatchObject({ error: { code: 'frame_too_large' } });
  });

  it('handles frames strictly in order', async () => {
    await using socket = await openSocket(url);
    for (let i = 0; i < 50; i++) socket.send({ action: 'echo', id: i, payload: { text: String(i) } });
    await socket.next((f) => f.ref === 49);
    const refs = socket.frames.filter((f) => f.action === 'echo').map((f) => f.ref);
    expect(refs).toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  it('rate-limits a flood with rate_limited answers, not a crash', async () => {
    await using limited = await startTestServer({ backend, config: { framesPerSecond: 1, frameBurst: 3 } });
    await using socket = await openSocket(await userSocketUrl(limited));
    for (let i = 0; i < 3; i++) socket.send({ action: 'ping', id: i });
    socket.send({ action: 'ping', id: 'over' });
    expect(await socket.next((f) => f.ref === 'over')).toMatchObject({ action: 'ping', error: { code: 'rate_limited' } });
  });

  it('lets an anonymous socket ping and authorize, and nothing else', async () => {
    await using socket = await openSocket(`${server.wsUrl}/ws`);
    expect(await socket.request('ping')).toMatchObject({ payload: { pong: true } });
    for (const [action, payload] of [
      ['echo', { text: 'x' }],
      ['quote', {}],
      ['chat.join', { room: 'lobby' }],
      ['rooms.list', {}],
    ] as const) {
      expect(await socket.request(action, payload), action).toMatchObject({ action, error: { code: 'unauthenticated' } });
    }
    const token = new URL(url).searchParams.get('token')!;
    const authorized = await socket.request('authorize', { token });
    expect(authorized).toMatchObject({ action: 'authorize', payload: { user: { username: 'tester', staff: false } } });
    const welcome = await socket.next((f) => f.action === 'welcome');
    expect(socket.frames.indexOf(welcome)).toBeGreaterThan(socket.frames.indexOf(authorized));
    expect(welcome.payload).toMatchObject({ user: { username: 'tester' }, app: { name: 'socket-tests' } });
    expect(await socket.request('echo', { text: 'now' })).toMatchObject({ payload: { text: 'now' } });
  });

  it('refuses an upgrade on an unknown path with 404', async () => {
    expect(await refusedUpgrade(`${server.wsUrl}/nowhere`)).toBe(404);
  });
});
