/**
 * The part every server launcher shares: start, announce the port (stdout and IPC), answer the
 * runner's requests for this process's own CPU time and RSS, and stop when told, when the
 * runner goes away, or when the lifetime bound passes, whichever comes first.
 */
import { isPeerRequest, type ContractReport, type PeerReport, type ProcessStats } from '../messages.ts';

/** A started server, as a launcher returns it. */
export interface RunningPeer {
  port: number;
  close(): Promise<void>;
  /** What the peer's contract tap found, when it has one (Switchboard with BENCH_CONTRACT=1). */
  contract?(): ContractReport;
}

// A launcher that outlives its runner (a crash, a killed terminal) must not keep a port forever.
const DEFAULT_LIFETIME_MS = 30 * 60_000;
const CLOSE_TIMEOUT_MS = 5_000;

function report(message: PeerReport): void {
  process.send?.(message);
}

function ownStats(): ProcessStats {
  const cpu = process.cpuUsage();
  return { cpuUs: cpu.user + cpu.system, rss: process.memoryUsage.rss() };
}

function collectGarbage(): void {
  // Present only with --expose-gc; twice, because the first pass may leave finalizable objects behind.
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
}

/** Runs a launcher's `start` under the runner's protocol. */
export async function runPeer(name: string, start: () => Promise<RunningPeer>): Promise<void> {
  let peer: RunningPeer;
  try {
    peer = await start();
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    report({ type: 'failed', message });
    console.error(`${name}: failed to start: ${message}`);
    process.exit(1);
  }
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    const exit = () => process.exit(0);
    setTimeout(exit, CLOSE_TIMEOUT_MS).unref();
    const stopped = () => {
      const contract = peer.contract?.();
      // Exit once the report is on its way (or at once without a runner to hear it).
      if (process.connected) process.send?.({ type: 'stopped', ...(contract ? { contract } : {}) } satisfies PeerReport, exit);
      else exit();
    };
    peer.close().then(stopped, (err: unknown) => {
      console.error(`${name}: close failed`, err);
      process.exit(1);
    });
  };
  process.on('message', (message: unknown) => {
    if (!isPeerRequest(message)) return;
    if (message.type === 'stop') return stop();
    if (message.gc) collectGarbage();
    const contract = peer.contract?.();
    report({ type: 'stats', seq: message.seq, stats: contract ? { ...ownStats(), contract } : ownStats() });
  });
  process.on('disconnect', stop);
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  setTimeout(stop, Number(process.env.BENCH_LIFETIME_MS ?? DEFAULT_LIFETIME_MS)).unref();
  process.stdout.write(`${name} listening ${peer.port}\n`);
  report({ type: 'ready', port: peer.port });
}

/** Reads a required environment variable of a launcher. */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`${name} is not set`);
  return value;
}
