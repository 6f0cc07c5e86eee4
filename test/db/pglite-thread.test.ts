/**
 * Embedded PGlite runs on a thread of its own (issue 13, defect 10): a heavy query no longer
 * holds the server's event loop, so other sockets keep their latency while one client writes.
 * On the old main PGlite ran on the server's thread and the loop did not turn during a query.
 */
import { describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { createTestDatabase } from '../helpers/databases.ts';

/** Counts event-loop turns until stopped: what other sockets' frames would get. */
function countTurns() {
  let turns = 0;
  let running = true;
  const spin = () => {
    turns++;
    if (running) setImmediate(spin);
  };
  setImmediate(spin);
  return () => ((running = false), turns);
}

describe('embedded PGlite on its own thread', () => {
  it('keeps the event loop turning during a heavy query', async () => {
    // A copy of the run's template: the copy is loaded from a dump through the thread too.
    await using handle = await createTestDatabase('pglite');
    {
      // Long enough to measure (hundreds of ms in WebAssembly), bounded by the series.
      const heavy = sql<{ n: number }>`select count(*)::int8 as n from generate_series(1, 1000000) g where g % 7 = 0`;
      const stop = countTurns();
      const started = performance.now();
      const { rows } = await heavy.execute(handle.db);
      const elapsed = performance.now() - started;
      const turns = stop();
      expect(rows[0]?.n).toBe(142857);
      // On the server's thread the loop turns a handful of times around the query, whatever it
      // lasts; beside it, it turns freely: far more than one turn per millisecond of query.
      expect(turns).toBeGreaterThan(Math.max(50, elapsed / 2));
    }
  });

  it('keeps Postgres errors (SQLSTATE) and types across the thread, and refuses queries once closed', async () => {
    const handle = await createTestDatabase('pglite');
    try {
      await sql`create table t (id int primary key, at timestamptz, n int8)`.execute(handle.db);
      await sql`insert into t values (1, '2026-12-02T00:00:00Z', 9007199254740991)`.execute(handle.db);
      const error = await sql`insert into t values (1, now(), 1)`.execute(handle.db).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: '23505' });
      const { rows } = await sql<{ at: Date; n: number }>`select at, n from t`.execute(handle.db);
      expect(rows[0]!.at).toBeInstanceOf(Date);
      expect(rows[0]!.n).toBe(9007199254740991);
    } finally {
      await handle.close();
    }
    await expect(sql`select 1`.execute(handle.db)).rejects.toThrow();
  });
});
