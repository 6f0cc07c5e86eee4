/** The command line of `npm run bench` and the sizes of the full and smoke runs. */
import { fileURLToPath } from 'node:url';
import { isPeerName, peerNames, type PeerName } from './runner/peer-catalog.ts';

/** The scenarios; `idle` and `storm` are measured by the same pass (a storm of sockets that then stay idle). */
export const scenarioNames = ['fanout', 'idle', 'storm', 'cross-node'] as const;

/** One of `scenarioNames`. */
export type ScenarioName = (typeof scenarioNames)[number];

/** How big and how long everything is. */
export interface Sizes {
  rounds: number;
  rooms: number;
  readersPerRoom: number;
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
  /** The whole run stops starting new work after this long. */
  budgetMs: number;
}

/** `npm run bench`: under 15 minutes on a 2-core machine. */
export const fullSizes: Sizes = {
  rounds: 2,
  rooms: 10,
  readersPerRoom: 100,
  connectWindow: 200,
  warmupMs: 750,
  saturationRuns: 3,
  saturationMs: 1_200,
  window: 16,
  stepMs: 1_500,
  graceMs: 1_000,
  ladder: [0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 1, 1.15],
  stepAttempts: 2,
  idleSockets: 10_000,
  stormMs: 30_000,
  budgetMs: 12 * 60_000,
};

/** `--smoke`: about a minute, tiny sizes; proves the harness works, not the figures. */
export const smokeSizes: Sizes = {
  rounds: 1,
  rooms: 2,
  readersPerRoom: 5,
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
  budgetMs: 3 * 60_000,
};

/** The test suite's run (test/bench/smoke.test.ts): every peer and scenario once, at the smallest loads that still measure, in well under 30 s. */
export const testSizes: Sizes = {
  rounds: 1,
  rooms: 1,
  readersPerRoom: 3,
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
  // Generous: on a loaded machine starting a peer alone can take half a minute.
  budgetMs: 140_000,
};

/** What a run does and where it writes. */
export interface BenchOptions {
  smoke: boolean;
  sizes: Sizes;
  scenarios: ScenarioName[];
  peers: PeerName[];
  /** The Markdown report; the SVG chart goes next to it as benchmarks-latency.svg. */
  out: string;
  /** Progress lines. */
  log: (line: string) => void;
  /** Aborted (Ctrl-C): no new phase starts, and everything borrowed is given back. */
  signal?: AbortSignal;
}

/** The usage text. */
export const usage = `npm run bench -- [--smoke] [--only=<scenario,...>] [--peers=<peer,...>] [--rounds=<n>] [--out=<file.md>]
  scenarios: ${scenarioNames.join(', ')}
  peers:     ${peerNames.join(', ')} (ws always runs: it is the baseline)`;

const isScenario = (value: string): value is ScenarioName => (scenarioNames as readonly string[]).includes(value);

/** Parses the command line; throws with the usage on anything unknown. */
export function parseArgs(argv: readonly string[], log: (line: string) => void): BenchOptions {
  let smoke = false;
  let scenarios: ScenarioName[] = [...scenarioNames];
  let peers: PeerName[] = [...peerNames];
  let rounds: number | undefined;
  let out = fileURLToPath(new URL('../../docs/benchmarks.md', import.meta.url));
  for (const arg of argv) {
    const [flag, value = ''] = arg.split('=', 2) as [string, string?];
    const list = value.split(',').filter((item) => item !== '');
    if (flag === '--smoke') smoke = true;
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
  return { smoke, sizes: { ...base, rounds: rounds ?? base.rounds }, scenarios, peers, out, log };
}
