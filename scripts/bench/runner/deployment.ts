/**
 * A peer deployed for one run: one node, or two nodes through Redis, with the resources they
 * borrow. Closing it stops the processes and gives every resource back, whatever failed.
 */
import { readFile } from 'node:fs/promises';
import type { ContractReport, ProcessStats } from '../messages.ts';
import type { PeerSpec, Variant } from './peer-catalog.ts';
import { startPeerProcess, type PeerProcess } from './peer-process.ts';
import { clearRedisPrefix, randomName, scratchDatabase, tempDir } from './resources.ts';

/** The run-wide secrets every launch gets. */
export interface Secrets {
  secret: string;
  adminToken: string;
}

/** How a run deploys its peers. */
export interface DeployOptions {
  /** Switchboard nodes run the contract tap (BENCH_CONTRACT=1). */
  contract: boolean;
  /** Copies a migrated embedded data folder into a node's DATA_DIR (embedded variants). */
  seedEmbedded?: (dir: string) => Promise<void>;
  /** A migrated template database that scratch databases are created from (else they start empty and the first node migrates). */
  postgresTemplate?: string;
  /** Nodes load the built packages (dist/) instead of compiling the sources: seconds of CPU less per start (the test run builds first). */
  built?: boolean;
}

/**
 * The room shapes: on one node, one room of 1,000 (`one-room`), 10 × 100 (`single`, the main
 * shape: every peer, every phase), 100 × 10 (`many-rooms`) and 1,000 × 2 (`pairs`); or two
 * nodes through Redis, 10 × 100 (`cross`). Sizes set each shape's rooms and readers.
 */
export type Shape = 'single' | 'one-room' | 'many-rooms' | 'pairs' | 'cross';

/** Every shape, in the order they run and are reported. */
export const shapes: readonly Shape[] = ['single', 'one-room', 'many-rooms', 'pairs', 'cross'];

/** The scenario that runs the fan-out of a shape. */
export const fanoutScenarioOf = {
  single: 'fanout',
  'one-room': 'one-room',
  'many-rooms': 'many-rooms',
  pairs: 'pairs',
  cross: 'cross-node',
} as const;

/** Running server processes of one peer. */
export interface Deployment extends AsyncDisposable {
  readonly nodes: readonly PeerProcess[];
  /** The node publishers connect to. */
  readonly publishUrl: string;
  /** The node readers connect to (the second one in the cross-node shape). */
  readonly readUrl: string;
  /** CPU time and RSS summed over the nodes. */
  stats(gc: boolean): Promise<ProcessStats>;
  /** What the nodes' contract taps found (complete once closed); undefined without taps. */
  contract(): ContractReport | undefined;
  close(): Promise<void>;
}

/**
 * A process's read and write system calls so far, every thread included: Linux's per-process I/O
 * accounting (`syscr` counts read/readv/pread, `syscw` write/writev/pwrite; a Node server's
 * sockets use exactly those). Free to read, unlike strace, which slows the traced process several
 * times. NaN where /proc is missing.
 */
export async function syscallsOf(pid: number): Promise<number> {
  try {
    const text = await readFile(`/proc/${pid}/io`, 'utf8');
    const field = (name: string) => Number(new RegExp(`^${name}: (\\d+)$`, 'm').exec(text)?.[1] ?? Number.NaN);
    return field('syscr') + field('syscw');
  } catch {
    return Number.NaN;
  }
}

/** The variant of a peer for a shape (undefined when the peer has none). */
export function variantOf(spec: PeerSpec, shape: Shape): Variant | undefined {
  return shape === 'cross' ? spec.cross : spec.single;
}

/**
 * Which deployments can be one: every single-node shape of a peer runs on the same node(s); with
 * `alike`, so do peers whose variants are configured the same (launcher, services, environment).
 */
export function deploymentKey(spec: PeerSpec, shape: Shape, alike: boolean): string {
  const nodes = shape === 'cross' ? 'cross' : 'single';
  const variant = variantOf(spec, shape);
  if (!alike || !variant) return `${spec.name}/${nodes}`;
  const probe = { secret: 's', adminToken: 'a', redisPrefix: 'p', dataDir: 'd', databaseUrl: 'u', contract: false };
  return JSON.stringify([nodes, spec.launcher, variant.needs, variant.embedded ?? false, variant.env(probe)]);
}

/** Starts a peer's node(s); the second node starts after the first so that they never migrate a database at once. */
export async function deploy(spec: PeerSpec, shape: Shape, secrets: Secrets, options: DeployOptions): Promise<Deployment> {
  const variant = variantOf(spec, shape);
  if (!variant) throw new Error(`${spec.name} has no ${shape} deployment`);
  const cleanups: Array<() => Promise<void>> = [];
  const nodes: PeerProcess[] = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => errors.push(err));
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up ${spec.name} failed`);
  };
  try {
    const redisPrefix = `sb-bench-${randomName()}:`;
    if (variant.needs.includes('redis')) cleanups.push(() => clearRedisPrefix(redisPrefix));
    let databaseUrl: string | undefined;
    if (variant.needs.includes('postgres')) {
      const database = await scratchDatabase(options.postgresTemplate);
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
    }
    const count = shape === 'cross' ? 2 : 1;
    for (let index = 0; index < count; index++) {
      const dir = await tempDir();
      cleanups.push(() => dir.remove());
      if (variant.embedded && options.seedEmbedded) await options.seedEmbedded(dir.path);
      const env = variant.env({ ...secrets, redisPrefix, dataDir: dir.path, databaseUrl, contract: options.contract });
      const node = await startPeerProcess(`${spec.name}#${index + 1}`, spec.launcher, env, options.built);
      cleanups.push(() => node.stop());
      nodes.push(node);
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const first = nodes[0];
  const last = nodes[nodes.length - 1];
  if (!first || !last) throw new Error('no node started');
  const stats = async (gc: boolean): Promise<ProcessStats> => {
    const each = await Promise.all(nodes.map(async (node) => ({ ...(await node.stats(gc)), syscalls: await syscallsOf(node.pid) })));
    return each.reduce(
      (sum, one) => ({ cpuUs: sum.cpuUs + one.cpuUs, rss: sum.rss + one.rss, syscalls: (sum.syscalls ?? 0) + one.syscalls }),
      { cpuUs: 0, rss: 0, syscalls: 0 },
    );
  };
  const contract = (): ContractReport | undefined => {
    const reports = nodes.map((node) => node.contract);
    if (reports.every((report) => report === undefined)) return undefined;
    return {
      checked: reports.reduce((sum, report) => sum + (report?.checked ?? 0), 0),
      violations: reports.flatMap((report, index) => (report?.violations ?? []).map((v) => `${nodes[index]?.name}: ${v}`)),
    };
  };
  return { nodes, publishUrl: first.url, readUrl: last.url, stats, contract, close, [Symbol.asyncDispose]: close };
}
