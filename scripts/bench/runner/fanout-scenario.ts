/**
 * The fan-out scenario from the runner's side: a closed-loop run for the most the peer can
 * deliver, then open-loop steps up the baseline's ladder until one fails (p99 over 100 ms,
 * deliveries missing, sockets closed, publishes refused), then one step at 80 % of the
 * baseline's sustained rate. The server's CPU time is read around each phase, with the
 * server idle at both ends, so it covers exactly that phase's work.
 */
import type { LoadSample } from '../load/api.ts';
import type { Sizes } from '../options.ts';
import type { FanoutRun, LoadMeasure, Reference } from '../results.ts';
import type { Deployment } from './deployment.ts';
import type { GeneratorClient } from './generator-client.ts';
import { PAYLOAD_BYTES } from '../load/payload.ts';

/** The latency bound of a sustained step. */
export const P99_LIMIT_MS = 100;
// Room for the generator's own settling and IPC on top of a phase's nominal length.
const CALL_MARGIN_MS = 60_000;
// The closed loop waits this long for its last messages: they count in its CPU time, so they must arrive.
const SATURATION_GRACE_MS = 5_000;

/** What the fan-out needs besides the peer. */
export interface FanoutContext {
  generator: GeneratorClient;
  deployment: Deployment;
  sizes: Sizes;
  readersPerRoom: number;
  /** Whether the open-loop phases run (the ladder, the step at 80 %, the fixed loads), or the closed loop alone. */
  steps: boolean;
  /** Larger bodies (bytes) whose closed loop runs after the main body's; empty for most peers and shapes. */
  bodies: readonly number[];
  reference: Reference;
  round: number;
  /** The baseline fixes the ladder (round 1) and the target rate (each round). */
  baseline: boolean;
  /** False once the run's time budget is spent: no further steps start. */
  withinBudget: () => boolean;
  log: (line: string) => void;
}

// CPU time over the phase as a share of one core.
const share = (cpuUs: number, sample: LoadSample) => Math.round((cpuUs / 1000 / sample.elapsedMs) * 100);

function judge(sample: LoadSample, paced: boolean, plannedMs: number): string | undefined {
  if (sample.closedByServer > 0) return `the server closed ${sample.closedByServer} reader sockets`;
  if (sample.refused > 0) return `the server refused ${sample.refused} publishes (${sample.lastRefusal ?? ''})`;
  if (sample.delivered < sample.expected)
    return `${sample.expected - sample.delivered} of ${sample.expected} deliveries were missing at the end of the grace period`;
  if (paced && sample.sendMs > plannedMs * 1.1 + 50) return 'the load generator could not keep the pace';
  if (paced && !(sample.latency.p99 <= P99_LIMIT_MS)) return `p99 ${sample.latency.p99.toFixed(1)} ms > ${P99_LIMIT_MS} ms`;
  return undefined;
}

// JSON (the IPC channel) turns NaN, a percentile without samples, into null.
const orNaN = (value: number | null): number => (typeof value === 'number' ? value : Number.NaN);

async function measure(
  context: FanoutContext,
  paced: boolean,
  plannedMs: number,
  bodyBytes: number,
  phase: () => Promise<LoadSample>,
  attempts = 1,
): Promise<LoadMeasure> {
  const before = await context.deployment.stats(false);
  const raw = await phase();
  const { p50, p90, p99, max } = raw.latency;
  const sample: LoadSample = { ...raw, latency: { p50: orNaN(p50), p90: orNaN(p90), p99: orNaN(p99), max: orNaN(max) } };
  const after = await context.deployment.stats(false);
  const seconds = sample.elapsedMs / 1000;
  const syscalls = (after.syscalls ?? Number.NaN) - (before.syscalls ?? Number.NaN);
  return {
    ...sample,
    bodyBytes,
    syscallsPerDelivery: sample.delivered > 0 ? syscalls / sample.delivered : Number.NaN,
    cpuUs: after.cpuUs - before.cpuUs,
    deliveriesPerSec: seconds > 0 ? sample.delivered / seconds : 0,
    cpuUsPerDelivery: sample.delivered > 0 ? (after.cpuUs - before.cpuUs) / sample.delivered : Number.NaN,
    bytesPerDelivery: sample.delivered > 0 ? sample.bytes / sample.delivered : Number.NaN,
    failure: judge(sample, paced, plannedMs),
    attempts,
  };
}

function medianBy(runs: readonly LoadMeasure[], key: (run: LoadMeasure) => number): LoadMeasure {
  const sorted = [...runs].sort((a, b) => (key(a) || 0) - (key(b) || 0));
  const middle = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!middle) throw new Error('no closed-loop run');
  return middle;
}

// Two significant digits: offered rates read as round numbers in the report.
function roundRate(rate: number): number {
  if (rate <= 0) return 0;
  const unit = 10 ** Math.max(0, Math.floor(Math.log10(rate)) - 1);
  return Math.max(1, Math.round(rate / unit) * unit);
}

