/**
 * The targets of issue 15, each checked against the run: met, missed (by how much), or not
 * measured (and why). CPU targets are judged in the closed loop of every room shape and at the
 * fixed open-loop loads, against raw ws and against its batched variant; Redis targets against
 * raw ws with one Redis PUBLISH per broadcast (`ws-redis` on one node, `ws`'s own cross-node
 * deployment on two).
 */
import { layoutOf } from '../options.ts';
import type { BenchResults, FanoutRun } from '../results.ts';
import type { Shape } from '../runner/deployment.ts';
import { peers, type PeerName } from '../runner/peer-catalog.ts';
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
const SHAPE_NAMES: Record<Shape, string> = {
  single: '10 × 100',
  'one-room': '1 × 1,000',
  'many-rooms': '100 × 10',
  pairs: '1,000 × 2',
  cross: 'two nodes, 10 × 100',
};

/** The shape's rooms × readers as the report names it (from the run's sizes). */
export function shapeName(results: BenchResults, shape: Shape): string {
  const { rooms, readersPerRoom } = layoutOf(results.sizes, shape);
  const sized = `${rooms.toLocaleString('en-US')} × ${readersPerRoom.toLocaleString('en-US')}`;
  return shape === 'cross' ? `two nodes, ${sized}` : results.smoke ? sized : SHAPE_NAMES[shape];
}

/** A phase's figure: the closed loop, or the fixed load at `index` of `Sizes.fixedRates`. */
type Phase = { kind: 'closed' } | { kind: 'fixed'; index: number };

const pickCpu = (phase: Phase) => (run: FanoutRun) =>
  phase.kind === 'closed' ? run.saturation.cpuUsPerDelivery : run.fixed[phase.index]?.cpuUsPerDelivery;

function phaseName(results: BenchResults, phase: Phase): string {
  if (phase.kind === 'closed') return 'closed loop';
  return `${(results.sizes.fixedRates[phase.index] ?? 0).toLocaleString('en-US')} deliveries/s`;
}

function ratioAtMost(
  target: string,
  figure: Figure,
  limit: number,
  baseName: string,
  rival?: { name: string; figure: Figure },
): TargetCheck {
  if (figure.ratio === undefined)
    return { target, measured: '–', status: 'not measured', detail: `no figure for this peer or for ${baseName} in this run` };
  const measured = `${x(figure.ratio)} ${baseName}${spread(figure)}${rival?.figure.ratio !== undefined ? `; ${rival.name} ${x(rival.figure.ratio)}` : ''}`;
  const problems: string[] = [];
  if (figure.ratio > limit) problems.push(`${x(figure.ratio)} > ${x(limit)}: over by ${((figure.ratio / limit - 1) * 100).toFixed(0)} %`);
  if (rival && rival.figure.ratio !== undefined && figure.ratio >= rival.figure.ratio)
    problems.push(`not below ${rival.name} (${x(rival.figure.ratio)})`);
  return { target, measured, status: problems.length === 0 ? 'met' : 'missed', detail: problems.join('; ') };
}

function ratioAtLeast(target: string, figure: Figure, limit: number): TargetCheck {
  if (figure.ratio === undefined) return { target, measured: '–', status: 'not measured', detail: 'no figure for this peer or raw ws' };
  const met = figure.ratio >= limit;
  return {
    target,
    measured: `${x(figure.ratio)} raw ws${spread(figure)}`,
    status: met ? 'met' : 'missed',
    detail: met ? '' : `${x(figure.ratio)} < ${x(limit)}: short by ${((1 - figure.ratio / limit) * 100).toFixed(0)} %`,
  };
}

const label = (peer: PeerName, shape: Shape) => (shape === 'cross' ? peers[peer].cross?.label : peers[peer].single.label) ?? peer;
const ran = (results: BenchResults, peer: PeerName, shape: Shape) => results.runs.some((run) => run.peer === peer && run.shape === shape);

