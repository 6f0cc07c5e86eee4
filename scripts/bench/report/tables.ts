/** The per-scenario tables of the report: medians over rounds, with ratios to raw ws. */
import type { BenchResults, FanoutRun } from '../results.ts';
import { shapes, type Shape } from '../runner/deployment.ts';
import { peers, type PeerName } from '../runner/peer-catalog.ts';
import { isExtraShape, layoutOf } from '../options.ts';
import { fanoutFigure, idleFigure, median, missingReason, runsOf, type Figure } from './aggregate.ts';

/** A number for a table: thousands separated, `–` when not finite. */
export function num(value: number, digits = 0): string {
  if (!Number.isFinite(value)) return '–';
  return value.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });
}

function cell(figure: Figure, digits = 0): string {
  if (!Number.isFinite(figure.median)) return '–';
  return figure.ratio === undefined ? num(figure.median, digits) : `${num(figure.median, digits)} (${figure.ratio.toFixed(2)}×)`;
}

function row(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

function label(peer: PeerName, shape: Shape): string {
  const spec = peers[peer];
  return (shape === 'cross' ? spec.cross?.label : spec.single.label) ?? peer;
}

// Peers that ran `scenario` in this shape (not every invocation runs every scenario).
function peersOf(results: BenchResults, shape: Shape, scenario: 'fanout' | 'idle'): PeerName[] {
  return results.peers.filter((peer) => runsOf(results, shape, peer).some((run) => run[scenario] !== undefined));
}

const NOT_RUN = '_Not run in this invocation (see `--only`)._';

function gap(kind: string, columns: number): string[] {
  const text = kind === 'unavailable' ? 'not available yet' : kind;
  return [text, ...new Array<string>(columns - 1).fill('–')];
}

/** The fan-out table of a shape. */
export function fanoutTable(results: BenchResults, shape: Shape): string {
  const readers = layoutOf(results.sizes, shape).readersPerRoom;
  if (peersOf(results, shape, 'fanout').length === 0) return NOT_RUN;
  const lines = [
    row([
      'peer',
      'closed loop, deliveries/s',
      'server CPU µs / delivery, closed loop',
      'wire bytes / delivery',
      'read+write syscalls / delivery',
      'sustained offered load, deliveries/s',
      'p50 / p99 at 80 % of raw ws, ms',
      'server CPU µs / delivery at 80 %',
    ]),
    row(new Array<string>(8).fill('---')),
  ];
  for (const peer of peersOf(results, shape, 'fanout')) {
    const missing = missingReason(runsOf(results, shape, peer), 'fanout');
    if (missing) {
      lines.push(row([label(peer, shape), ...gap(missing.kind, 7)]));
      continue;
    }
    const figure = (pick: Parameters<typeof fanoutFigure>[3]) => fanoutFigure(results, shape, peer, pick);
    const p50 = figure((run) => run.atTarget?.latency.p50);
    const p99 = figure((run) => run.atTarget?.latency.p99);
    const failedAtTarget = runsOf(results, shape, peer).some(
      (run) => run.fanout?.status === 'ok' && run.fanout.value.atTarget?.failure !== undefined,
    );
    lines.push(
      row([
        label(peer, shape),
        cell(figure((run) => run.saturation.deliveriesPerSec)),
        cell(
          figure((run) => run.saturation.cpuUsPerDelivery),
          2,
        ),
        cell(figure((run) => run.saturation.bytesPerDelivery)),
        cell(
          figure((run) => run.saturation.syscallsPerDelivery),
          2,
        ),
        isExtraShape(shape) ? 'closed loop only' : cell(figure((run) => run.sustainedRate * readers)),
        `${num(p50.median, 1)} / ${num(p99.median, 1)}${failedAtTarget ? ' ✗' : ''}`,
        cell(
          figure((run) => run.atTarget?.cpuUsPerDelivery),
          2,
        ),
      ]),
    );
  }
  return lines.join('\n');
}

/** CPU per delivery at the fixed loads, against raw ws and its batched variant (or, for the Redis peers on one node, raw ws + Redis). */
export function fixedTable(results: BenchResults, shape: Shape): string {
  const rates = results.sizes.fixedRates;
  const names = peersOf(results, shape, 'fanout').filter((peer) => !missingReason(runsOf(results, shape, peer), 'fanout'));
  if (rates.length === 0 || names.length === 0) return '_No fixed loads were measured._';
  const header = rates.flatMap((rate) => [`µs CPU / delivery at ${num(rate)}/s (× raw ws; × batched)`, `p99 at ${num(rate)}/s, ms`]);
  const lines = [row(['peer', ...header]), row(new Array<string>(header.length + 1).fill('---'))];
  for (const peer of names) {
    const cells = rates.flatMap((_, index) => {
      const pick = (run: FanoutRun) => run.fixed[index]?.cpuUsPerDelivery;
      const own = fanoutFigure(results, shape, peer, pick);
      const batched = fanoutFigure(results, shape, peer, pick, 'ws-batched');
      const redisBase = shape === 'single' && peer.includes('redis') ? fanoutFigure(results, shape, peer, pick, 'ws-redis') : undefined;
      const ratios = [own.ratio, batched.ratio].map((ratio) => (ratio === undefined ? '–' : `${ratio.toFixed(2)}×`)).join('; ');
      const redis = redisBase?.ratio !== undefined ? `; ${redisBase.ratio.toFixed(2)}× raw ws + Redis` : '';
      const p99 = fanoutFigure(results, shape, peer, (run) => run.fixed[index]?.latency.p99);
      const failed = runsOf(results, shape, peer).some((run) => run.fanout?.status === 'ok' && run.fanout.value.fixed[index]?.failure);
      return [`${num(own.median, 2)} (${ratios}${redis})`, `${num(p99.median, 1)}${failed ? ' ✗' : ''}`];
    });
    lines.push(row([label(peer, shape), ...cells]));
  }
  return lines.join('\n');
}

/** The closed loop of the main shape with each body size: CPU and wire bytes per delivery. */
export function bodiesTable(results: BenchResults): string {
  const bodies = results.sizes.bodies;
  const names = peersOf(results, 'single', 'fanout').filter(
    (peer) =>
      !missingReason(runsOf(results, 'single', peer), 'fanout') &&
      runsOf(results, 'single', peer).some((run) => run.fanout?.status === 'ok' && run.fanout.value.bodies.length > 0),
  );
  if (bodies.length < 2 || names.length === 0) return '_No larger bodies were measured._';
  const header = bodies.flatMap((bytes) => [`${num(bytes)} B: µs CPU / delivery`, `${num(bytes)} B: wire bytes / delivery`]);
  const lines = [row(['peer', ...header]), row(new Array<string>(header.length + 1).fill('---'))];
  for (const peer of names) {
    const cells = bodies.flatMap((_, index) => {
      const phase = (run: FanoutRun) => (index === 0 ? run.saturation : run.bodies[index - 1]);
      return [
        cell(
          fanoutFigure(results, 'single', peer, (run) => phase(run)?.cpuUsPerDelivery),
          2,
        ),
        cell(fanoutFigure(results, 'single', peer, (run) => phase(run)?.bytesPerDelivery)),
      ];
    });
    lines.push(row([label(peer, 'single'), ...cells]));
  }
  return lines.join('\n');
}

/** Median p99 of every step of the ladder, per peer (✗: the step failed in some round). */
export function stepsTable(results: BenchResults, shape: Shape): string {
  const ladder = results.reference[shape].ladder;
  const names = peersOf(results, shape, 'fanout').filter((peer) => !missingReason(runsOf(results, shape, peer), 'fanout'));
  if (!ladder || names.length === 0) return '_No steps were measured._';
  const lines = [
    row(['offered, deliveries/s', ...names.map((peer) => label(peer, shape))]),
    row(new Array<string>(names.length + 1).fill('---')),
  ];
  for (const rate of ladder) {
    const cells = names.map((peer) => {
      const steps = runsOf(results, shape, peer).flatMap((run) =>
        run.fanout?.status === 'ok' ? run.fanout.value.steps.filter((step) => step.rate === rate) : [],
      );
      if (steps.length === 0) return '';
      const p99 = median(steps.map((step) => step.latency.p99));
      return `${num(p99, 1)}${steps.some((step) => step.failure !== undefined) ? ' ✗' : ''}`;
    });
    lines.push(row([num(rate * layoutOf(results.sizes, shape).readersPerRoom), ...cells]));
  }
  return lines.join('\n');
}

/** The idle-socket and connect-storm table. */
export function idleTable(results: BenchResults): string {
  if (peersOf(results, 'single', 'idle').length === 0) return NOT_RUN;
  const lines = [
    row(['peer', 'sockets', 'RSS per idle socket, KiB', 'connects/s (opened and authenticated)']),
    row(['---', '---', '---', '---']),
  ];
  for (const peer of peersOf(results, 'single', 'idle')) {
    const missing = missingReason(runsOf(results, 'single', peer), 'idle');
    if (missing) {
      lines.push(row([label(peer, 'single'), ...gap(missing.kind, 3)]));
      continue;
    }
    lines.push(
      row([
        label(peer, 'single'),
        num(idleFigure(results, peer, (run) => run.opened).median),
        cell(
          idleFigure(results, peer, (run) => run.rssPerSocket / 1024),
          1,
        ),
        cell(idleFigure(results, peer, (run) => run.connectsPerSec)),
      ]),
    );
  }
  return lines.join('\n');
}

/** Every scenario a peer could not run, in any round, with the reason (one line when every round says the same). */
export function gaps(results: BenchResults): string[] {
  const notes: string[] = [];
  for (const shape of shapes) {
    for (const scenario of ['fanout', 'idle'] as const) {
      for (const peer of peersOf(results, shape, scenario)) {
        const runs = runsOf(results, shape, peer);
        const problems = runs.flatMap((run) => {
          const outcome = run[scenario];
          if (outcome === undefined || outcome.status === 'ok') return [];
          const kind = outcome.status === 'unavailable' ? 'not available yet' : outcome.status;
          return [
            { round: run.round, text: `${kind} — ${(outcome.status === 'failed' ? outcome.error : outcome.reason).split('\n')[0] ?? ''}` },
          ];
        });
        const name =
          scenario === 'idle'
            ? 'idle sockets and connect storm'
            : {
                single: 'fan-out',
                'one-room': 'fan-out in one large room',
                'many-rooms': 'fan-out in many small rooms',
                pairs: 'fan-out in rooms of two',
                cross: 'cross-node fan-out',
              }[shape];
        const same = problems.length === runs.length && problems.every((problem) => problem.text === problems[0]?.text);
        if (same && problems[0]) notes.push(`- **${label(peer, shape)}**, ${name}: ${problems[0].text}`);
        else for (const problem of problems) notes.push(`- **${label(peer, shape)}**, ${name}, round ${problem.round}: ${problem.text}`);
      }
    }
  }
  return notes;
}

/** Phases that ran but did not pass, per peer (first reason per round), for the notes under the tables. */
export function stepFailures(results: BenchResults, shape: Shape): string[] {
  const notes: string[] = [];
  for (const run of results.runs.filter((r) => r.shape === shape && r.fanout?.status === 'ok')) {
    if (run.fanout?.status !== 'ok') continue;
    const { saturation, steps, atTarget } = run.fanout.value;
    const readers = layoutOf(results.sizes, shape).readersPerRoom;
    const failed = steps.find((step) => step.failure !== undefined);
    const parts: string[] = [];
    if (saturation.failure) parts.push(`closed loop: ${saturation.failure}`);
    if (failed)
      parts.push(`stopped at ${num(failed.rate * readers)} deliveries/s${failed.attempts > 1 ? ' (twice)' : ''}: ${failed.failure ?? ''}`);
    if (atTarget?.failure) parts.push(`at 80 %: ${atTarget.failure}`);
    if (parts.length > 0) notes.push(`- ${run.label}, round ${run.round}: ${parts.join('; ')}`);
  }
  return notes;
}
