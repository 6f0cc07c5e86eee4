/** The command line of `npm run bench` and the sizes of the full and smoke runs. */
import { fileURLToPath } from 'node:url';
import type { Shape } from './runner/deployment.ts';
import type { JobsSizes } from './runner/jobs-scenario.ts';
import { isPeerName, peerNames, type PeerName } from './runner/peer-catalog.ts';

/**
 * The scenarios; `idle` and `storm` are measured by the same pass (a storm of sockets that then
 * stay idle); `one-room`, `many-rooms` and `pairs` are the fan-out in one large room, many small
 * rooms and rooms of two instead of the main shape's ten rooms of a hundred; `jobs` is a job's
 * round trip through an app worker beside the same round trip as a plain REST call.
 */
export const scenarioNames = ['fanout', 'one-room', 'many-rooms', 'pairs', 'idle', 'storm', 'cross-node', 'jobs'] as const;

/** One of `scenarioNames`. */
export type ScenarioName = (typeof scenarioNames)[number];

/** How big and how long everything is. */
export interface Sizes {
  rounds: number;
  /** The fan-out's rooms and readers (one node and two). */
  rooms: number;
  readersPerRoom: number;
  /** The `many-rooms` fan-out: many rooms of few readers, where per-room costs show. */
  manyRooms: { rooms: number; readersPerRoom: number };
  /** The `one-room` fan-out: one large room. */
  oneRoom: { rooms: number; readersPerRoom: number };
  /** The `pairs` fan-out: rooms of two (a direct conversation). */
  pairs: { rooms: number; readersPerRoom: number };
  /** The peers that run the extra shapes (one-room, many-rooms, pairs); undefined: every peer. */
  shapePeers?: readonly PeerName[];
  /** JSON body sizes in bytes: every phase uses the first; the main shape's closed loop is run again with each other one. */
  bodies: number[];
  /** The peers that run the other bodies; undefined: every peer. */
  bodyPeers?: readonly PeerName[];
  /** Fixed open-loop loads in deliveries/s (the same for every peer, whatever the baseline did), main and cross-node shapes, each `fixedMs` long. */
  fixedRates: number[];
  fixedMs: number;
  /** The step at 80 % of the baseline's sustained load: its duration. */
  targetMs: number;
  /** Handshakes in flight while opening sockets. */
  connectWindow: number;
  warmupMs: number;
  /** The closed loop: how many runs (the one with the median CPU per delivery counts), each run's duration, and the messages each room keeps in flight. */
  saturationRuns: number;
  saturationMs: number;
  window: number;
  /** Each open-loop step: its duration, and how long after it deliveries may still arrive. */
  stepMs: number;
  graceMs: number;
  /** Offered loads of the steps, as fractions of the baseline's closed-loop rate (round 1). */
  ladder: number[];
  /** Measurements of a step before it counts as failed (a shared machine has passing hiccups). */
  stepAttempts: number;
  idleSockets: number;
  /** The storm stops opening sockets after this long; a slow peer is measured on what it opened by then. */
  stormMs: number;
  /** The `jobs` scenario: user sockets, jobs in flight per socket, and its phases. */
  jobs: JobsSizes;
  /** The whole run stops starting new work after this long. */
  budgetMs: number;
  /** Starts every deployment of a round at once, before the first is measured (only where figures do not count: see bench.ts). */
  startAhead: boolean;
  /**
   * Peers whose nodes are configured alike (e.g. the endpoint and chat paths of embedded
   * Switchboard) share one started node instead of one each: only where figures do not count
   * (the test run). Off, each peer still uses one node for all its single-node shapes.
   */
  shareNodes: boolean;
}

