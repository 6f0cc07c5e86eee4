/**
 * A room without history keeps no copy of its messages: what a client misses while it is
 * offline is gone. That loss must be announced (`chat.gap` with the exact range), never silent,
 * and what follows must be delivered again.
 */
import { describe, expect, it } from 'vitest';
import { createClient, type ChatGapEvent } from '@switchboard/sdk';
import { backends, startTestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

describe.each(backends)('a room without history across a reconnect on %s', (backend) => {
  it('announces exactly the messages sent while the reader was offline', { timeout: deadline(60_000) }, async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'live');
    await app.rest.rooms.create({ name: 'ticker', history: false });
    const [writer, reader] = await Promise.all([createTestUser(app, 'writer'), createTestUser(app, 'reader')]);
    // After a 4003 close the SDK asks getToken() before reconnecting; this gate holds the answer.
    let openGate!: (token: string) => void;
    const gate = new Promise<string>((resolve) => (openGate = resolve));
    let askedForToken!: () => void;
    const asked = new Promise<void>((resolve) => (askedForToken = resolve));
    await using sender = createClient({ url: `${server.wsUrl}/ws`, token: writer.token, validate: true });
    await using receiver = createClient({
      url: `${server.wsUrl}/ws`,
      token: reader.token,
      validate: true,
      reconnect: { minDelayMs: 1, maxDelayMs: 5 },
      getToken: () => (askedForToken(), gate),
    });
    const seqs: number[] = [];
    const gaps: ChatGapEvent[] = [];
    const waiters: { seq: number; resolve: () => void }[] = [];
    receiver.on('chat.gap', (gap) => gaps.push(gap));
    receiver.on('chat.message', (m) => {
      seqs.push(m.seq);
      for (const w of waiters.filter((w) => w.seq === m.seq)) w.resolve();
    });
    const delivered = (seq: number) =>
      seqs.includes(seq) ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ seq, resolve }));
    await sender.chat.join({ room: 'ticker' });
    await receiver.chat.join({ room: 'ticker' });
    const send = async (from: number, to: number) => {
      for (let i = from; i <= to; i++) await sender.chat.send({ room: 'ticker', text: `m${i}` });
    };
    await send(1, 10);
    await delivered(10);
    const connection = server.connections.get((await receiver.ready()).connectionId)!;
    connection.close('token_expired');
    await asked;
    await send(11, 20); // gone for the reader: the room keeps no copy
    openGate(reader.token);
    const rejoined = new Promise<void>((resolve) => receiver.on('chat.gap', () => resolve()));
    await rejoined;
    await send(21, 25);
    await delivered(25);
    expect(gaps).toEqual([{ room: 'ticker', from: 11, to: 20 }]);
    expect(seqs).toEqual([...Array.from({ length: 10 }, (_, i) => i + 1), 21, 22, 23, 24, 25]);
  });
});
