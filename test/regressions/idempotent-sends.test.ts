/**
 * Regression (issue 13, defect 6, its other half): a send whose answer was lost after the commit
 * (the socket cut between storing the message and writing the answer) could only be given up or
 * sent again, and sending again stored it twice. Sends now carry a client id (the SDK sets one),
 * the SDK resends a cut-off `chat.send` after reconnecting, and the server answers the resend
 * with the original message: one message stored and delivered, in a room with history (a unique
 * index) and in one without (a remembered key, in memory or Redis).
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '@switchboard/sdk';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket, type Frame } from '../helpers/socket.ts';
import { createTestApp, createTestUser } from '../helpers/tenancy.ts';

describe.each(backends)('a send retried after its answer was lost, on %s', (backend) => {
  it.each([
    ['kept', true],
    ['live', false],
  ] as const)('is stored and delivered once in a room %s', async (room, history) => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'idempotent');
    await app.rest.rooms.create({ name: room, history });
    const [writer, reader] = await Promise.all([createTestUser(app, 'wanda'), createTestUser(app, 'reade')]);
    await using watcher = await openSocket(`${server.wsUrl}/ws?token=${reader.token}`);
    expect((await watcher.request('chat.join', { room })).payload).toBeDefined();
    await using client = createClient({ url: `${server.wsUrl}/ws`, token: writer.token, reconnect: { minDelayMs: 1, maxDelayMs: 8 } });
    await client.chat.join({ room });
    const { connectionId } = await client.ready();

    // The first answer to a chat.send is never written: the socket is closed as it is about to be.
    let cut = 0;
    const stop = server.onFrame((route, text) => {
      const frame = JSON.parse(text) as Frame;
      if (route === 'user' && frame.action === 'chat.send' && frame.ref !== undefined && cut++ === 0) {
        server.connections.get(connectionId)?.close('server_restart');
      }
    });
    const sent = await client.chat.send({ room, text: 'exactly once' });
    stop();
    expect(cut).toBe(2);
    expect(sent).toMatchObject({ seq: 1, text: 'exactly once' });

    // The socket API directly: the same clientId twice gives the same message.
    const direct = async () => (await watcher.request('chat.send', { room, text: 'direct', clientId: 'retry-1' })).payload;
    const [one, two] = [await direct(), await direct()];
    expect(two).toEqual(one);

    const sentinel = await client.chat.send({ room, text: 'sentinel' });
    await watcher.next((f) => f.action === 'chat.message' && (f.payload as { id: string }).id === sentinel.id, 'the sentinel');
    const seen = watcher.frames.filter((f) => f.action === 'chat.message').map((f) => (f.payload as { text: string }).text);
    expect(seen).toEqual(['exactly once', 'direct', 'sentinel']);
    if (history) expect((await app.rest.messages.list(room, { after: 0 })).items.map((m) => m.text)).toEqual(seen);
  });
});
