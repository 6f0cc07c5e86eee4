/**
 * Regression (issue 13, defect 3): a `chat.join` with `since` or a `chat.history` over large
 * messages was answered in one frame of several MiB, past the send buffer's limit, so even a
 * fast reader was closed with 4001 (slow_consumer) and the SDK reconnected in a loop. Replies
 * are now paged by bytes (`more: true`, and the client continues), and the SDK's recovery
 * follows `more` until it has caught up.
 */
import { describe, expect, it } from 'vitest';
import { createClient } from '@switchboard/sdk';
import WebSocket from 'ws';
import { EventLog } from '../helpers/events.ts';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket, type Frame } from '../helpers/socket.ts';
import { createTestApp, createTestUser, type TestApp } from '../helpers/tenancy.ts';

const COUNT = 40;
// 40 messages of 60 KB: 2.4 MB of history, over the 1 MiB send buffer of a socket.
const big = 'x'.repeat(60_000);

async function fillRoom(app: TestApp, room: string, from = 1): Promise<void> {
  for (let i = from; i < from + COUNT; i++) await app.rest.messages.publish(room, { data: { i, big } });
}

type Page = { messages: { seq: number }[]; more: boolean; lastSeq?: number };

describe.each(backends)('replies over large messages on %s', (backend) => {
  it('pages chat.join with since and chat.history by bytes instead of closing the socket with 4001', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'large-replies');
    await app.rest.rooms.create({ name: 'kept' });
    await fillRoom(app, 'kept');
    const user = await createTestUser(app, 'lars');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);

    const seqs: number[] = [];
    for (let since = 0, more = true; more;) {
      const answer: Frame = await socket.request('chat.join', { room: 'kept', since });
      const page = answer.payload as Page;
      expect(page.messages.length).toBeGreaterThan(0);
      seqs.push(...page.messages.map((m) => m.seq));
      since = page.messages.at(-1)!.seq;
      more = page.more;
      // Paged, not one frame of everything.
      if (more) expect(page.messages.length).toBeLessThan(COUNT);
    }
    expect(seqs).toEqual(Array.from({ length: COUNT }, (_, i) => i + 1));

    const older: number[] = [];
    for (let before: number | undefined, more = true; more;) {
      const answer: Frame = await socket.request(
        'chat.history',
        before === undefined ? { room: 'kept', limit: 200 } : { room: 'kept', limit: 200, before },
      );
      const page = answer.payload as Page;
      expect(page.messages.length).toBeGreaterThan(0);
      older.unshift(...page.messages.map((m) => m.seq));
      before = page.messages[0]!.seq;
      more = page.more;
    }
    expect(older).toEqual(seqs);
    expect(socket.ws.readyState).toBe(WebSocket.OPEN);
  });

  it('lets the SDK recover megabytes missed during a disconnect, following more', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'large-recovery');
    await app.rest.rooms.create({ name: 'kept' });
    const user = await createTestUser(app, 'lisa');
    // Every reconnect asks getToken first (the first connect does not, with a token): holding its
    // answer keeps the client offline while the room fills.
    let releaseToken!: () => void;
    const held = new Promise<void>((resolve) => (releaseToken = resolve));
    await using client = createClient({
      url: `${server.wsUrl}/ws`,
      token: user.token,
      getToken: async () => {
        await held;
        return user.token;
      },
      reconnect: { minDelayMs: 1, maxDelayMs: 8 },
    });
    const log = new EventLog(client, ['chat.message']);
    const gaps: unknown[] = [];
    client.on('chat.gap', (gap) => gaps.push(gap));
    await client.chat.join({ room: 'kept' });
    await app.rest.messages.publish('kept', { data: { i: 0 } });
    await log.wait('chat.message', (m) => m.seq === 1);

    const { connectionId } = await client.ready();
    server.connections.get(connectionId)!.close('server_restart');
    await fillRoom(app, 'kept', 2);
    releaseToken();

    await log.wait('chat.message', (m) => m.seq === COUNT + 1);
    expect(log.of('chat.message').map((m) => m.seq)).toEqual(Array.from({ length: COUNT + 1 }, (_, i) => i + 1));
    expect(gaps).toEqual([]);
  });
});
