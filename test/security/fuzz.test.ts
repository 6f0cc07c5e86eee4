/**
 * A spec-driven fuzzer: every action of every socket and every REST operation gets invalid,
 * mutated, huge, deeply nested, NUL and lone-surrogate inputs, bad envelopes, binary frames and
 * bytes that are not UTF-8. Each frame must be answered exactly once with a catalog answer (never
 * `internal`), each response must be a declared status with a catalog error (the contract tap
 * checks every one), the server must not crash, and a second client's `ping` must stay fast
 * throughout. `FUZZ_FRAMES` and `FUZZ_REQUESTS` scale it (`npm run soak` runs it 20 times
 * larger); `FUZZ_SEED` replays a run.
 */
import { errorCatalog } from '@switchboard/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModel } from '../../scripts/codegen/model.ts';
import { deadline } from '../helpers/deadline.ts';
import { createLogScan } from '../helpers/log-scan.ts';
import { backends, startTestServer, TEST_ADMIN_TOKEN, type TestServer } from '../helpers/server.ts';
import { openSocket, type Frame, type TestSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, operator, type TestApp } from '../helpers/tenancy.ts';
import { createFuzzer, createRandom, type FuzzFrame } from './fuzz-inputs.ts';

const FRAMES = Number(process.env.FUZZ_FRAMES ?? 2_000);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 500);
const SEED = Number(process.env.FUZZ_SEED ?? Math.floor(Math.random() * 2 ** 31));
const MAX_FRAME_BYTES = 16_384;
/** Frames in flight on a socket at once: enough to keep the inbox busy, under its limit. */
const BATCH = 40;
/** The second client's ping must stay under this while the fuzzer runs (scaled by the one deadline knob). */
const PING_BOUND_MS = deadline(1_000);

const model = await loadModel();
const scan = createLogScan();
const catalog = new Set(Object.keys(errorCatalog));
/** Figures of this file's run, printed at the end for the README. */
const figures: Record<string, unknown> = { seed: SEED };

function expectCatalogAnswer(frame: Frame, what: string): void {
  if (frame.error === undefined) return;
  expect(catalog.has(frame.error.code), `${what}: ${frame.error.code} is not in the catalog`).toBe(true);
  expect(frame.error.code, `${what} answered internal`).not.toBe('internal');
}

