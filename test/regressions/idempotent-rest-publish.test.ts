/**
 * Regression (issue 13, defect 6, REST's half): a REST publish whose answer was lost after the
 * commit (a dropped connection, a proxy's 502) could only be given up or sent again, and sending
 * again stored and broadcast it twice. `publishMessage` takes a `clientId` like `chat.send`, and
 * the SDK's emitter sets one and retries `unavailable` with it: one message stored and delivered,
 * in a room with history and in one without.
 */
import { describe, expect, it } from 'vitest';
import { createEmitter } from '@switchboard/sdk/emitter';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp } from '../helpers/tenancy.ts';

describe.each(backends)('a REST publish repeated after its answer was lost, on %s', (backend) => {
  it.each([
    ['kept', true],
    ['live', false],
  ] as const)('is stored and delivered once in a room %s', async (room, history) => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'idempotent-rest');
    await app.rest.rooms.create({ name: room, history });
    const endpoint = await app.rest.endpoints.create(room, { permissions: 'read' });
    await using reader = await openSocket(`${server.wsUrl}${endpoint.path}`);

    // The REST client passes clientId through: the same one twice answers the same message.
    const first = await app.rest.messages.publish(room, { data: 'rest', clientId: 'publish-1' });
    expect(await app.rest.messages.publish(room, { data: 'rest', clientId: 'publish-1' })).toEqual(first);
    // Another identity is another sender: its clientId is its own.
    const other = await app.rest.messages.publish(room, { data: 'other', identity: 'cron', clientId: 'publish-1' });
    expect(other.seq).toBe(first.seq + 1);

    // The emitter's first request reaches the server, and its answer is lost on the way back.
    let lost = 0;
    const emitter = createEmitter({
      baseUrl: server.url,
      apiKey: app.apiKey,
      fetch: async (request) => {
        const response = await fetch(request);
        if (request.method === 'POST' && lost++ === 0) throw new TypeError('fetch failed: other side closed');
        return response;
      },
    });
    const emitted = await emitter.toRoom(room).publish({ data: 'emitted' });
    expect(lost).toBe(2);
    expect(emitted).toMatchObject({ seq: other.seq + 1, data: 'emitted' });

    const sentinel = await app.rest.messages.publish(room, { data: 'sentinel' });
    await reader.next((f) => f.action === 'message' && (f.payload as { seq: number }).seq === sentinel.seq, 'the sentinel');
    const seen = reader.frames.filter((f) => f.action === 'message').map((f) => (f.payload as { data: unknown }).data);
    expect(seen).toEqual(['rest', 'other', 'emitted', 'sentinel']);
    if (history) expect((await app.rest.messages.list(room, { after: 0 })).items.map((m) => m.data)).toEqual(seen);
  });
});
