/**
 * `npm run soak`: the long fault suite. Runs the fault scenario for several rounds (each fault at
 * least three times, 10 minutes or more by default), prints the figures, and rewrites the
 * README's "Reliability" figures between their markers. Exits non-zero when anything was lost,
 * duplicated, reordered or shut out.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { FAULTS, runScenario, type ScenarioReport } from '../../test/faults/soak/scenario.ts';
import { timeScale } from '../../test/helpers/deadline.ts';

// An interrupted run exits through 'exit', where the test helpers stop every process they started.
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => process.exit(130));

const rounds = Number(process.env.SOAK_ROUNDS ?? 3);
const settleMs = Number(process.env.SOAK_SETTLE_MS ?? 30_000);
// Rounds are added until the faults have run this long (three rounds took 9 minutes once).
const minMs = Number(process.env.SOAK_MIN_MS ?? 10 * 60_000);
const README = new URL('../../README.md', import.meta.url);
const START = '<!-- soak:start -->';
const END = '<!-- soak:end -->';

function table(report: ScenarioReport): string {
  const faults = FAULTS.map((f) => `${f} ×${report.faults[f]}`).join(', ');
  const rows = report.rooms.map(
    (r) =>
      `| ${r.reader} | ${r.room} (${r.history ? 'history' : 'live only'}) | ${r.acknowledged} | ${r.history ? r.stored : '–'} | ${r.delivered} | ${r.lost} | ${r.duplicated} | ${r.outOfOrder} | ${r.announced} |`,
  );
  const failed =
    Object.entries(report.failedSends)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ') || 'none';
  return [
    `Last \`npm run soak\`: ${new Date().toISOString().slice(0, 10)}, ${Math.round(report.durationMs / 60_000)} min, 2 nodes; faults injected: ${faults}.`,
    '',
    '| reader | room | acknowledged (all writers) | stored | delivered | lost | duplicated | out of order | announced as gap (seqs) |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...rows,
    '',
    `Sends refused during faults (the writer was told, nothing was acknowledged): ${failed}. Clients shut out for good: ${report.shutOut.length}.`,
  ].join('\n');
}

// A node restarted from sources takes over a minute to listen on a machine loaded by other work:
// the recovery deadline follows the load like every test deadline (TEST_TIMEOUT_SCALE).
const recoverMs = 60_000 * timeScale();
const report = await runScenario({ rounds, minMs, settleMs, hangMs: 5_000, perSecond: 20, recoverMs, log: (line) => console.log(line) });
const text = table(report);
console.log(`\n${text}\n`);
const readme = await readFile(README, 'utf8');
const start = readme.indexOf(START);
const end = readme.indexOf(END);
if (start >= 0 && end > start) await writeFile(README, `${readme.slice(0, start + START.length)}\n${text}\n${readme.slice(end)}`);
console.log(`contract tap: ${report.contract.processes} node processes checked, ${report.contract.violations.length} violations`);
for (const violation of report.contract.violations) console.log(`  ${violation}`);
const bad =
  report.contract.violations.length > 0 ||
  report.shutOut.length > 0 ||
  report.rooms.some((r) => r.lost || r.duplicated || r.outOfOrder || r.acknowledgedNotStored);
process.exit(bad ? 1 : 0);