/** Every target of issue 15 against this run (only the peers and shapes the run measured). */
export function checkTargets(results: BenchResults): TargetCheck[] {
  const checks: TargetCheck[] = [];
  const phases: Phase[] = [{ kind: 'closed' }, ...results.sizes.fixedRates.map((_, index) => ({ kind: 'fixed' as const, index }))];
  const cpu = (shape: Shape, peer: PeerName, phase: Phase, base: PeerName = 'ws') =>
    fanoutFigure(results, shape, peer, pickCpu(phase), base);
  const singleShapes: Shape[] = ['single', 'one-room', 'many-rooms', 'pairs'];
  // Embedded paths: ≤ 1.0× raw ws, ≤ 1.2× batched raw ws, below Socket.IO, in every shape and phase.
  for (const shape of singleShapes) {
    for (const peer of ['switchboard', 'switchboard-chat'] as const) {
      if (!ran(results, peer, shape)) continue;
      for (const phase of shape === 'single' ? phases : phases.slice(0, 1)) {
        const where = `${label(peer, shape)}, ${shapeName(results, shape)}, ${phaseName(results, phase)}`;
        checks.push(
          ratioAtMost(`CPU per delivery ≤ 1.0× raw ws and below Socket.IO: ${where}`, cpu(shape, peer, phase), 1, 'raw ws', {
            name: 'Socket.IO',
            figure: cpu(shape, 'socketio', phase),
          }),
          ratioAtMost(`CPU per delivery ≤ 1.2× batched raw ws: ${where}`, cpu(shape, peer, phase, 'ws-batched'), 1.2, 'batched raw ws'),
        );
      }
    }
  }
  // Through Redis: ≤ 1.3× raw ws with one PUBLISH per broadcast, below Socket.IO + redis-adapter.
  for (const peer of ['switchboard-redis', 'switchboard-chat-redis'] as const) {
    for (const shape of ['single', 'many-rooms', 'cross'] as const) {
      if (!ran(results, peer, shape)) continue;
      const base = shape === 'cross' ? 'ws' : 'ws-redis';
      for (const phase of shape === 'many-rooms' ? phases.slice(0, 1) : phases)
        checks.push(
          ratioAtMost(
            `CPU per delivery ≤ 1.3× raw ws + Redis and below Socket.IO + redis-adapter: ${label(peer, shape)}, ${shapeName(results, shape)}, ${phaseName(results, phase)}`,
            cpu(shape, peer, phase, base),
            1.3,
            'raw ws + Redis',
            { name: 'Socket.IO + redis-adapter', figure: cpu(shape, 'socketio-redis', phase, base) },
          ),
        );
    }
  }
  // History on: ≤ 2× raw ws.
  for (const peer of ['switchboard-history', 'switchboard-chat-history'] as const) {
    if (!ran(results, peer, 'single')) continue;
    for (const phase of phases)
      checks.push(
        ratioAtMost(
          `CPU per delivery ≤ 2× raw ws: ${label(peer, 'single')}, ${shapeName(results, 'single')}, ${phaseName(results, phase)}`,
          cpu('single', peer, phase),
          2,
          'raw ws',
        ),
      );
  }
  // p99 at 80 % of raw ws's highest sustainable load: no worse than raw ws's own p99 there.
  for (const shape of ['single', 'cross'] as const) {
    const base = fanoutFigure(results, shape, 'ws', (run) => run.atTarget?.latency.p99);
    for (const peer of results.peers.filter((name) => name.startsWith('switchboard') && ran(results, name, shape))) {
      const own = fanoutFigure(results, shape, peer, (run) => run.atTarget?.latency.p99);
      const target = `p99 at 80 % of raw ws's sustained load ≤ raw ws's p99 there: ${label(peer, shape)}, ${shapeName(results, shape)}`;
      if (!Number.isFinite(own.median) || !Number.isFinite(base.median)) {
        checks.push({ target, measured: '–', status: 'not measured', detail: 'no step at that load for this peer or raw ws' });
        continue;
      }
      const met = own.median <= base.median;
      checks.push({
        target,
        measured: `${own.median.toFixed(1)} ms vs ${base.median.toFixed(1)} ms`,
        status: met ? 'met' : 'missed',
        detail: met ? '' : `${(own.median - base.median).toFixed(1)} ms worse`,
      });
    }
  }
  // Wire bytes per delivery for the same body: ≤ 1.3× raw ws.
  const bodies = results.sizes.bodies;
  for (const peer of ['switchboard', 'switchboard-chat'] as const) {
    if (!ran(results, peer, 'single')) continue;
    bodies.forEach((bytes, index) => {
      const pick = (run: FanoutRun) => (index === 0 ? run.saturation.bytesPerDelivery : run.bodies[index - 1]?.bytesPerDelivery);
      checks.push(
        ratioAtMost(
          `Wire bytes per delivery ≤ 1.3× raw ws: ${label(peer, 'single')}, ${bytes.toLocaleString('en-US')} B bodies`,
          fanoutFigure(results, 'single', peer, pick),
          1.3,
          'raw ws',
        ),
      );
    });
  }
  // Idle memory and connects, on both sockets (the chat socket authenticated with a token and in a room).
  for (const peer of ['switchboard', 'switchboard-chat'] as const) {
    if (!ran(results, peer, 'single')) continue;
    const memory = idleFigure(results, peer, (run) => run.rssPerSocket);
    const memoryTarget = `Idle RSS per authenticated socket ≤ 1.2× raw ws: ${label(peer, 'single')}`;
    // A few sockets move RSS less than the allocator's own noise; a ratio of such numbers means nothing.
    checks.push(
      memory.ratios.length > 0 && memory.ratios.every((ratio) => ratio > 0)
        ? ratioAtMost(memoryTarget, memory, 1.2, 'raw ws')
        : {
            target: memoryTarget,
            measured: '–',
            status: 'not measured',
            detail: 'an RSS difference was not positive: too few sockets to measure',
          },
      ratioAtLeast(
        `Connects per second, credentials verified${peer === 'switchboard-chat' ? ' and a room joined' : ''}: ≥ 1.0× raw ws: ${label(peer, 'single')}`,
        idleFigure(results, peer, (run) => run.connectsPerSec),
        1,
      ),
    );
  }

  const sdkTarget = 'Browser SDK, minified and gzipped: under half of socket.io-client';
  if (results.sdk.status === 'ok') {
    const { switchboardBytes, socketIoClientBytes } = results.sdk.value;
    const met = switchboardBytes < socketIoClientBytes / 2;
    checks.push({
      target: sdkTarget,
      measured: `${switchboardBytes} B vs ${socketIoClientBytes} B (${x(switchboardBytes / socketIoClientBytes)})`,
      status: met ? 'met' : 'missed',
      detail: met ? '' : `${switchboardBytes - Math.floor(socketIoClientBytes / 2)} B over half`,
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
