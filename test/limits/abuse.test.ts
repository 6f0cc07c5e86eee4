/**
 * Abuse is bounded, and only abuse closes a socket for good (4500): a client far over its frame
 * rate, a client sending malformed frames past the allowance, and slowloris HTTP connections.
 * A client merely over its rate is answered `rate_limited` with a retry hint and stays open.
 */
import { connect, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backends, startTestServer, type TestServer } from '../helpers/server.ts';
import { openSocket, type TestSocket } from '../helpers/socket.ts';
import { createTestApp } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const BURST = 10;
/** Under the burst, so that the malformed frames meet their own limit before the rate's. */
const MALFORMED = 8;

describe.each(backends)('abuse limits on %s', (backend) => {
  let server: TestServer;
  let endpointPath: string;
  beforeAll(async () => {
    server = await startTestServer({
      backend,
      config: { framesPerSecond: 1, frameBurst: BURST, maxMalformedFrames: MALFORMED, headersTimeoutMs: 500, requestTimeoutMs: 1_000 },
    });
    const app = await createTestApp(server, 'abuse');
    await app.rest.rooms.create({ name: 'lobby' });
    endpointPath = (await app.rest.endpoints.create('lobby', { permissions: 'readwrite' })).path;
  });
  afterAll(() => server?.close());

  const open = (): Promise<TestSocket> => openSocket(`${server.wsUrl}${endpointPath}`);
  const pings = (socket: TestSocket, count: number) => Array.from({ length: count }, () => socket.request('ping'));

  it('answers frames over the rate rate_limited with a retry hint, and keeps the socket open', async () => {
    await using socket = await open();
    // The burst, then as many again over the limit: twice the rate is the most that stays open.
    const answers = await Promise.all(pings(socket, BURST * 2));
    expect(answers.filter((a) => a.error === undefined)).toHaveLength(BURST);
    const limited = answers.filter((a) => a.error?.code === 'rate_limited');
    expect(limited).toHaveLength(BURST);
    for (const answer of limited) expect((answer.error?.details as { retryAfterMs: number }).retryAfterMs).toBeGreaterThan(0);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
  });

  it('closes a socket far over its rate with 4500', async () => {
    await using socket = await open();
    for (let i = 0; i < BURST * 3; i++) socket.send({ action: 'ping', id: i });
    expect(await socket.closed).toEqual({ code: 4500, reason: 'rate limit far exceeded' });
  });

  it('answers malformed frames, then closes a socket that sends too many with 4500', async () => {
    await using socket = await open();
    for (let i = 0; i < MALFORMED; i++) socket.send('{ not json');
    await socket.next((f) => f.action === 'error' && socket.frames.filter((g) => g.action === 'error').length === MALFORMED);
    expect(socket.ws.readyState).toBe(socket.ws.OPEN);
    socket.send('{ not json');
    expect(await socket.closed).toEqual({ code: 4500, reason: 'too many malformed frames' });
  });

  it('closes 1,000 half-open HTTP connections (slowloris) in bounded time', { timeout: deadline(60_000) }, async () => {
    const { port } = new URL(server.url);
    const sockets: Socket[] = [];
    const closed: Promise<void>[] = [];
    for (let i = 0; i < 1_000; i++) {
      const socket = connect(Number(port), '127.0.0.1');
      socket.on('error', () => undefined);
      // Read what the server answers (its 408), or the socket never sees the end and never closes.
      socket.resume();
      // Headers that never end: the request line and one header, then silence.
      socket.write('GET /healthz HTTP/1.1\r\nHost: x\r\n');
      sockets.push(socket);
      closed.push(new Promise((resolve) => socket.once('close', () => resolve())));
    }
    try {
      // The header timeout is 500 ms; a deadline only turns "never" into a failure.
      await expect(
        Promise.race([
          Promise.all(closed).then(() => 'all closed'),
          new Promise((resolve) => setTimeout(() => resolve(`${sockets.filter((s) => !s.closed).length} still open`), deadline(20_000))),
        ]),
      ).resolves.toBe('all closed');
    } finally {
      for (const socket of sockets) socket.destroy();
    }
  });
});
