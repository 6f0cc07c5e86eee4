/**
 * The benchmark harness measures Switchboard: the baseline (raw `ws`) and every Switchboard path
 * (the endpoint and chat sockets on embedded PGlite in every room shape and with a 16 KB body,
 * Postgres with history, two nodes through Redis) through every scenario at the harness's test
 * sizes (`testSizes`: the smallest loads that still measure), and every figure the report shows
 * for them is a finite number; the report and chart are written (into a temporary folder).
 * Socket.IO peers and the full sizes belong to `npm run bench`, not to the test run.
 *
 * It stays under 30 s on a quiet 2-core machine by starting few processes: the endpoint and chat
 * paths share one embedded node (`shareNodes`), a node's runs share one load generator, every
 * node starts at once, from the run's migrated templates (the global setup's PGlite dump and
 * Postgres template database) and the built packages. One node of Switchboard + Redis on
 * embedded PGlite is left out: the two-node deployment covers the Redis channel layer.
 * The figures' values are not checked: they belong to docs/benchmarks.md. The Switchboard nodes
 * run the contract tap (`--contract`), so what they send the load generator is held to the specs.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { runBenchmark } from '../../scripts/bench/bench.ts';
import { parseArgs, testSizes } from '../../scripts/bench/options.ts';
import { peers } from '../../scripts/bench/runner/peer-catalog.ts';
import { writeReport } from '../../scripts/bench/report/write.ts';
import type { BenchResults, FanoutRun, IdleRun, Outcome } from '../../scripts/bench/results.ts';
import { deadline } from '../helpers/deadline.ts';

const PEERS = 'ws,switchboard,switchboard-redis,switchboard-history,switchboard-chat';
// Under 30 s on an idle 2-core machine; starting the Switchboard nodes dominates under load.
const SMOKE_TIMEOUT_MS = deadline(90_000);
// Covered by switchboard-redis/cross (two nodes through Redis) at a PGlite start less.
const SKIPPED = ['switchboard-redis/single'];

let folder: string;
let results: BenchResults;
let written: { report: string; chart: string };
const progress: string[] = [];

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'sb-bench-smoke-'));
  const options = parseArgs(['--smoke', '--contract', `--peers=${PEERS}`, `--out=${join(folder, 'benchmarks.md')}`], (line) =>
    progress.push(line),
  );
  const templates = { pgliteTar: inject('pgliteTemplatePath'), postgres: inject('postgresTemplateName') };
  results = await runBenchmark({ ...options, sizes: testSizes, templates, skipRuns: SKIPPED });
  written = await writeReport(results, options.out, `npm run bench -- --smoke --peers=${PEERS}`);
}, SMOKE_TIMEOUT_MS);

afterAll(async () => {
  if (folder) await rm(folder, { recursive: true, force: true });
});

function fanoutNumbers(run: FanoutRun): number[] {
  const phases = [run.saturation, ...run.steps, ...(run.atTarget ? [run.atTarget] : [])];
  return [
    run.sustainedRate,
    ...[...phases, ...run.fixed, ...run.bodies].flatMap((phase) => [
      phase.deliveriesPerSec,
      phase.cpuUsPerDelivery,
      phase.bytesPerDelivery,
      phase.syscallsPerDelivery,
      phase.latency.p50,
      phase.latency.p99,
    ]),
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
  it('starts the baseline and every Switchboard path in every shape', () => {
    const shapes = results.runs.map((run) => `${run.peer}/${run.shape}`);
    const extra = ['one-room', 'many-rooms', 'pairs'].flatMap((shape) =>
      ['ws', 'switchboard', 'switchboard-chat'].map((peer) => `${peer}/${shape}`),
    );
    expect(shapes.sort()).toEqual(
      [
        'ws/single',
        'switchboard/single',
        'switchboard-history/single',
        'switchboard-chat/single',
        ...extra,
        'ws/cross',
        'switchboard-redis/cross',
      ].sort(),
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
      if (run.shape !== 'single' || peers[run.peer].reference) continue;
      expect(run.idle?.status, `${run.label} idle: ${explain(run.idle)}`).toBe('ok');
      if (run.idle?.status === 'ok')
        for (const value of idleNumbers(run.idle.value)) expect(Number.isFinite(value), `${run.label} idle figure ${value}`).toBe(true);
    }
  });

  it('holds every Switchboard node to its specs: each frame, close and response it sent was checked, none broke them', () => {
    const switchboard = results.runs.filter((run) => run.peer.startsWith('switchboard'));
    expect(switchboard.length).toBeGreaterThan(0);
    for (const run of switchboard) {
      expect(run.contract, `${run.label} (${run.shape}) reported no contract tap`).toBeDefined();
      expect(run.contract?.checked, `${run.label} (${run.shape}) checked nothing`).toBeGreaterThan(0);
      expect(run.contract?.violations, `${run.label} (${run.shape})`).toEqual([]);
    }
    for (const run of results.runs.filter((run) => !run.peer.startsWith('switchboard'))) expect(run.contract).toBeUndefined();
  });

  it('runs the fixed loads and the larger body where the sizes say', () => {
    for (const run of results.runs) {
      if (run.fanout?.status !== 'ok') continue;
      const { fixed, bodies } = run.fanout.value;
      const open = run.shape === 'single' || run.shape === 'cross';
      // Each fixed load is in deliveries/s; a phase's rate is in publishes/s over every room.
      expect(
        fixed.map((phase) => Math.round(phase.rate * results.sizes.readersPerRoom)),
        `${run.label} (${run.shape})`,
      ).toEqual(open ? results.sizes.fixedRates : []);
      const withBodies = run.shape === 'single' && (results.sizes.bodyPeers ?? []).includes(run.peer);
      expect(
        bodies.map((phase) => phase.bodyBytes),
        `${run.label} (${run.shape})`,
      ).toEqual(withBodies ? results.sizes.bodies.slice(1) : []);
      // A 16 KB body's frames are over 16 KB on the wire: the wire figure follows the body.
      for (const phase of bodies) expect(phase.bytesPerDelivery).toBeGreaterThan(phase.bodyBytes);
    }
  });

  it('fixes the ladder from the baseline and measures the SDK bundle', () => {
    expect(results.reference.single.ladder?.length).toBe(results.sizes.ladder.length);
    expect(results.reference.cross.ladder?.length).toBe(results.sizes.ladder.length);
    expect(results.sdk.status, explain(results.sdk)).toBe('ok');
    if (results.sdk.status === 'ok')
      for (const bytes of Object.values(results.sdk.value)) expect(Number.isFinite(bytes) && bytes > 0).toBe(true);
  });

  it('runs the jobs scenario: jobs through an app worker and the same round trip over plain REST, every figure finite', () => {
    expect(results.jobs?.status, explain(results.jobs)).toBe('ok');
    if (results.jobs?.status !== 'ok') return;
    const { jobs, rest } = results.jobs.value;
    expect([jobs.errors, rest.errors]).toEqual([0, 0]);
    for (const value of [
      jobs.perSec,
      rest.perSec,
      jobs.firstProgress?.p50,
      jobs.firstProgress?.p99,
      jobs.finished.p50,
      jobs.finished.p99,
      rest.finished.p50,
      rest.finished.p99,
    ])
      expect(Number.isFinite(value) && (value ?? 0) > 0, `jobs figure ${value}`).toBe(true);
  });

  it('writes the report and the chart', async () => {
    const report = await readFile(written.report, 'utf8');
    for (const section of [
      '## Targets',
      '## Fan-out, one node',
      '### Fixed loads',
      '### Body sizes',
      '## Fan-out, one large room',
      '## Fan-out, many small rooms',
      '## Fan-out, rooms of two',
      '## Idle sockets and connect storm',
      '## Cross-node fan-out',
      '## Jobs',
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
