/**
 * Endpoint codes can be rotated and can expire: the new code is shown once, the old one (or an
 * expired one) is refused exactly like a code that never existed, and sockets opened with it are
 * closed (4501 on rotation, 4003 at expiry) on every node.
 */
import { describe, expect, it } from 'vitest';
import { deadline } from '../helpers/deadline.ts';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket, refusedUpgradeBody } from '../helpers/socket.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

describe.each(backends)('endpoint code rotation and expiry on %s', (backend) => {
  it('rotates a code: new code once, old sockets closed with 4501, old code refused like an unknown one', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'rotating');
    await app.rest.rooms.create({ name: 'kiosk' });
    const created = await app.rest.endpoints.create('kiosk', { permissions: 'readwrite', identity: 'k1' });
    const old = await openSocket(`${server.wsUrl}${created.path}`);

    const rotated = await http(server, 'POST', `/v1/rooms/kiosk/endpoints/${created.id}/rotate`, {
      headers: { 'API-Key': app.apiKey },
      body: '{}',
    });
    expect(rotated.status).toBe(200);
    expect(rotated.body).toMatchObject({ id: created.id, room: 'kiosk', permissions: 'readwrite', identity: 'k1' });
    const code = rotated.body!.code as string;
    expect(code).not.toBe(created.code);
    expect(rotated.body!.path).toBe(`/ws/endpoint/${code}`);
    expect((await old.closed).code).toBe(4501);

    const unknown = await refusedUpgradeBody(`${server.wsUrl}/ws/endpoint/${'x'.repeat(created.code.length)}`);
    expect(await refusedUpgradeBody(`${server.wsUrl}${created.path}`)).toEqual(unknown);
    expect(unknown.status).toBe(401);

    await using fresh = await openSocket(`${server.wsUrl}/ws/endpoint/${code}`);
    expect((await fresh.request('message.send', { data: { n: 1 } })).payload).toMatchObject({ seq: expect.any(Number) });
    // Listing never shows a code, old or new.
    const listed = JSON.stringify(await app.rest.endpoints.list('kiosk'));
    expect(listed).not.toContain(code);
    expect(listed).not.toContain(created.code);
  });

  it("answers not_found alike for another app's endpoint and for one that does not exist", async () => {
    await using server = await startTestServer({ backend });
    const [mine, theirs] = [await createTestApp(server, 'mine'), await createTestApp(server, 'theirs')];
    await mine.rest.rooms.create({ name: 'shared-name' });
    await theirs.rest.rooms.create({ name: 'shared-name' });
    const their = await theirs.rest.endpoints.create('shared-name', { permissions: 'read' });
    const rotate = (id: string) =>
      http(server, 'POST', `/v1/rooms/shared-name/endpoints/${id}/rotate`, { headers: { 'API-Key': mine.apiKey }, body: '{}' });
    const notYours = await rotate(their.id);
    expect(notYours.status).toBe(404);
    expect(notYours).toEqual(await rotate('00000000-0000-4000-8000-000000000000'));
    // Their code still works.
    await using still = await openSocket(`${server.wsUrl}${their.path}`);
    expect(still.frames[0]?.action).toBe('connected');
  });

  it('expires a code: open sockets closed with 4003 at the expiry, then refused like an unknown code', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'expiring');
    await app.rest.rooms.create({ name: 'timed' });
    // Long enough to open the socket on a loaded machine (the deadline knob), short enough to wait for.
    const expiresAt = new Date(Date.now() + deadline(1_500)).toISOString();
    const endpoint = await app.rest.endpoints.create('timed', { permissions: 'read', expiresAt });
    expect(endpoint).toMatchObject({ expiresAt });
    const socket = await openSocket(`${server.wsUrl}${endpoint.path}`);
    const closed = await socket.closed;
    expect(closed.code).toBe(4003);
    expect(Date.now()).toBeGreaterThanOrEqual(Date.parse(expiresAt));
    const unknown = await refusedUpgradeBody(`${server.wsUrl}/ws/endpoint/${'y'.repeat(endpoint.code.length)}`);
    expect(await refusedUpgradeBody(`${server.wsUrl}${endpoint.path}`)).toEqual(unknown);
    expect((await app.rest.endpoints.list('timed')).items[0]).toMatchObject({ expiresAt });
  });

  it('sets, then clears, an expiry on rotation and refuses one in the past', async () => {
    await using server = await startTestServer({ backend });
    const app = await createTestApp(server, 'expiry-rules');
    await app.rest.rooms.create({ name: 'r' });
    const endpoint = await app.rest.endpoints.create('r', { permissions: 'write' });
    const rotate = (body: unknown) =>
      http(server, 'POST', `/v1/rooms/r/endpoints/${endpoint.id}/rotate`, {
        headers: { 'API-Key': app.apiKey },
        body: JSON.stringify(body),
      });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect((await rotate({ expiresAt: later })).body).toMatchObject({ expiresAt: later });
    expect((await rotate({ expiresAt: null })).body).not.toHaveProperty('expiresAt');
    const past = await rotate({ expiresAt: '2020-01-01T00:00:00.000Z' });
    expect(past.status).toBe(422);
    expect(past.body?.error).toMatchObject({ code: 'validation_failed', details: { issues: [{ path: '/expiresAt' }] } });
    const garbage = await rotate({ expiresAt: 'tomorrow' });
    expect(garbage.body?.error?.code).toBe('validation_failed');
    await expect(app.rest.endpoints.create('r', { permissions: 'read', expiresAt: '2020-01-01T00:00:00Z' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
  });
});
