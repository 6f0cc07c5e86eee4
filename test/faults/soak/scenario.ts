/**
 * The fault scenario: two nodes on their own Redis and Postgres, a room with history and one
 * without, a writer and a reader on each node; then Redis restarted, Postgres restarted and hung,
 * a node killed (SIGKILL) and one stopped (SIGTERM), each followed by steady traffic. Counts, per
 * reader, what was acknowledged, delivered and stored: lost, duplicated, out of order, and gaps.
 */
import { createRestClient } from '@switchboard/sdk';
import { startCluster, type Cluster } from './cluster.ts';
import { startReader, startWriter, type ReaderRecord, type TrafficRoom } from './traffic.ts';

/** The faults the scenario injects. */
export const FAULTS = ['redis-restart', 'postgres-restart', 'postgres-hang', 'node-kill', 'node-term'] as const;

/** One fault. */
export type Fault = (typeof FAULTS)[number];

/** How long and how hard the scenario runs. */
export interface ScenarioOptions {
  /** Each fault is injected this many times, in rounds. */
  rounds: number;
  /** More rounds follow until the faults have run this long (the long soak's 10 minutes); default 0. */
  minMs?: number;
  /** Steady traffic between two faults. */
  settleMs: number;
  /** How long Postgres stays frozen. */
  hangMs: number;
  /** Messages per second per writer. */
  perSecond: number;
  /** A deadline for anything to come back (a node, the last deliveries). */
  recoverMs: number;
  log?: (line: string) => void;
}

/** What one room looked like from one reader. */
export interface RoomFigures {
  reader: string;
  room: string;
  history: boolean;
  acknowledged: number;
  stored: number;
  delivered: number;
  /** Messages a reader should have had and neither got nor was told about. */
  lost: number;
  duplicated: number;
  outOfOrder: number;
  /** Messages announced as missing (`chat.gap`), in seqs. */
  announced: number;
  /** Acknowledged messages of a room with history that are not in its history. */
  acknowledgedNotStored: number;
}

/** The scenario's result. */
export interface ScenarioReport {
  durationMs: number;
  faults: Record<Fault, number>;
  rooms: RoomFigures[];
  failedSends: Record<string, number>;
  /** Clients closed for good, with the close. */
  shutOut: string[];
  /** What the contract tap inside the nodes found: processes that checked traffic, and every violation. */
  contract: { processes: number; violations: string[] };
}

const ROOMS: TrafficRoom[] = [
  { name: 'kept', history: true },
  { name: 'live', history: false },
];

const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

async function inject(cluster: Cluster, fault: Fault, round: number, options: ScenarioOptions): Promise<void> {
  // The node faults take turns, so both nodes are killed and stopped over the rounds.
  const node = cluster.nodes[(round + FAULTS.indexOf(fault)) % cluster.nodes.length]!;
  switch (fault) {
    case 'redis-restart':
      return cluster.redis.restart({ hard: true });
    case 'postgres-restart':
      return cluster.postgres.restart();
    case 'postgres-hang':
      cluster.postgres.hang();
      // The fault's duration: Postgres stays frozen this long whatever the nodes do.
      await pause(options.hangMs);
      cluster.postgres.resume();
      return;
    case 'node-kill':
      await node.stop('SIGKILL');
      return node.start();
    case 'node-term':
      await node.stop('SIGTERM');
      return node.start();
    default:
      fault satisfies never;
  }
}

async function storedSeqs(baseUrl: string, apiKey: string, room: string): Promise<number[]> {
  const rest = createRestClient({ baseUrl, apiKey });
  const seqs: number[] = [];
  for (let after = 0; ;) {
    const page = await rest.messages.list(room, { after, limit: 500 });
    seqs.push(...page.items.map((m) => m.seq));
    if (page.next === undefined) return seqs;
    after = page.next;
  }
}

