/**
 * The benchmark harness works: `--smoke` starts every peer, measures finite numbers and writes
 * the report and the chart (into a temporary folder). The figures themselves are not checked:
 * they belong to docs/benchmarks.md, not to a test on a shared machine.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runBenchmark } from '../../scripts/bench/bench.ts';
import { parseArgs } from '../../scripts/bench/options.ts';
import { writeReport } from '../../scripts/bench/report/write.ts';
import type { BenchResults, FanoutRun, IdleRun, Outcome } from '../../scripts/bench/results.ts';
import { deadline } from '../helpers/deadline.ts';

const SMOKE_TIMEOUT_MS = deadline(240_000);

let folder: string;
let results: BenchResults;
let written: { report: string; chart: string };
const progress: string[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sb-bench-smoke-'));
  const options = parseArgs(['--smoke', `--out=${join(folder, 'benchmarks.md')}`], (line) => progress.push(line));
  results = await runBenchmark(options);
  written = await writeReport(results, options.out, 'npm run bench -- --smoke');
}, SMOKE_TIMEOUT_MS);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

function fanoutNumbers(run: FanoutRun): number[] {
  const phases = [run.saturation, ...run.steps, ...(run.atTarget ? [run.atTarget] : [])];
  return phases.flatMap((phase) => [phase.deliveriesPerSec, phase.cpuUsPerDelivery, phase.latency.p50, phase.latency.p99]);
}

function idleNumbers(run: IdleRun): number[] {
  return [run.connectsPerSec, run.rssPerSocket, run.rssBefore, run.rssAfter];
}

function explain(outcome: Outcome<unknown> | undefined): string {
  if (outcome === undefined) return 'not run';
  if (outcome.status === 'failed') return outcome.error;
  return outcome.status === 'ok' ? 'ok' : `${outcome.status}: ${outcome.reason}`;
}

describe('npm run bench -- --smoke', () => {
  it('starts every peer in every deployment shape', () => {
    const shapes = results.runs.map((run) => `${run.peer}/${run.shape}`);
    expect(shapes).toEqual(expect.arrayContaining(['ws/single', 'socketio/single', 'socketio-redis/single', 'switchboard/single', 'switchboard-redis/single', 'switchboard-history/single']));
    expect(shapes).toEqual(expect.arrayContaining(['ws/cross', 'socketio-redis/cross', 'switchboard-redis/cross']));
    for (const run of results.runs) expect(run.started, `${run.label} (${run.shape}) did not start:\n${progress.join('\n')}`).toBe(true);
  });

  it('measures finite numbers for the baseline and Socket.IO in every scenario', () => {
    for (const run of results.runs.filter((r) => r.peer === 'ws' || r.peer.startsWith('socketio'))) {
      expect(run.fanout?.status, `${run.label} (${run.shape}) fan-out: ${explain(run.fanout)}`).toBe('ok');
      if (run.fanout?.status === 'ok') for (const value of fanoutNumbers(run.fanout.value)) expect(Number.isFinite(value)).toBe(true);
      if (run.shape === 'cross') continue;
      expect(run.idle?.status, `${run.label} idle: ${explain(run.idle)}`).toBe('ok');
      if (run.idle?.status === 'ok') for (const value of idleNumbers(run.idle.value)) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('measures Switchboard, or says why it cannot yet', () => {
    for (const run of results.runs.filter((r) => r.peer.startsWith('switchboard'))) {
      for (const outcome of [run.fanout, ...(run.shape === 'single' ? [run.idle] : [])]) {
        expect(['ok', 'unavailable'], `${run.label} (${run.shape}): ${explain(outcome)}`).toContain(outcome?.status);
        if (outcome?.status === 'unavailable') expect(outcome.reason).not.toBe('');
      }
      if (run.fanout?.status === 'ok') for (const value of fanoutNumbers(run.fanout.value).slice(0, 2)) expect(Number.isFinite(value)).toBe(true);
      if (run.idle?.status === 'ok') for (const value of idleNumbers(run.idle.value)) expect(Number.isFinite(value)).toBe(true);
    }
  });

  it('fixes the ladder from the baseline and measures the SDK bundle', () => {
    expect(results.reference.single.ladder?.length).toBe(results.sizes.ladder.length);
    expect(results.reference.cross.ladder?.length).toBe(results.sizes.ladder.length);
    expect(['ok', 'unavailable'], explain(results.sdk)).toContain(results.sdk.status);
  });

  it('writes the report and the chart', async () => {
    const report = await readFile(written.report, 'utf8');
    for (const section of ['## Targets', '## Fan-out, one node', '## Idle sockets and connect storm', '## Cross-node fan-out', '## Browser SDK size', '## Machine, versions, method']) {
      expect(report).toContain(section);
    }
    expect(report).toContain('(1.00×)');
    const chart = await readFile(written.chart, 'utf8');
    expect(chart.startsWith('<svg')).toBe(true);
    expect(chart).toContain('<polyline');
  });
});
