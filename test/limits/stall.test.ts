/**
 * Regression (issue 13, defect 4): an honest client is never closed for good because a dependency
 * stalls. A writer under its rate limit keeps sending while its private Postgres is frozen: the
 * inbox fills behind the stalled queries, and the server stops reading the socket (backpressure)
 * instead of closing it with 4500; once Postgres is back every command is answered, none of them
 * `rate_limited` (the rate is counted when frames arrive, not when a stall lets them through).
 * On the old code the socket was closed 4500 ("too many frames in flight") a few seconds in.
 */
import { describe, expect, it } from 'vitest';
import { startPostgresProcess } from '../helpers/processes.ts';
import { startTestServer } from '../helpers/server.ts';
import { openSocket } from '../helpers/socket.ts';
import { createTestApp } from '../helpers/tenancy.ts';
import { deadline } from '../helpers/deadline.ts';

const WRITES = 160;
/** 40 a second, well under the 100 a second allowed. */
const INTERVAL_MS = 25;

describe('a writer under its rate limit while Postgres hangs', () => {
  it('is slowed down, never closed and never rate limited', { timeout: deadline(120_000) }, async () => {
    await using postgres = await startPostgresProcess();
    // A 64-frame inbox: the stall passes it within two seconds.
    await using server = await startTestServer({
      backend: 'postgres+redis',
      config: { databaseUrl: postgres.url, framesPerSecond: 100, frameBurst: 64 },
    });
    const app = await createTestApp(server, 'stall');
    await app.rest.rooms.create({ name: 'kept' });
    const writer = await app.rest.endpoints.create('kept', { permissions: 'readwrite', identity: 'writer' });
    await using socket = await openSocket(`${server.wsUrl}${writer.path}`);

    postgres.hang();
    let resumed = false;
    const answers: Promise<{ error?: { code: string } }>[] = [];
    try {
      // A paced writer (the load's shape, not a wait): 160 commands over 4 s, all while Postgres is frozen.
      await new Promise<void>((resolve) => {
        const timer = setInterval(() => {
          answers.push(socket.requestWithin('message.send', { data: answers.length }, deadline(90_000)));
          if (answers.length === WRITES) {
            clearInterval(timer);
            resolve();
          }
        }, INTERVAL_MS);
      });
    } finally {
      postgres.resume();
      resumed = true;
    }
    expect(resumed).toBe(true);
    // A close means the answers never come: fail on it at once rather than at the deadline.
    const settled = await Promise.race([
      Promise.all(answers),
      socket.closed.then((c) => Promise.reject(new Error(`closed with ${c.code} (${c.reason})`))),
    ]);
    const codes = settled.map((a) => a.error?.code ?? 'ok');
    expect(codes).not.toContain('rate_limited');
    for (const code of codes) expect(['ok', 'unavailable']).toContain(code);
    // Only what ran into the frozen database failed; what waited behind it went through afterwards.
    expect(codes.filter((c) => c === 'ok').length).toBeGreaterThan(WRITES / 2);
    expect((await socket.request('ping')).payload).toBeDefined();
  });
});
