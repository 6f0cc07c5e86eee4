/**
 * The benchmark harness measures Switchboard: the baseline (raw `ws`) and every Switchboard
 * deployment (embedded, Redis, Postgres with history, two nodes) through every scenario at the
 * harness's test sizes (`testSizes`, the smallest loads that still measure), and every figure the
 * report shows for them is a finite number; the report and chart are written (into a temporary
 * folder). Socket.IO peers and the full sizes belong to `npm run bench`, not to the test run:
 * this stays under 30 s. The figures' values are not checked: they belong to docs/benchmarks.md.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../scripts/bench/bench.ts';
import { parseArgs, testSizes } from '../../scripts/bench/options.ts';
import { writeReport } from '../../scripts/bench/report/write.ts';
import type { BenchResults, FanoutRun, IdleRun, Outcome } from '../../scripts/bench/results.ts';
import { deadline } from '../helpers/deadline.ts';

const PEERS = 'ws,switchboard,switchboard-redis,switchboard-history';
// About 25-45 s on an idle 2-core machine; starting the Switchboard peers (embedded PGlite) dominates under load.
const SMOKE_TIMEOUT_MS = deadline(170_000);

let folder: string;
let results: BenchResults;
let written: { report: string; chart: string };
const progress: string[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sb-bench-smoke-'));
  const options = parseArgs(['--smoke', `--peers=${PEERS}`, `--out=${join(folder, 'benchmarks.md')}`], (line) => progress.push(line));
  results = await runBenchmark({ ...options, sizes: testSizes });
  written = await writeReport(results, options.out, `npm run bench -- --smoke --peers=${PEERS}`);
}, SMOKE_TIMEOUT_MS);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

function fanoutNumbers(run: FanoutRun): number[] {
  const phases = [run.saturation, ...run.steps, ...(run.atTarget ? [run.atTarget] : [])];
  return [
    run.sustainedRate,
    ...phases.flatMap((phase) => [phase.deliveriesPerSec, phase.cpuUsPerDelivery, phase.latency.p50, phase.latency.p99]),
  ];
}

function idleNumbers(run: IdleRun): number[] {
  return [run.connectsPerSec, run.rssPerSocket, run.rssBefore, run.rssAfter];
}

function explain(outcome: Outcome<unknown> | undefined): string {
  if (outcome === undefined) return 'not run';
  if (outcome.status === 'failed') return outcome.error;
  return outcome.status === 'ok' ? 'ok' : `${outcome.status}: ${outcome.reason}`;
}

describe('npm run bench at test sizes', () => {
  it('starts the baseline and every Switchboard deployment in every shape', () => {
    const shapes = results.runs.map((run) => `${run.peer}/${run.shape}`);
    expect(shapes).toEqual(
      expect.arrayContaining([
        'ws/single',
        'switchboard/single',
        'switchboard-redis/single',
        'switchboard-history/single',
        'ws/cross',
        'switchboard-redis/cross',
      ]),
    );
    for (const run of results.runs) expect(run.started, `${run.label} (${run.shape}) did not start:\n${progress.join('\n')}`).toBe(true);
  });

  it('measures a finite number for every figure of every run, Switchboard included (never unavailable)', () => {
    for (const run of results.runs) {
      expect(run.fanout?.status, `${run.label} (${run.shape}) fan-out: ${explain(run.fanout)}`).toBe('ok');
      if (run.fanout?.status === 'ok') {
        for (const value of fanoutNumbers(run.fanout.value))
          expect(Number.isFinite(value), `${run.label} (${run.shape}) fan-out figure ${value}`).toBe(true);
      }
      if (run.shape === 'cross' || run.peer === 'ws-batched') continue;
      expect(run.idle?.status, `${run.label} idle: ${explain(run.idle)}`).toBe('ok');
      if (run.idle?.status === 'ok')
        for (const value of idleNumbers(run.idle.value)) expect(Number.isFinite(value), `${run.label} idle figure ${value}`).toBe(true);
    }
  });

  it('fixes the ladder from the baseline and measures the SDK bundle', () => {
    expect(results.reference.single.ladder?.length).toBe(results.sizes.ladder.length);
    expect(results.reference.cross.ladder?.length).toBe(results.sizes.ladder.length);
    expect(results.sdk.status, explain(results.sdk)).toBe('ok');
    if (results.sdk.status === 'ok')
      for (const bytes of Object.values(results.sdk.value)) expect(Number.isFinite(bytes) && bytes > 0).toBe(true);
  });

  it('writes the report and the chart', async () => {
    const report = await readFile(written.report, 'utf8');
    for (const section of [
      '## Targets',
      '## Fan-out, one node',
      '## Idle sockets and connect storm',
      '## Cross-node fan-out',
      '## Browser SDK size',
      '## Machine, versions, method',
    ]) {
      expect(report).toContain(section);
    }
    expect(report).toContain('(1.00×)');
    const chart = await readFile(written.chart, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('<polyline');
  });
});