describe.each(backends)('fuzzing on %s', (backend) => {
  let server: TestServer;
  let app: TestApp;
  const ids: Record<string, string> = {};
  const sockets: Record<string, TestSocket> = {};
  let pinger: TestSocket;
  const random = createRandom(SEED);
  const fuzzer = createFuzzer(model.defs, random, { maxFrameBytes: MAX_FRAME_BYTES, bodies: (s) => scan.remember(s) });

  beforeAll(async () => {
    server = await startTestServer({
      backend,
      logger: scan.logger,
      // Thousands of frames on one socket: the rate limit is the limits suite's subject, not this one's.
      // The fuzzer is the abuse the limits close sockets for (test/limits tests those closes): here every frame must be answered.
      config: { framesPerSecond: 1_000_000, frameBurst: 1_000_000, maxMalformedFrames: 1_000_000, maxFrameBytes: MAX_FRAME_BYTES },
    });
    app = await createTestApp(server, 'fuzzed');
    await app.rest.rooms.create({ name: 'room-1' });
    const endpoint = await app.rest.endpoints.create('room-1', { permissions: 'readwrite', identity: 'fuzz' });
    const user = await createTestUser(app, 'fuzz-user');
    const other = await createTestUser(app, 'pinger');
    const key = await operator(server).apps.createKey(app.id);
    Object.assign(ids, { room: 'room-1', endpointId: endpoint.id, userId: user.id, appId: app.id, keyId: key.id });
    scan.remember(key.apiKey, app.apiKey, endpoint.code, user.token, other.token, TEST_ADMIN_TOKEN, 'fuzz-user-password');
    sockets.user = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    sockets.endpoint = await openSocket(`${server.wsUrl}${endpoint.path}`);
    await sockets.user.request('chat.join', { room: 'room-1' });
    pinger = await openSocket(`${server.wsUrl}/ws?token=${other.token}`);
  });

  afterAll(async () => {
    for (const socket of [...Object.values(sockets), pinger]) await socket?.close();
    await server?.close();
    console.log(`fuzz figures on ${backend}: ${JSON.stringify(figures)}`);
  });

  /** Pings from the second client until `done` resolves; returns every round trip. */
  async function pingWhile(done: Promise<unknown>): Promise<number[]> {
    const rtts: number[] = [];
    let finished = false;
    void done.finally(() => (finished = true));
    while (!finished) {
      const started = performance.now();
      const answer = await pinger.request('ping');
      expect(answer.error).toBeUndefined();
      rtts.push(performance.now() - started);
    }
    return rtts;
  }

  /** Sends one batch on `socket` and checks that every frame got exactly one catalog answer. */
  async function sendBatch(socket: TestSocket, batch: FuzzFrame[], sentinel: string): Promise<void> {
    const start = socket.frames.length;
    for (const frame of batch) {
      if (frame.kind === 'binary') socket.ws.send(frame.bytes, { binary: true });
      else socket.ws.send(frame.text);
    }
    // The inbox is serial: once the sentinel is answered, everything sent before it was.
    socket.send({ action: 'ping', id: sentinel });
    await socket.next((f) => f.ref === sentinel, `the answer to ${sentinel}`);
    const answers = socket.frames.slice(start).filter((f) => f.ref !== sentinel && (f.ref !== undefined || f.action === 'error'));
    for (const answer of answers) expectCatalogAnswer(answer, `${answer.action} ${String(answer.ref)}`);
    const byRef = new Map<unknown, number>();
    for (const answer of answers) if (answer.ref !== undefined) byRef.set(answer.ref, (byRef.get(answer.ref) ?? 0) + 1);
    for (const frame of batch) {
      if (frame.kind === 'text' && frame.id !== undefined) expect(byRef.get(frame.id), `${frame.what} ${frame.text.slice(0, 120)}`).toBe(1);
    }
    expect(answers.length, 'one answer per frame').toBe(batch.length);
  }

  it(
    `answers ${FRAMES} fuzzed frames over both sockets with catalog errors, and a second client's ping stays fast`,
    { timeout: deadline(20_000 + FRAMES * 10) },
    async () => {
      const channels = model.channels.filter((c) => c.id in sockets);
      expect(channels.map((c) => c.id).sort()).toEqual(['endpoint', 'user']);
      const perChannel = Math.ceil(FRAMES / channels.length);
      let sent = 0;
      const run = (async () => {
        for (const channel of channels) {
          const names = channel.actions.map((a) => a.name);
          for (let done = 0; done < perChannel; done += BATCH) {
            const batch = Array.from({ length: Math.min(BATCH, perChannel - done) }, () =>
              fuzzer.frame(channel.id, random.pick(channel.actions), names),
            );
            await sendBatch(sockets[channel.id]!, batch, `sentinel-${channel.id}-${done}`);
            sent += batch.length;
          }
        }
      })();
      const rtts = await pingWhile(run);
      await run;
      rtts.sort((a, b) => a - b);
      Object.assign(figures, {
        frames: sent,
        pings: rtts.length,
        pingP50ms: Math.round(rtts[Math.floor(rtts.length / 2)] ?? 0),
        pingMaxMs: Math.round(rtts.at(-1) ?? 0),
      });
      expect(rtts.at(-1) ?? 0, `the second client's slowest ping (bound ${PING_BOUND_MS} ms)`).toBeLessThan(PING_BOUND_MS);
      // Still serving both sockets.
      expect((await sockets.user!.request('ping')).error).toBeUndefined();
      expect((await sockets.endpoint!.request('ping')).error).toBeUndefined();
    },
  );

  it('closes a text frame that is not UTF-8 with 1007 and keeps serving everyone else', async () => {
    for (let i = 0; i < 3; i++) {
      await using victim = await openSocket(`${server.wsUrl}/ws`);
      victim.ws.send(Buffer.from([0x7b, 0xff, 0xfe, 0xc3, 0x28, 0x7d]), { binary: false });
      expect((await victim.closed).code).toBe(1007);
    }
    expect((await pinger.request('ping')).error).toBeUndefined();
  });

  it(
    `answers ${REQUESTS} fuzzed REST requests over every operation with declared statuses and catalog errors`,
    { timeout: deadline(20_000 + REQUESTS * 20) },
    async () => {
      const statuses = new Map<number, number>();
      const garbage = () =>
        encodeURIComponent(
          random.pick([
            '',
            'x'.repeat(300),
            '\u0000',
            '\ud800'.replace(/./, '\ufffd'),
            '../..',
            `p${random.int(1e9)}x${random.int(1e9)}`,
            '%ff',
            'ü',
          ]),
        );
      for (let i = 0; i < REQUESTS; i++) {
        const op = model.restOperations[i % model.restOperations.length]!;
        // Destructive operations only ever get ids that name nothing: the fuzzer must not delete its own fixtures.
        const destructive = op.method === 'delete' || op.operationId === 'rotateEndpointCode';
        const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) =>
          !destructive && random.next() < 0.5 ? encodeURIComponent(ids[name] ?? 'x') : garbage() || 'x',
        );
        const { body, what } = fuzzer.restBody(op.operationId, op.requestBody);
        const headers: Record<string, string> = path.startsWith('/v1/apps')
          ? { authorization: `Bearer ${TEST_ADMIN_TOKEN}` }
          : { 'api-key': app.apiKey };
        if (random.next() < 0.1)
          headers['content-type'] = random.pick(['text/plain', 'application/json; charset=latin1', 'multipart/form-data']);
        else headers['content-type'] = 'application/json';
        // Operations without a request body get one too (fetch sends none with GET): they never read it, so never answer 413.
        const hasBody = op.requestBody !== undefined || op.method !== 'get';
        const response = await fetch(`${server.url}${path}${random.next() < 0.2 ? `?after=${garbage()}&limit=${garbage()}` : ''}`, {
          method: op.method.toUpperCase(),
          headers,
          body: hasBody ? (typeof body === 'string' ? body : new Uint8Array(body)) : undefined,
        });
        const text = await response.text();
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        const where = `${op.operationId} ${what} ${response.status} ${text.slice(0, 200)}`;
        expect(response.status, where).not.toBe(500);
        if (response.status >= 400 && text !== '') {
          const error = (JSON.parse(text) as { error?: Frame['error'] }).error;
          expect(error, where).toBeDefined();
          expectCatalogAnswer({ action: 'rest', error }, where);
        }
      }
      figures.requests = REQUESTS;
      figures.statuses = Object.fromEntries([...statuses].sort(([a], [b]) => a - b));
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    },
  );
});
