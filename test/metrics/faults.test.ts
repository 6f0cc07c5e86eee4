/**
 * The metrics of dependency faults, on a node of its own Redis and Postgres processes: a Redis
 * restart moves the channel layer's reconnects (publisher and subscriber), its resubscriptions,
 * the gaps announced to sockets (closed with 4004) and, in a room without history whose counter
 * Redis lost, the seq jump (by at most the room's small block); a frozen Redis or Postgres moves
 * the dependency timeouts of that dependency.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.ts';
import { startPostgresProcess, startRedisProcess } from '../helpers/processes.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp, createTestUser, http } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';
import { MIN_BLOCK } from '../../server/src/sequences/seq-blocks.ts';
import { METRICS_TOKEN, metric, scrape } from './scrape.ts';

describe('metrics of dependency faults', () => {
  it('count reconnects, resubscriptions, gaps by cause and timeouts by dependency', { timeout: deadline(120_000) }, async () => {
    await using redis = await startRedisProcess();
    await using postgres = await startPostgresProcess();
    await using server = await startTestServer({
      backend: 'postgres+redis',
      config: { metricsToken: METRICS_TOKEN, redisUrl: redis.url, databaseUrl: postgres.url },
    });
    const app = await createTestApp(server, 'metrics-faults');
    await app.rest.rooms.create({ name: 'kept' });
    await app.rest.rooms.create({ name: 'ticker', history: false });
    const user = await createTestUser(app, 'watcher');
    await using socket = await openSocket(`${server.wsUrl}/ws?token=${user.token}`);
    await socket.request('chat.join', { room: 'ticker' });
    const first = await app.rest.messages.publish('ticker', { data: 1 });

    const before = await scrape(server);
    for (const series of [
      'switchboard_channel_reconnects_total{connection="publisher"}',
      'switchboard_channel_reconnects_total{connection="subscriber"}',
      'switchboard_channel_resubscriptions_total',
      'switchboard_gaps_announced_total{cause="resubscription"}',
      'switchboard_gaps_announced_total{cause="seq_jump"}',
    ]) {
      expect(before(series), series).toBe(0);
    }

    await redis.restart({ hard: true });
    // The node tells its sockets their subscription had a hole: 4004, reconnect and recover.
    expect((await socket.closed).code).toBe(4004);
    // Numbering resumes above the database's ceiling: a jump, announced, of at most one small block.
    const second = await app.rest.messages.publish('ticker', { data: 2 });
    expect(second.seq).toBeGreaterThan(first.seq + 1);
    expect(second.seq - first.seq).toBeLessThanOrEqual(MIN_BLOCK + 1);
    const poll = { timeout: deadline(10_000) };
    await expect.poll(() => metric(server, 'switchboard_channel_reconnects_total{connection="publisher"}'), poll).toBe(1);
    const after = await scrape(server);
    expect(after('switchboard_channel_reconnects_total{connection="subscriber"}')).toBe(1);
    expect(after('switchboard_channel_resubscriptions_total')).toBe(1);
    expect(after('switchboard_gaps_announced_total{cause="resubscription"}')).toBe(1);
    expect(after('switchboard_gaps_announced_total{cause="seq_jump"}')).toBe(1);
    // A counter that was never lost resumes without a jump, and counts none.
    expect((await app.rest.messages.publish('ticker', { data: 3 })).seq).toBe(second.seq + 1);
    expect(await metric(server, 'switchboard_gaps_announced_total{cause="seq_jump"}')).toBe(1);

    const publish = (room: string) =>
      http(server, 'POST', `/v1/rooms/${room}/messages`, { headers: { 'API-Key': app.apiKey }, body: JSON.stringify({ data: 'x' }) });
    // Redis frozen: the live room's counter call times out, answered unavailable.
    redis.hang();
    try {
      const frozen = await publish('ticker');
      expect(frozen.status).toBe(503);
    } finally {
      redis.resume();
    }
    expect(await metric(server, 'switchboard_dependency_timeouts_total{dependency="redis"}')).toBe(1);
    expect(await metric(server, 'switchboard_dependency_timeouts_total{dependency="postgres"}')).toBe(0);

    // Postgres frozen: the stored message's insert times out.
    postgres.hang();
    try {
      expect((await publish('kept')).status).toBe(503);
    } finally {
      postgres.resume();
    }
    expect(await metric(server, 'switchboard_dependency_timeouts_total{dependency="postgres"}')).toBe(1);
  });
});
