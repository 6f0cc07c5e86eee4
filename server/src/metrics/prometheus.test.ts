import { describe, expect, it } from 'vitest';
import { SwitchboardError } from '../lib/errors.ts';
import { createPrometheusMetrics } from './prometheus.ts';

const value = (text: string, series: string) =>
  Number(
    text
      .split('\n')
      .find((l) => l.startsWith(`${series} `))
      ?.slice(series.length + 1) ?? 0,
  );

const unavailable = (dependency: 'postgres' | 'redis', cause: Error) =>
  new SwitchboardError('unavailable', 'not available', undefined, { cause, dependency });

describe('the Prometheus metrics port', () => {
  it('counts reconnects, resubscriptions, gaps by cause, timeouts by dependency and jobs by status, and times room messages only', async () => {
    let sockets = 0;
    const metrics = createPrometheusMetrics({
      sockets: () => sockets,
      topics: () => ['room:1:chat', 'room:1:readers', 'room:2:chat', 'user:9'],
    });
    sockets = 3;
    metrics.port.reconnected('publisher');
    metrics.port.reconnected('subscriber');
    metrics.port.resubscribed();
    metrics.port.gapAnnounced('resubscription', 3);
    metrics.port.gapAnnounced('seq_jump', 1);
    metrics.port.jobFinished('succeeded');
    metrics.port.jobFinished('lost');
    metrics.port.jobFinished('lost');
    metrics.port.error('socket', 'unavailable', unavailable('postgres', new Error('Query read timeout')));
    metrics.port.error('rest', 'unavailable', unavailable('redis', Object.assign(new Error('slow'), { name: 'TimeoutError' })));
    // An outage that is no timeout (refused, dropped), and a timeout no dependency claims, are not counted.
    metrics.port.error('rest', 'unavailable', unavailable('postgres', new Error('connect ECONNREFUSED')));
    metrics.port.error('rest', 'unavailable', new SwitchboardError('unavailable', 'x', undefined, { cause: new Error('timeout') }));
    metrics.port.delivered(
      JSON.stringify({ action: 'chat.message', payload: { seq: 1, createdAt: new Date(Date.now() - 20).toISOString() } }),
    );
    metrics.port.delivered(JSON.stringify({ action: 'chat.joined', payload: {} }));
    metrics.port.delivered('!close:room_deleted');
    const text = await metrics.render();
    expect(value(text, 'switchboard_sockets')).toBe(3);
    expect(value(text, 'switchboard_rooms')).toBe(2);
    expect(value(text, 'switchboard_channel_reconnects_total{connection="publisher"}')).toBe(1);
    expect(value(text, 'switchboard_channel_reconnects_total{connection="subscriber"}')).toBe(1);
    expect(value(text, 'switchboard_channel_resubscriptions_total')).toBe(1);
    expect(value(text, 'switchboard_gaps_announced_total{cause="resubscription"}')).toBe(3);
    expect(value(text, 'switchboard_gaps_announced_total{cause="seq_jump"}')).toBe(1);
    expect(value(text, 'switchboard_jobs_finished_total{status="succeeded"}')).toBe(1);
    expect(value(text, 'switchboard_jobs_finished_total{status="lost"}')).toBe(2);
    expect(value(text, 'switchboard_dependency_timeouts_total{dependency="postgres"}')).toBe(1);
    expect(value(text, 'switchboard_dependency_timeouts_total{dependency="redis"}')).toBe(1);
    expect(value(text, 'switchboard_errors_total{code="unavailable",transport="rest"}')).toBe(3);
    expect(value(text, 'switchboard_publish_delivery_seconds_count')).toBe(1);
    expect(value(text, 'switchboard_publish_delivery_seconds_sum')).toBeGreaterThanOrEqual(0.02);
  });
});
