/** What a benchmark run measured, before any median or ratio (the report computes those). */
import type { IdleSample, LoadSample } from './load/api.ts';
import type { ContractReport } from './messages.ts';
import type { ScenarioName, Sizes } from './options.ts';
import type { PeerName } from './runner/peer-catalog.ts';
import type { Shape } from './runner/deployment.ts';
import type { JobsRun } from './runner/jobs-scenario.ts';

/** A measurement, or why there is none. */
export type Outcome<T> =
  | { status: 'ok'; value: T }
  | { status: 'unavailable'; reason: string }
  | { status: 'failed'; error: string }
  | { status: 'skipped'; reason: string };

/** One load phase with the server's CPU time over it. */
export interface LoadMeasure extends LoadSample {
  deliveriesPerSec: number;
  /** Server CPU time over the phase (all nodes), in microseconds. */
  cpuUs: number;
  /** Server CPU (user + system, all nodes) per delivered message, in microseconds. */
  cpuUsPerDelivery: number;
  /** WebSocket bytes per delivered message (the frame a reader gets, header included). */
  bytesPerDelivery: number;
  /** The server's read and write system calls (all nodes) per delivered message. */
  syscallsPerDelivery: number;
  /** The JSON body each publish carried, in bytes. */
  bodyBytes: number;
  /** Why the phase does not count as sustained; undefined when it does. */
  failure: string | undefined;
  /** 2 when a failed step was measured again (a shared machine has passing hiccups). */
  attempts: number;
}

/** The fan-out scenario of one peer in one round. */
export interface FanoutRun {
  saturation: LoadMeasure;
  steps: LoadMeasure[];
  /** The highest offered rate (publishes/s) that passed, 0 if none did. */
  sustainedRate: number;
  /** The step at 80 % of the baseline's sustained rate. */
  atTarget: LoadMeasure | undefined;
  /** Open-loop phases at the fixed loads of `Sizes.fixedRates` (deliveries/s), in that order. */
  fixed: LoadMeasure[];
  /** The closed loop again with each larger body of `Sizes.bodies` (bodyPeers only). */
  bodies: LoadMeasure[];
}

/** The storm and idle scenarios of one peer in one round (one pass measures both). */
export interface IdleRun extends IdleSample {
  connectsPerSec: number;
  rssBefore: number;
  rssAfter: number;
  rssPerSocket: number;
}

/** One peer, one deployment shape, one round. */
export interface PeerRun {
  peer: PeerName;
  label: string;
  shape: Shape;
  round: number;
  /** Every node started and answered. */
  started: boolean;
  /** The machine's 1-minute load average when the run began: how noisy it was. */
  loadAverage: number;
  idle: Outcome<IdleRun> | undefined;
  fanout: Outcome<FanoutRun> | undefined;
  /** With `--contract`: what the Switchboard nodes' contract taps checked and found, shutdown included. */
  contract?: ContractReport;
}

/** The minified, gzipped browser bundles. */
export interface SdkSize {
  switchboardBytes: number;
  socketIoClientBytes: number;
}

/** Rates every peer of a shape is measured at, fixed by the baseline. */
export interface Reference {
  /** Offered publishes/s of the steps (from round 1's baseline). */
  ladder: number[] | undefined;
  /** 80 % of the baseline's sustained rate, per round (index = round - 1). */
  targetRate: Array<number | undefined>;
}

/** Where the run happened. */
export interface Environment {
  cpu: string;
  cores: number;
  memoryGiB: number;
  os: string;
  node: string;
  commit: string;
  packages: Record<string, string>;
  redis: string;
  postgres: string;
}

/** Everything a run produced. */
export interface BenchResults {
  startedAt: string;
  durationMs: number;
  smoke: boolean;
  sizes: Sizes;
  scenarios: ScenarioName[];
  peers: PeerName[];
  runs: PeerRun[];
  reference: Record<Shape, Reference>;
  sdk: Outcome<SdkSize>;
  /** The `jobs` scenario on embedded Switchboard; undefined when not selected. */
  jobs?: Outcome<JobsRun>;
  environment: Environment;
}