/**
 * `npm run bench`: aimed at under 20 minutes on a 2-core machine, so one round by default
 * (`--rounds=2` to see how far rounds move a ratio). Every phase a ratio is judged on (the
 * closed loop, the fixed loads, the step at 80 %) lasts 10 s; the ladder's steps, which only
 * find the sustained load, are short. Not every product of every axis: the main shape (10 × 100,
 * 100 B) runs every peer through every phase; the other shapes run the closed loop of the
 * peers whose targets are judged there (raw ws, its batched reference, Socket.IO, Switchboard's
 * embedded endpoint and chat paths, the chat path through Redis); the larger bodies run the
 * closed loop of raw ws and both embedded Switchboard paths (docs/benchmarks.md says why).
 */
export const fullSizes: Sizes = {
  rounds: 1,
  rooms: 10,
  readersPerRoom: 100,
  manyRooms: { rooms: 100, readersPerRoom: 10 },
  oneRoom: { rooms: 1, readersPerRoom: 1_000 },
  pairs: { rooms: 1_000, readersPerRoom: 2 },
  shapePeers: ['ws', 'ws-batched', 'socketio', 'switchboard', 'switchboard-chat', 'switchboard-chat-redis'],
  bodies: [100, 1_024, 16_384],
  bodyPeers: ['ws', 'ws-batched', 'switchboard', 'switchboard-chat'],
  fixedRates: [10_000, 20_000],
  fixedMs: 10_000,
  targetMs: 10_000,
  connectWindow: 200,
  warmupMs: 1_000,
  saturationRuns: 1,
  saturationMs: 10_000,
  window: 16,
  stepMs: 2_000,
  graceMs: 1_000,
  ladder: [0.3, 0.6, 0.8, 1, 1.15],
  stepAttempts: 1,
  idleSockets: 10_000,
  stormMs: 20_000,
  jobs: { users: 8, window: 4, warmupMs: 1_000, phaseMs: 10_000 },
  budgetMs: 19 * 60_000,
  startAhead: false,
  shareNodes: false,
};

/** `--smoke`: about a minute, tiny sizes; proves the harness works, not the figures. */
export const smokeSizes: Sizes = {
  rounds: 1,
  rooms: 2,
  readersPerRoom: 5,
  manyRooms: { rooms: 10, readersPerRoom: 2 },
  oneRoom: { rooms: 1, readersPerRoom: 20 },
  pairs: { rooms: 20, readersPerRoom: 2 },
  bodies: [100, 1_024, 16_384],
  fixedRates: [500, 1_000],
  fixedMs: 300,
  targetMs: 300,
  connectWindow: 20,
  warmupMs: 100,
  saturationRuns: 1,
  saturationMs: 300,
  window: 4,
  stepMs: 300,
  graceMs: 300,
  ladder: [0.3, 0.6, 1],
  stepAttempts: 1,
  idleSockets: 50,
  stormMs: 10_000,
  jobs: { users: 2, window: 2, warmupMs: 500, phaseMs: 1_000 },
  budgetMs: 3 * 60_000,
  startAhead: false,
  shareNodes: false,
};

/** The test suite's run (test/bench/smoke.test.ts): every peer and scenario once, at the smallest loads that still measure, in well under 30 s. */
export const testSizes: Sizes = {
  rounds: 1,
  rooms: 1,
  readersPerRoom: 3,
  manyRooms: { rooms: 3, readersPerRoom: 2 },
  oneRoom: { rooms: 1, readersPerRoom: 4 },
  pairs: { rooms: 3, readersPerRoom: 2 },
  // Each path once: the extra shapes and bodies on the baseline and both embedded Switchboard paths.
  shapePeers: ['ws', 'switchboard', 'switchboard-chat'],
  bodies: [100, 16_384],
  bodyPeers: ['ws', 'switchboard', 'switchboard-chat'],
  fixedRates: [30, 60],
  fixedMs: 200,
  targetMs: 200,
  connectWindow: 10,
  warmupMs: 50,
  saturationRuns: 1,
  saturationMs: 200,
  window: 2,
  stepMs: 200,
  graceMs: 150,
  ladder: [0.5, 1],
  stepAttempts: 1,
  idleSockets: 20,
  stormMs: 5_000,
  // A job's round trip on a loaded embedded node can take half a second: the phase is long enough to see several end.
  jobs: { users: 2, window: 2, warmupMs: 300, phaseMs: 1_000 },
  // Only a bound (the test has its own deadline): on a loaded machine starting a peer alone can take a minute.
  budgetMs: 10 * 60_000,
  // Every deployment starts at once: with nodes shared there are few, and waiting for each in turn was most of the run.
  startAhead: true,
  // Each embedded node costs ~7 s of CPU and ~0.5 GB to start (PGlite): the endpoint and chat paths share one.
  shareNodes: true,
};

