/** The load generator's commands, shared by the generator and the runner that calls it. */
import type { LatencySummary } from './histogram.ts';
import type { Prepared, Target } from './drivers/index.ts';

/** One measured load phase, as the generator saw it. */
export interface LoadSample {
  /** Offered publishes per second over all rooms; 0 for the closed-loop run. */
  rate: number;
  sent: number;
  /** Deliveries due: each publish times its room's readers. */
  expected: number;
  delivered: number;
  /** Wire bytes of those deliveries (frame payloads plus WebSocket headers; TCP/IP not counted). */
  bytes: number;
  /** From the first publish to the last. */
  sendMs: number;
  /** From the first publish to the last delivery (or the end of the grace period). */
  elapsedMs: number;
  latency: LatencySummary;
  /** Reader sockets the server closed during the phase. */
  closedByServer: number;
  /** The generator's own CPU time over the phase, in microseconds: is the generator the bottleneck? */
  generatorCpuUs: number;
  /** Publishes the server refused (e.g. rate limited). */
  refused: number;
  lastRefusal: string | undefined;
}

/** What opening idle sockets gave. */
export interface IdleSample {
  opened: number;
  failed: number;
  /** Not ready when the time bound passed. */
  abandoned: number;
  seconds: number;
  firstError: string | undefined;
}

/** Every command: its arguments and its result. */
export interface GeneratorApi {
  prepare: { args: { target: Target; rooms: number; readers: number }; result: Prepared };
  connectFanout: { args: { readersPerRoom: number; window: number; timeoutMs: number }; result: IdleSample };
  saturate: { args: { durationMs: number; window: number; graceMs: number; bodyBytes: number }; result: LoadSample };
  step: { args: { rate: number; durationMs: number; graceMs: number; bodyBytes: number }; result: LoadSample };
  openIdle: { args: { count: number; window: number; timeoutMs: number }; result: IdleSample };
  closeAll: { args: { timeoutMs: number }; result: { closed: number } };
}

/** A command's name. */
export type GeneratorCommand = keyof GeneratorApi;
