/**
 * The short fault suite: every fault once, with traffic through two nodes (the long one is
 * `npm run soak`). Nothing acknowledged or stored is lost, duplicated or reordered for any
 * reader, every loss in a room without history is announced, and no client is shut out.
 */
import { describe, expect, it } from 'vitest';
import { FAULTS, runScenario } from './soak/scenario.ts';
import { timeScale } from '../helpers/deadline.ts';
import '../helpers/contract-hooks.ts';

const scale = timeScale();

describe('delivery through Redis, Postgres and node faults', () => {
  it('loses, duplicates and reorders nothing, and announces every gap', { timeout: 240_000 * scale }, async () => {
    const report = await runScenario({
      rounds: 1,
      settleMs: 1_500,
      hangMs: 3_000,
      perSecond: 10,
      recoverMs: 30_000 * scale,
      log: (line) => process.env.SOAK_LOG && console.log(line),
    });
    console.log(JSON.stringify(report));
    for (const fault of FAULTS) expect(report.faults[fault]).toBe(1);
    expect(report.shutOut).toEqual([]);
    // Every frame, close and response of both node processes (restarts included) held to the specs.
    expect(report.contract.violations).toEqual([]);
    expect(report.contract.processes).toBeGreaterThanOrEqual(2);
    // A send refused during a fault says why in a code the client can act on, never `internal`.
    expect(report.failedSends).not.toHaveProperty('internal');
    // Nor `forbidden`: a writer whose room is being rejoined after an outage is told "not now".
    expect(report.failedSends).not.toHaveProperty('forbidden');
    for (const room of report.rooms) {
      expect(room, `${room.reader} in ${room.room}`).toMatchObject({ lost: 0, duplicated: 0, outOfOrder: 0, acknowledgedNotStored: 0 });
      expect(room.acknowledged).toBeGreaterThan(0);
    }
  });
});
