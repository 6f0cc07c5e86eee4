/**
 * GET /metrics: behind METRICS_TOKEN when set, Prometheus text, and each metric moves when its
 * event happens: sockets, rooms, frames and bytes in and out, errors by code (socket and REST),
 * the publish-to-delivery histogram, server closes and slow-consumer closes, job outcomes by
 * status. The dependency faults (reconnects, resubscriptions, gaps, timeouts) are in faults.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { backends, startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';
import { finished, startJob } from '../jobs/helpers.ts';
import { METRICS_TOKEN as TOKEN, scrape } from './scrape.ts';

describe.each(backends)('/metrics on %s', (backend) => {
  it('asks for METRICS_TOKEN when set, and each metric moves with its event', async () => {
    await using server = await startTestServer({ backend, config: { metricsToken: TOKEN, maxBufferedBytes: 16_384 } });
    expect((await fetch(`${server.url}/metrics`)).status).toBe(401);
    expect((await fetch(`${server.url}/metrics`, { headers: { authorization: 'Bearer wrong-token-0123456789abcdef' } })).status).toBe(401);

    const before = await scrape(server);
    const app = await createTestApp(server, 'metrics');
    await app.rest.rooms.create({ name: 'lobby' });
    const user = await createTestUser(app, 'max');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    await socket.request('chat.join', { room: 'lobby' });
    await socket.request('chat.send', { room: 'lobby', text: 'hello' });
    await socket.next((f) => f.action === 'chat.message', 'the message');
    expect((await socket.request('chat.send', { room: 'elsewhere', text: 'no' })).error).toMatchObject({ code: 'forbidden' });
    expect((await http(server, 'GET', '/v1/rooms/nowhere', { headers: { 'API-Key': app.apiKey } })).status).toBe(404);

    const during = await scrape(server);
    expect(during('switchboard_sockets')).toBe(before('switchboard_sockets') + 1);
    expect(during('switchboard_rooms')).toBe(1);
    expect(during('switchboard_frames_in_total{route="user"}')).toBe(before('switchboard_frames_in_total{route="user"}') + 3);
    expect(during('switchboard_frames_out_total{route="user"}')).toBeGreaterThanOrEqual(6);
    expect(during('switchboard_bytes_in_total{route="user"}')).toBeGreaterThan(100);
    expect(during('switchboard_bytes_out_total{route="user"}')).toBeGreaterThan(during('switchboard_frames_out_total{route="user"}'));
    expect(during('switchboard_errors_total{code="forbidden",transport="socket"}')).toBe(1);
    expect(during('switchboard_errors_total{code="not_found",transport="rest"}')).toBe(1);
    expect(during('switchboard_publish_delivery_seconds_count')).toBe(1);

    // A reply larger than the send buffer: the socket is closed as a slow consumer.
    await using slow = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    slow.send({ action: 'echo', id: 'big', payload: { text: 'x'.repeat(4_000) } });
    for (let i = 0; i < 4; i++) slow.send({ action: 'echo', id: `big${i}`, payload: { text: 'y'.repeat(4_000) } });
    expect((await slow.closed).code).toBe(4001);
    const after = await scrape(server);
    expect(after('switchboard_slow_consumer_closes_total')).toBe(1);
    expect(after('switchboard_socket_closes_total{code="4001"}')).toBe(1);
  });

  it('counts each job outcome once, by status', async () => {
    await using server = await startTestServer({ backend, config: { metricsToken: TOKEN } });
    const app = await createTestApp(server, 'metrics-jobs');
    const user = await createTestUser(app, 'jo');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    const quick = { kind: 'sleep', params: { ms: 0, steps: 1 }, timeoutMs: 5_000 };
    expect((await finished(socket, (await startJob(socket, quick)).jobId)).status).toBe('succeeded');
    const failing = await startJob(socket, { ...quick, params: { ms: 0, steps: 1, fail: true } });
    expect((await finished(socket, failing.jobId)).status).toBe('failed');
    const slow = await startJob(socket, { kind: 'sleep', params: { ms: 600_000, steps: 1 }, timeoutMs: 600_000 });
    expect((await socket.request('job.kill', { jobId: slow.jobId })).error).toBeUndefined();
    expect((await finished(socket, slow.jobId)).status).toBe('cancelled');
    const late = await startJob(socket, { kind: 'sleep', params: { ms: 600_000, steps: 1 }, timeoutMs: 50 });
    expect((await finished(socket, late.jobId)).status).toBe('timed_out');
    const read = await scrape(server);
    for (const status of ['succeeded', 'failed', 'cancelled', 'timed_out']) {
      expect(read(`switchboard_jobs_finished_total{status="${status}"}`), status).toBe(1);
    }
  });
});
