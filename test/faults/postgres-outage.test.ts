/**
 * Postgres restarted or frozen under traffic: the server stays up (a connection dropped while a
 * request holds it must not crash the process), answers the outage as `unavailable` (503) in
 * bounded time, and serves again once Postgres is back.
 */
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.ts';
import { startPostgresProcess } from '../helpers/processes.ts';
import { createTestApp } from '../helpers/tenancy.ts';

describe('a Postgres outage', () => {
  it('is survived, answered unavailable, and recovered from', { timeout: 120_000 }, async () => {
    await using postgres = await startPostgresProcess();
    await using server = await startTestServer({ backend: 'postgres+redis', config: { databaseUrl: postgres.url } });
    const app = await createTestApp(server, 'outage');
    await app.rest.rooms.create({ name: 'kept' });
    const publish = () =>
      fetch(`${server.url}/v1/rooms/kept/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'API-Key': app.apiKey },
        body: JSON.stringify({ data: 'x' }),
      }).then(async (r) => ({ status: r.status, code: r.ok ? undefined : ((await r.json()) as { error: { code: string } }).error.code }));

    // Requests in flight while Postgres goes away hold pooled connections as they drop.
    const inFlight = Array.from({ length: 40 }, publish);
    await postgres.stop();
    const during = await Promise.all([...inFlight, publish(), publish()]);
    for (const answer of during) {
      if (answer.status !== 201) expect(answer).toEqual({ status: 503, code: 'unavailable' });
    }
    expect(during.at(-1)).toEqual({ status: 503, code: 'unavailable' });
    await postgres.start();
    // The pool reconnects on the next request; nothing about the server was lost meanwhile.
    let back = await publish();
    for (let i = 0; i < 20 && back.status !== 201; i++) back = await publish();
    expect(back.status).toBe(201);

    // Frozen (not down): answers come back as `unavailable` within the query timeout, not never.
    postgres.hang();
    try {
      const started = Date.now();
      const frozen = await publish();
      expect(frozen).toEqual({ status: 503, code: 'unavailable' });
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      postgres.resume();
    }
  });
});
