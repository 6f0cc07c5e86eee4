/**
 * Recovery after a reconnect: a client on node B is cut off while another user on node A keeps
 * sending; it reconnects, re-authorizes, rejoins with `since`, and ends with every message
 * exactly once, in seq order.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '@switchboard/sdk';
import { createSharedBackend, startTestServer } from '../helpers/server.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';
import { EventLog } from '../helpers/events.ts';

describe('recovery after a reconnect', () => {
  it('delivers exactly the missed messages, in seq order, none twice', async () => {
    await using shared = await createSharedBackend();
    await using a = await startTestServer({ backend: 'postgres+redis', shared });
    await using b = await startTestServer({ backend: 'postgres+redis', shared });
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
    expect(log.of('chat.message').map((m) => m.seq).at(-1)).toBe(20);
    openGate(reader.token);
    await log.wait('welcome', () => log.of('welcome').length === 2);
    await send(41, 60);
    await log.wait('chat.message', (m) => m.seq === 60);

    expect(log.of('chat.message').map((m) => m.seq)).toEqual(Array.from({ length: 60 }, (_, i) => i + 1));
    expect(log.of('chat.message').map((m) => m.text)).toEqual(Array.from({ length: 60 }, (_, i) => `m${i + 1}`));
  });
});
