/**
 * Regression (issue 13, defect 9): spec-valid input that Postgres cannot store or the server
 * cannot process was answered `internal` (with the SQL parameters in the log). U+0000, a lone
 * surrogate, JSON nested thousands deep and a `since` past 2^53 are now `validation_failed` at
 * the edge, naming the path, on both transports; the socket stays usable.
 */
import { describe, expect, it } from 'vitest';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';

const deep = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);

describe.each(backends)('input no schema forbids but nothing can store, on %s', (backend) => {
  it('is validation_failed with its path, over the socket and REST', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'unstorable');
    await app.rest.rooms.create({ name: 'kept' });
    const user = await createTestUser(app, 'ulla');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    expect((await socket.request('chat.join', { room: 'kept' })).payload).toBeDefined();

    const refused = async (raw: string, path: string) => {
      const id = `r${Math.random().toString(36).slice(2)}`;
      const answer = socket.next((f) => f.ref === id);
      socket.send(raw.replace('"ID"', JSON.stringify(id)));
      const frame = await answer;
      expect(frame.error, raw.slice(0, 80)).toMatchObject({
        code: 'validation_failed',
        details: { issues: [expect.objectContaining({ path })] },
      });
    };
    await refused('{"action":"chat.send","id":"ID","payload":{"room":"kept","text":"a\\u0000b"}}', '/text');
    await refused('{"action":"chat.send","id":"ID","payload":{"room":"kept","text":"x","data":{"s":"\\ud800"}}}', '/data/s');
    await refused(
      `{"action":"chat.send","id":"ID","payload":{"room":"kept","text":"x","data":${deep(5_000)}}}`,
      expect.stringMatching(/^\/data/) as unknown as string,
    );
    await refused('{"action":"chat.join","id":"ID","payload":{"room":"kept","since":9223372036854775808}}', '/since');
    // Nothing was stored, and the socket still answers.
    expect((await socket.request('chat.send', { room: 'kept', text: 'fine' })).payload).toMatchObject({ seq: 1 });

    const publish = (body: string) => http(server, 'POST', '/v1/rooms/kept/messages', { headers: { 'API-Key': app.apiKey }, body });
    expect(await publish('{"data":{"k":"a\\u0000"}}')).toMatchObject({ status: 422, body: { error: { code: 'validation_failed' } } });
    expect(await publish(`{"data":${deep(5_000)}}`)).toMatchObject({ status: 422, body: { error: { code: 'validation_failed' } } });
  });
});