/** Runs the scenario on a connected fan-out; the generator must hold the readers and publishers. */
export async function runFanout(context: FanoutContext): Promise<FanoutRun> {
  const { generator, sizes, reference, log } = context;
  const graceMs = Math.max(sizes.graceMs, SATURATION_GRACE_MS);
  const body = sizes.bodies[0] ?? PAYLOAD_BYTES;
  const saturate = (durationMs: number, bodyBytes = body) =>
    generator.call('saturate', { durationMs, window: sizes.window, graceMs, bodyBytes }, durationMs + graceMs + CALL_MARGIN_MS);
  const once = (rate: number, attempts: number, durationMs: number) =>
    measure(
      context,
      true,
      durationMs,
      body,
      () =>
        generator.call('step', { rate, durationMs, graceMs: sizes.graceMs, bodyBytes: body }, durationMs + sizes.graceMs + CALL_MARGIN_MS),
      attempts,
    );
  // A failed step is measured again: on a shared machine one descheduling of the server or the
  // generator for 100 ms fails a step that the peer sustains.
  const step = async (rate: number, durationMs = sizes.stepMs) => {
    let measured = await once(rate, 1, durationMs);
    while (measured.failure && measured.attempts < sizes.stepAttempts && context.withinBudget())
      measured = await once(rate, measured.attempts + 1, durationMs);
    return measured;
  };

  await saturate(sizes.warmupMs);
  // Several short closed-loop runs, keeping the median: one burst of the machine's other work
  // must not set a peer's CPU figure, and every ratio to the baseline depends on its figure.
  const runs: LoadMeasure[] = [];
  for (let run = 0; run < sizes.saturationRuns; run++)
    runs.push(await measure(context, false, sizes.saturationMs, body, () => saturate(sizes.saturationMs)));
  const saturation = medianBy(runs, (run) => run.cpuUsPerDelivery);
  // The same closed loop with each larger body: CPU and wire bytes per delivery grow with it differently per peer.
  const bodies: LoadMeasure[] = [];
  for (const bodyBytes of context.bodies) {
    if (!context.withinBudget()) break;
    const measured = await measure(context, false, sizes.saturationMs, bodyBytes, () => saturate(sizes.saturationMs, bodyBytes));
    bodies.push(measured);
    log(
      `  closed loop, ${bodyBytes} B bodies: ${Math.round(measured.deliveriesPerSec)} deliveries/s, ${measured.cpuUsPerDelivery.toFixed(2)} µs CPU and ${measured.bytesPerDelivery.toFixed(0)} wire bytes each`,
    );
  }
  log(
    `  closed loop: ${Math.round(saturation.deliveriesPerSec)} deliveries/s, ${saturation.cpuUsPerDelivery.toFixed(2)} µs CPU each; CPU server ${share(saturation.cpuUs, saturation)} %, generator ${share(saturation.generatorCpuUs, saturation)} %${saturation.failure ? ` (${saturation.failure})` : ''}`,
  );
  if (context.baseline && context.round === 1) {
    const publishes = saturation.deliveriesPerSec / context.readersPerRoom;
    reference.ladder = sizes.ladder.map((fraction) => roundRate(fraction * publishes));
  }
  const steps: LoadMeasure[] = [];
  const fixed: LoadMeasure[] = [];
  let sustainedRate = 0;
  if (!context.steps) return { saturation, steps, sustainedRate, atTarget: undefined, fixed, bodies };
  // Fixed loads, the same for every peer: CPU per delivery where no peer is saturated (a closed loop rewards batching).
  for (const deliveries of sizes.fixedRates) {
    if (!context.withinBudget()) break;
    const measured = await step(deliveries / context.readersPerRoom, sizes.fixedMs);
    fixed.push(measured);
    log(
      `  fixed ${deliveries} deliveries/s: ${measured.cpuUsPerDelivery.toFixed(2)} µs CPU per delivery, p99 ${measured.latency.p99.toFixed(1)} ms${measured.failure ? ` -- ${measured.failure}` : ''}`,
    );
  }
  for (const rate of reference.ladder ?? []) {
    if (!context.withinBudget()) break;
    const measured = await step(rate);
    steps.push(measured);
    log(
      `  ${rate} publishes/s: p50 ${measured.latency.p50.toFixed(1)} ms, p99 ${measured.latency.p99.toFixed(1)} ms; CPU server ${share(measured.cpuUs, measured)} %, generator ${share(measured.generatorCpuUs, measured)} %${measured.failure ? ` -- ${measured.failure}` : ''}`,
    );
    if (measured.failure) break;
    sustainedRate = rate;
  }
  if (context.baseline) reference.targetRate[context.round - 1] = sustainedRate > 0 ? roundRate(0.8 * sustainedRate) : undefined;
  const targetRate = reference.targetRate[context.round - 1];
  let atTarget: LoadMeasure | undefined;
  if (targetRate !== undefined && context.withinBudget()) {
    atTarget = await step(targetRate, sizes.targetMs);
    log(
      `  at 80 % of the baseline (${targetRate}/s): p99 ${atTarget.latency.p99.toFixed(1)} ms, ${atTarget.cpuUsPerDelivery.toFixed(2)} µs CPU per delivery`,
    );
  }
  return { saturation, steps, sustainedRate, atTarget, fixed, bodies };
}