function figures(reader: ReaderRecord, room: TrafficRoom, acked: number[], stored: number[]): RoomFigures {
  const delivered = reader.delivered.get(room.name) ?? [];
  const gaps = reader.gaps.get(room.name) ?? [];
  const got = new Set(delivered);
  const announcedSeq = (seq: number) => gaps.some((gap) => seq >= gap.from && seq <= gap.to);
  const expected = room.history ? stored : [...new Set(acked)];
  const storedSet = new Set(stored);
  return {
    reader: reader.name,
    room: room.name,
    history: room.history,
    acknowledged: acked.length,
    stored: stored.length,
    delivered: delivered.length,
    lost: expected.filter((seq) => !got.has(seq) && !announcedSeq(seq)).length,
    duplicated: delivered.length - got.size,
    outOfOrder: delivered.filter((seq, i) => i > 0 && seq <= delivered[i - 1]!).length,
    announced: gaps.reduce((sum, gap) => sum + gap.to - gap.from + 1, 0),
    acknowledgedNotStored: room.history ? acked.filter((seq) => !storedSet.has(seq)).length : 0,
  };
}

/** Runs the scenario and returns its figures; every process it started is stopped. */
export async function runScenario(options: ScenarioOptions): Promise<ScenarioReport> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  await using cluster = await startCluster({ nodes: 2, readyTimeoutMs: options.recoverMs, log });
  const [a] = cluster.nodes;
  const operator = createRestClient({ baseUrl: a!.url, adminToken: cluster.adminToken });
  const app = await operator.apps.create({ name: 'soak' });
  const rest = createRestClient({ baseUrl: a!.url, apiKey: app.apiKey });
  for (const room of ROOMS) await rest.rooms.create({ name: room.name, history: room.history });
  const token = async (username: string) => {
    const user = await rest.users.create({ username });
    return (await rest.users.createToken(user.id)).accessToken;
  };

  const readers = await Promise.all(
    cluster.nodes.map(async (node) => startReader(`reader-${node.name}`, node.wsUrl, await token(`reader-${node.name}`), ROOMS)),
  );
  const writers = await Promise.all(
    cluster.nodes.map(async (node) =>
      startWriter(`writer-${node.name}`, node.wsUrl, await token(`writer-${node.name}`), ROOMS, options.perSecond),
    ),
  );
  const faults = Object.fromEntries(FAULTS.map((f) => [f, 0])) as Record<Fault, number>;
  try {
    const started = performance.now();
    await pause(options.settleMs);
    for (let round = 0; round < options.rounds || performance.now() - started < (options.minMs ?? 0); round++) {
      for (const fault of FAULTS) {
        log(`round ${round + 1}: ${fault}`);
        await inject(cluster, fault, round, options);
        faults[fault]++;
        // No wait for readiness: the settle phase's traffic meets the recovery as users would,
        // and a send refused meanwhile is counted in failedSends.
        await pause(options.settleMs);
      }
    }
  } finally {
    await Promise.all(writers.map((w) => w.stop()));
  }

  const rooms: RoomFigures[] = [];
  for (const room of ROOMS) {
    const acked = writers.flatMap((w) => w.record.acked.get(room.name) ?? []);
    const stored = room.history ? await storedSeqs(a!.url, app.apiKey, room.name) : [];
    const last = Math.max(0, ...acked, ...stored);
    // The last deliveries may still be on their way, or behind a recovering reader.
    await Promise.race([Promise.all(readers.map((r) => r.record.reached(room.name, last))), pause(options.recoverMs)]);
    for (const reader of readers) rooms.push(figures(reader.record, room, acked, stored));
  }
  const shutOut = [...readers, ...writers].filter((p) => p.record.shutOut).map((p) => `${p.record.name}: ${p.record.shutOut}`);
  await Promise.all([...readers, ...writers].map((p) => p.client.close()));
  const failedSends: Record<string, number> = {};
  for (const writer of writers) for (const [code, n] of writer.record.failed) failedSends[code] = (failedSends[code] ?? 0) + n;
  // Taken here, so the report carries them (the cluster's close would otherwise throw them).
  const contract = { processes: cluster.contract.activeProcesses(), violations: cluster.contract.takeUnreported() };
  return { durationMs: Date.now() - started, faults, rooms, failedSends, shutOut, contract };
}
