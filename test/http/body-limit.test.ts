/**
 * The body limit (`MAX_FRAME_BYTES`) applies where a body is read: an operation with a body
 * answers 413 past it (declared), one without a body never does (it never reads it, and its spec
 * declares no 413).
 */
import { describe, expect, it } from 'vitest';
import { backends, startTestServer } from '../helpers/server.ts';
import { createTestApp } from '../helpers/tenancy.ts';

describe.each(backends)('the body limit on %s', (backend) => {
  it('answers 413 on an operation with a body, and ignores a body sent to one without', async () => {
    await using server = await startTestServer({ backend, config: { maxFrameBytes: 1024 } });
    const app = await createTestApp(server, 'bodies');
    const user = await app.rest.users.create({ username: 'ada' });
    const huge = JSON.stringify({ pad: 'x'.repeat(4096) });
    const post = (path: string, body: string | ReadableStream, extra: RequestInit = {}) =>
      fetch(`${server.url}${path}`, {
        method: 'POST',
        headers: { 'api-key': app.apiKey, 'content-type': 'application/json' },
        body,
        ...extra,
      });
    const tooLarge = await post('/v1/rooms', huge);
    expect(tooLarge.status).toBe(413);
    expect(await tooLarge.json()).toMatchObject({ error: { code: 'frame_too_large', details: { maxBytes: 1024 } } });
    // Streamed without a Content-Length: counted while it arrives.
    const chunked = new ReadableStream({
      start(controller) {
        for (let i = 0; i < 8; i++) controller.enqueue(new TextEncoder().encode(i === 0 ? '{"name":"' : 'x'.repeat(512)));
        controller.close();
      },
    });
    expect((await post('/v1/rooms', chunked, { duplex: 'half' } as RequestInit)).status).toBe(413);
    // revokeUserTokens takes no body: a huge one changes nothing.
    expect((await post(`/v1/users/${user.id}/revoke-tokens`, huge)).status).toBe(200);
    const del = await fetch(`${server.url}/v1/rooms/none`, { method: 'DELETE', headers: { 'api-key': app.apiKey }, body: huge });
    expect(del.status).toBe(404);
  });
});
