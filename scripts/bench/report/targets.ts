/** The issue's targets, each checked against the run: met, missed (by how much), or not measurable yet. */
import type { BenchResults } from '../results.ts';
import type { PeerName } from '../runner/peer-catalog.ts';
import { fanoutFigure, idleFigure, type Figure } from './aggregate.ts';

/** One target's verdict. */
export interface TargetCheck {
  target: string;
  measured: string;
  status: 'met' | 'missed' | 'not measured';
  detail: string;
}

const x = (ratio: number) => `${ratio.toFixed(2)}×`;
// The rounds' own ratios after the median, when there are several: the spread is part of the result.
const spread = (figure: Figure) => (figure.ratios.length > 1 ? ` (rounds: ${figure.ratios.map(x).join(', ')})` : '');
const cpu = (results: BenchResults, peer: PeerName): Figure =>
  fanoutFigure(results, 'single', peer, (run) => run.saturation.cpuUsPerDelivery);

function ratioAtMost(target: string, figure: Figure, limit: number, rival?: { name: string; figure: Figure }): TargetCheck {
  if (figure.ratio === undefined)
    return { target, measured: '–', status: 'not measured', detail: 'no figure for Switchboard or for raw ws in this run' };
  const measured = `${x(figure.ratio)} raw ws${spread(figure)}${rival?.figure.ratio !== undefined ? `; ${rival.name} ${x(rival.figure.ratio)}${spread(rival.figure)}` : ''}`;
  const problems: string[] = [];
  if (figure.ratio > limit) problems.push(`${x(figure.ratio)} > ${x(limit)}: over by ${((figure.ratio / limit - 1) * 100).toFixed(0)} %`);
  if (rival && rival.figure.ratio !== undefined && figure.ratio >= rival.figure.ratio)
    problems.push(`not below ${rival.name} (${x(rival.figure.ratio)})`);
  return { target, measured, status: problems.length === 0 ? 'met' : 'missed', detail: problems.join('; ') };
}

/** Every target of issue 5 against this run. */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [
    ratioAtMost('Server CPU per delivery, embedded defaults: ≤ 1.15× raw ws and below Socket.IO', cpu(results, 'switchboard'), 1.15, {
      name: 'Socket.IO',
      figure: cpu(results, 'socketio'),
    }),
    ratioAtMost(
      'Server CPU per delivery, with Redis: ≤ 1.3× raw ws and below Socket.IO + redis-adapter',
      cpu(results, 'switchboard-redis'),
      1.3,
      {
        name: 'Socket.IO + redis-adapter',
        figure: cpu(results, 'socketio-redis'),
      },
    ),
    ratioAtMost('Server CPU per delivery, history on (Postgres): ≤ 2× raw ws', cpu(results, 'switchboard-history'), 2),
  ];

  const p99 = fanoutFigure(results, 'single', 'switchboard', (run) => run.atTarget?.latency.p99);
  const latencyTarget = 'p99 ≤ 50 ms at 80 % of raw ws’s highest sustainable load (embedded defaults)';
  checks.push(
    Number.isFinite(p99.median)
      ? {
          target: latencyTarget,
          measured: `${p99.median.toFixed(1)} ms${p99.values.length > 1 ? ` (rounds: ${p99.values.map((v) => `${v.toFixed(1)} ms`).join(', ')})` : ''}`,
          status: p99.median <= 50 ? 'met' : 'missed',
          detail: p99.median <= 50 ? '' : `${(p99.median - 50).toFixed(1)} ms over`,
        }
      : { target: latencyTarget, measured: '–', status: 'not measured', detail: 'no step at the target load for Switchboard' },
  );

  const memory = idleFigure(results, 'switchboard', (run) => run.rssPerSocket);
  const memoryTarget = 'Memory per idle authenticated socket: ≤ 1.5× raw ws';
  // A few sockets move RSS less than the allocator's own noise; a ratio of such numbers means nothing.
  const measurable = memory.ratios.length > 0 && memory.ratios.every((ratio) => ratio > 0);
  checks.push(
    measurable
      ? ratioAtMost(memoryTarget, memory, 1.5)
      : {
          target: memoryTarget,
          measured: '–',
          status: 'not measured',
          detail: 'an RSS difference was not positive: too few sockets to measure',
        },
  );
  const connects = idleFigure(results, 'switchboard', (run) => run.connectsPerSec);
  const connectTarget = 'Connects per second (credentials verified): ≥ 0.8× raw ws';
  checks.push(
    connects.ratio === undefined
      ? { target: connectTarget, measured: '–', status: 'not measured', detail: 'no storm figure for Switchboard or raw ws' }
      : {
          target: connectTarget,
          measured: `${x(connects.ratio)} raw ws${spread(connects)}`,
          status: connects.ratio >= 0.8 ? 'met' : 'missed',
          detail: connects.ratio >= 0.8 ? '' : `${x(connects.ratio)} < 0.80×: short by ${((1 - connects.ratio / 0.8) * 100).toFixed(0)} %`,
        },
  );

  const sdkTarget = 'Browser SDK, minified and gzipped: smaller than socket.io-client';
  if (results.sdk.status === 'ok') {
    const { switchboardBytes, socketIoClientBytes } = results.sdk.value;
    const met = switchboardBytes < socketIoClientBytes;
    checks.push({
      target: sdkTarget,
      measured: `${switchboardBytes} B vs ${socketIoClientBytes} B`,
      status: met ? 'met' : 'missed',
      detail: met ? '' : `${switchboardBytes - socketIoClientBytes} B larger`,
    });
  } else {
    checks.push({
      target: sdkTarget,
      measured: '–',
      status: 'not measured',
      detail: results.sdk.status === 'failed' ? results.sdk.error : results.sdk.reason,
    });
  }
  return checks;
}
