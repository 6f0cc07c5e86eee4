/**
 * Recovery after a reconnect: a reader is cut off while a writer keeps sending; it reconnects,
 * re-authorizes, rejoins with `since`, and ends with every message exactly once, in seq order.
 * The server's own answer is checked on the wire too: the rejoin's reply carries exactly the
 * missed messages (the SDK drops duplicates, so what it delivers cannot show a server that
 * re-sends everything). Embedded runs on one node; Postgres and Redis put writer and reader on
 * two nodes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from '@switchboard/sdk';
import type { ChatJoinOutput } from '@switchboard/protocol';
import { createSharedBackend, startTestServer, type Backend, type TestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { EventLog } from '../helpers/events.ts';

async function nodes(backend: Backend): Promise<{ a: TestServer; b: TestServer } & AsyncDisposable> {
  if (backend === 'embedded') {
    const a = await startTestServer({ backend });
    return { a, b: a, [Symbol.asyncDispose]: () => a.close() };
  }
  const shared = await createSharedBackend();
  const a = await startTestServer({ backend, shared });
  const b = await startTestServer({ backend, shared });
  return { a, b, [Symbol.asyncDispose]: async () => (await a.close(), await b.close(), await shared.close()) };
}

describe.each(['embedded', 'postgres+redis'] as const)('recovery after a reconnect on %s', (backend) => {
  // Started before the test: opening an embedded database is not part of what is timed.
  let deployment: Awaited<ReturnType<typeof nodes>> | undefined;
  beforeAll(async () => {
    deployment = await nodes(backend);
  });
  afterAll(async () => {
    await deployment?.[Symbol.asyncDispose]();
  });

  it('delivers exactly the missed messages, in seq order, none twice', async () => {
    const { a, b } = deployment!;
    // Every chat.join answer that carries missed messages, as the reader's node wrote it.
    const catchUps: ChatJoinOutput[] = [];
    let caughtUp!: () => void;
    const rejoined = new Promise<void>((resolve) => (caughtUp = resolve));
    const stopWatching = b.onFrame((route, text) => {
      const frame = JSON.parse(text) as { action?: string; ref?: unknown; payload?: ChatJoinOutput };
      if (route === 'user' && frame.action === 'chat.join' && frame.payload?.messages !== undefined) {
        catchUps.push(frame.payload);
        caughtUp();
      }
    });
    const app = await createTestApp(a, 'recovery');
    await app.rest.rooms.create({ name: 'stream' });
    const [writer, reader] = await Promise.all([createTestUser(app, 'writer'), createTestUser(app, 'reader')]);

    // The reader may reconnect only once the test lets it: after a 4003 close the SDK asks
    // getToken() for a fresh token first, and this gate holds that answer.
    let openGate!: (token: string) => void;
    const gate = new Promise<string>((resolve) => (openGate = resolve));
    let askedForToken!: () => void;
    const asked = new Promise<void>((resolve) => (askedForToken = resolve));
    await using sender = createClient({ url: `${a.wsUrl}/ws`, token: writer.token, validate: true });
    await using receiver = createClient({
      url: `${b.wsUrl}/ws`,
      token: reader.token,
      validate: true,
      reconnect: { minDelayMs: 1, maxDelayMs: 5 },
      getToken: () => (askedForToken(), gate),
    });
    const log = new EventLog(receiver, ['welcome', 'chat.message']);
    await log.wait('welcome');
    await sender.chat.join({ room: 'stream' });
    await receiver.chat.join({ room: 'stream' });

    const send = async (from: number, to: number) => {
      for (let i = from; i <= to; i++) await sender.chat.send({ room: 'stream', text: `m${i}` });
    };
    await send(1, 20);
    await log.wait('chat.message', (m) => m.seq === 20);
    const connection = b.connections.get((await receiver.ready()).connectionId)!;
    connection.close('token_expired');
    await asked;
    await send(21, 40); // the reader is offline for all of these
    expect(
      log
        .of('chat.message')
        .map((m) => m.seq)
        .at(-1),
    ).toBe(20);
    openGate(reader.token);
    await log.wait('welcome', () => log.of('welcome').length === 2);
    await rejoined; // so that 41.. are sent after the catch-up, as live messages
    await send(41, 60);
    await log.wait('chat.message', (m) => m.seq === 60);

    stopWatching();
    // The rejoin (since: 20) was answered with 21..40 and nothing else: no message at or before `since`.
    expect(catchUps.map((reply) => ({ seqs: reply.messages?.map((m) => m.seq), more: reply.more }))).toEqual([
      { seqs: Array.from({ length: 20 }, (_, i) => i + 21), more: false },
    ]);
    expect(log.of('chat.message').map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(log.of('chat.message').map((m) => m.text)).toEqual(Array.from({ length: 60 }, (_, i) => `m${i + 1}`));
  });
});