/** The rooms and readers per room of a shape's fan-out. */
export function layoutOf(sizes: Sizes, shape: Shape): { rooms: number; readersPerRoom: number } {
  if (shape === 'many-rooms') return sizes.manyRooms;
  if (shape === 'one-room') return sizes.oneRoom;
  if (shape === 'pairs') return sizes.pairs;
  return { rooms: sizes.rooms, readersPerRoom: sizes.readersPerRoom };
}

/** Whether the shape is one of the extra single-node shapes (closed loop only, `shapePeers`). */
export function isExtraShape(shape: Shape): boolean {
  return shape === 'one-room' || shape === 'many-rooms' || shape === 'pairs';
}

/** What a run does and where it writes. */
export interface BenchOptions {
  smoke: boolean;
  sizes: Sizes;
  scenarios: ScenarioName[];
  peers: PeerName[];
  /** The Markdown report; the SVG chart goes next to it as `<name>-latency.svg`. */
  out: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Aborted (Ctrl-C): no new phase starts, and everything borrowed is given back. */
  signal?: AbortSignal;
  /** Runs Switchboard's contract tap in its nodes (`--contract`): each run reports what the specs did not describe. */
  contract: boolean;
  /**
   * Migrated databases to start from instead of building them (the test run's, from its global
   * setup): a dumped PGlite data folder (an uncompressed tar, extracted into each embedded node's
   * DATA_DIR) and a template database on the shared Postgres. Also makes nodes load dist/.
   */
  templates?: { pgliteTar?: string; postgres?: string };
  /** `peer/shape` runs left out (the test run leaves out what another run already covers). */
  skipRuns?: readonly string[];
}

/** The usage text. */
export const usage = `npm run bench -- [--smoke] [--contract] [--only=<scenario,...>] [--peers=<peer,...>] [--rounds=<n>] [--out=<file.md>]
  scenarios: ${scenarioNames.join(', ')}
  peers:     ${peerNames.join(', ')} (ws always runs: it is the baseline)`;

const isScenario = (value: string): value is ScenarioName => (scenarioNames as readonly string[]).includes(value);

/** Parses the command line; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[], log: (line: string) => void): BenchOptions {
  let smoke = false;
  let contract = false;
  let scenarios: ScenarioName[] = [...scenarioNames];
  let peers: PeerName[] = [...peerNames];
  let rounds: number | undefined;
  let out = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  for (const arg of argv) {
    const [flag, value = ''] = arg.split('=', 2) as [string, string?];
    const list = value.split(',').filter((item) => item !== '');
    if (flag === '--smoke') smoke = true;
    else if (flag === '--contract') contract = true;
    else if (flag === '--only' && list.every(isScenario) && list.length > 0) scenarios = list.filter(isScenario);
    else if (flag === '--peers' && list.every(isPeerName) && list.length > 0) peers = list.filter(isPeerName);
    else if (flag === '--rounds' && /^[1-9]\d*$/.test(value)) rounds = Number(value);
    else if (flag === '--out' && value !== '') out = value;
    else throw new Error(`unknown or invalid argument ${arg}\n${usage}`);
  }
  const base = smoke ? smokeSizes : fullSizes;
  // The baseline runs whatever the selection: every ratio needs it.
  if (!peers.includes('ws')) peers.unshift('ws');
  peers = peerNames.filter((name) => peers.includes(name));
  return { smoke, contract, sizes: { ...base, rounds: rounds ?? base.rounds }, scenarios, peers, out, log };
}
