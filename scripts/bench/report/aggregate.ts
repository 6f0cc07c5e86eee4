/**
 * Medians over rounds and ratios to the baseline. A ratio is taken within each round (the peer
 * and the baseline measured minutes apart on the same machine) and then the median of those is
 * reported, which keeps the machine's drift between rounds out of the ratio.
 */
import type { BenchResults, FanoutRun, IdleRun, Outcome, PeerRun } from '../results.ts';
import type { Shape } from '../runner/deployment.ts';
import type { PeerName } from '../runner/peer-catalog.ts';

/** A figure over the rounds. */
export interface Figure {
  median: number;
  /** The per-round values, in round order. */
  values: number[];
  /** Median of the per-round ratios to the baseline; undefined without a baseline value. */
  ratio: number | undefined;
  /** The per-round ratios, in round order: how far apart the rounds were. */
  ratios: number[];
}

/** The median of finite values (NaN when there are none). */
export function median(values: readonly number[]): number {
  const finite = values.filter(Number.isFinite).sort((a, b) => a - b);
  if (finite.length === 0) return Number.NaN;
  const middle = Math.floor(finite.length / 2);
  return finite.length % 2 === 1 ? (finite[middle] ?? Number.NaN) : ((finite[middle - 1] ?? 0) + (finite[middle] ?? 0)) / 2;
}

/** The baseline peer of every shape. */
export const BASELINE: PeerName = 'ws';

/** The runs of one peer in one shape, by round. */
export function runsOf(results: BenchResults, shape: Shape, peer: PeerName): PeerRun[] {
  return results.runs.filter((run) => run.shape === shape && run.peer === peer);
}

function value<T>(outcome: Outcome<T> | undefined): T | undefined {
  return outcome?.status === 'ok' ? outcome.value : undefined;
}

/** A figure of the fan-out (`pick` returns undefined where the round has none). */
export function fanoutFigure(
  results: BenchResults,
  shape: Shape,
  peer: PeerName,
  pick: (run: FanoutRun) => number | undefined,
  base: PeerName = BASELINE,
): Figure {
  return figure(
    results,
    shape,
    peer,
    (run) => {
      const fanout = value(run.fanout);
      return fanout ? pick(fanout) : undefined;
    },
    base,
  );
}

/** A figure of the idle and storm pass. */
export function idleFigure(results: BenchResults, peer: PeerName, pick: (run: IdleRun) => number): Figure {
  return figure(
    results,
    'single',
    peer,
    (run) => {
      const idle = value(run.idle);
      return idle ? pick(idle) : undefined;
    },
    BASELINE,
  );
}

// The figure of `peer` with its ratio to `baseline` (raw ws, or another reference such as its batched variant).
function figure(
  results: BenchResults,
  shape: Shape,
  peer: PeerName,
  pick: (run: PeerRun) => number | undefined,
  baseline: PeerName,
): Figure {
  const own = runsOf(results, shape, peer);
  const base = runsOf(results, shape, baseline);
  const ratios: number[] = [];
  for (const run of own) {
    const mine = pick(run);
    const baseRun = base.find((candidate) => candidate.round === run.round);
    const theirs = baseRun ? pick(baseRun) : undefined;
    if (mine !== undefined && theirs !== undefined && Number.isFinite(mine) && Number.isFinite(theirs) && theirs !== 0)
      ratios.push(mine / theirs);
  }
  const values = own.map(pick).filter((v): v is number => v !== undefined);
  return { median: median(values), values, ratio: ratios.length > 0 ? median(ratios) : undefined, ratios };
}

/** Why a peer has no figures for a scenario (the first round's reason), or undefined when it has some. */
export function missingReason(
  runs: readonly PeerRun[],
  scenario: 'fanout' | 'idle',
): { kind: 'unavailable' | 'failed' | 'skipped'; reason: string } | undefined {
  const outcomes = runs.map((run) => run[scenario]).filter((outcome) => outcome !== undefined);
  if (outcomes.some((outcome) => outcome.status === 'ok')) return undefined;
  const first = outcomes[0];
  if (!first || first.status === 'ok') return undefined;
  if (first.status === 'failed') return { kind: 'failed', reason: first.error };
  return { kind: first.status, reason: first.reason };
}

/** Median p99 per offered rate of the ladder: the chart's points. */
export function latencyCurve(results: BenchResults, shape: Shape, peer: PeerName): Array<{ rate: number; p99: number }> {
  const ladder = results.reference[shape].ladder ?? [];
  const curve: Array<{ rate: number; p99: number }> = [];
  for (const rate of ladder) {
    const p99s = runsOf(results, shape, peer)
      .map((run) => value(run.fanout)?.steps.find((step) => step.rate === rate)?.latency.p99)
      .filter((p99): p99 is number => p99 !== undefined);
    const p99 = median(p99s);
    if (Number.isFinite(p99)) curve.push({ rate, p99 });
  }
  return curve;
}
