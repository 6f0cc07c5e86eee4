/**
 * The limits that keep one socket from hurting the others: a slow reader is closed (4001)
 * instead of buffering without bound, a silent peer is closed by the heartbeat (4000), and a
 * frame far over the limit is not even read (1009).
 */
import { describe, expect, it } from 'vitest';
import { openSocket } from '../helpers/socket.ts';
import { backends, startTestServer } from '../helpers/server.ts';
import { deadline } from '../helpers/deadline.ts';

describe.each(backends)('socket limits on %s', (backend) => {
  it('closes a slow consumer with 4001 once its send buffer passes the limit', async () => {
    await using server = await startTestServer({ backend, config: { maxBufferedBytes: 64 * 1024 } });
    await using socket = await openSocket(`${server.wsUrl}/ws`);
    const id = (socket.frames[0]!.payload as { connectionId: string }).connectionId;
    const connection = server.connections.get(id);
    // Stop reading: the kernel buffers fill, then the server's send buffer grows.
    (socket.ws as unknown as { _socket: { pause(): void; resume(): void } })._socket.pause();
    const data = 'x'.repeat(16_000);
    for (let i = 0; i < 5_000 && connection!.phase.phase === 'open'; i++) {
      await server.emitter.toConnection(id).emit('notification', { message: 'bulk', level: 'info', data, at: new Date().toISOString() });
    }
    expect(connection!.phase).toEqual({ phase: 'closed', code: 4001 });
    (socket.ws as unknown as { _socket: { resume(): void } })._socket.resume();
    expect((await socket.closed).code).toBe(4001);
  });

  it('closes a socket that stops answering pings with 4000', async () => {
    await using server = await startTestServer({ backend, config: { heartbeatMs: 100 } });
    await using socket = await openSocket(`${server.wsUrl}/ws`, { autoPong: false });
    expect((await socket.closed).code).toBe(4000);
  });

  it('keeps a socket that answers pings', async () => {
    // A pong must come back within one interval; on a loaded machine the event loop may stall longer than 100 ms.
    await using server = await startTestServer({ backend, config: { heartbeatMs: deadline(100) } });
    await using socket = await openSocket(`${server.wsUrl}/ws`);
    let pings = 0;
    await new Promise<void>((resolve) => socket.ws.on('ping', () => ++pings === 5 && resolve()));
    expect(await socket.request('ping')).toMatchObject({ payload: { pong: true } });
  });

  it('closes with 1009 on a frame far over the limit, unread', async () => {
    await using server = await startTestServer({ backend, config: { maxFrameBytes: 1024 } });
    await using socket = await openSocket(`${server.wsUrl}/ws`);
    socket.send(JSON.stringify({ action: 'echo', payload: { text: 'x'.repeat(200_000) } }));
    expect((await socket.closed).code).toBe(1009);
  });
});
