/**
 * One server under test in its own process: started from its launcher, ready when it reports
 * its port, asked for its own CPU time and RSS, stopped (then killed if it lingers).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { isPeerReport, type ContractReport, type PeerRequest, type ProcessStats } from '../messages.ts';
import { OutputTail } from './child-output.ts';
import { baseEnv, repoRoot } from './paths.ts';

// Generous: test sizes start every deployment of a round at once, on a machine that may be busy with other work.
const START_TIMEOUT_MS = 180_000;
const STATS_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 8_000;

/** A running server process. */
export interface PeerProcess {
  readonly name: string;
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  readonly pid: number;
  /** This process's CPU time and RSS, read inside it (after a full GC when `gc`). */
  stats(gc: boolean): Promise<ProcessStats>;
  stop(): Promise<void>;
  /** What its contract tap found (BENCH_CONTRACT=1): the last report, the one sent after it closed once stopped. */
  readonly contract: ContractReport | undefined;
}

/** Starts a launcher from scripts/bench/peers and waits for its port. */
export async function startPeerProcess(name: string, launcher: string, env: Record<string, string>, built = false): Promise<PeerProcess> {
  const output = new OutputTail();
  const child: ChildProcess = fork(launcher, [], {
    cwd: repoRoot,
    // The source condition resolves @switchboard/* to their TypeScript (what you changed, unbuilt); without it, to dist/.
    execArgv: [...(built ? [] : ['--conditions=switchboard-source']), '--import', 'tsx', '--expose-gc'],
    env: { ...baseEnv(), ...env },
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  output.follow(child.stdout);
  output.follow(child.stderr);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let contract: ContractReport | undefined;
  child.on('message', (message: unknown) => {
    if (!isPeerReport(message)) return;
    if (message.type === 'stats' && message.stats.contract) contract = message.stats.contract;
    else if (message.type === 'stopped' && message.contract) contract = message.contract;
  });
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not start in ${START_TIMEOUT_MS} ms`)), START_TIMEOUT_MS);
    const fail = (err: Error) => {
      clearTimeout(timer);
      child.kill('SIGKILL');
      reject(new Error(`${err.message}\n${output.toString()}`));
    };
    child.on('message', (message: unknown) => {
      if (!isPeerReport(message)) return;
      if (message.type === 'ready') {
        clearTimeout(timer);
        resolve(message.port);
      } else if (message.type === 'failed') fail(new Error(`${name} failed to start: ${message.message}`));
    });
    void exited.then((code) => fail(new Error(`${name} exited with ${code} before it was ready`)));
  });

  let seq = 0;
  const stats = (gc: boolean) =>
    new Promise<ProcessStats>((resolve, reject) => {
      const id = ++seq;
      const timer = setTimeout(() => done(new Error(`${name} did not report its stats in time`)), STATS_TIMEOUT_MS);
      const onMessage = (message: unknown) => {
        if (isPeerReport(message) && message.type === 'stats' && message.seq === id) done(undefined, message.stats);
      };
      const onExit = () => done(new Error(`${name} exited\n${output.toString()}`));
      const done = (err?: Error, value?: ProcessStats) => {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (value) resolve(value);
        else reject(err ?? new Error('no stats'));
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
      child.send({ type: 'stats', seq: id, gc } satisfies PeerRequest);
    });

  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    if (child.connected) child.send({ type: 'stop' } satisfies PeerRequest);
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  };

  return {
    name,
    url: `http://127.0.0.1:${port}`,
    pid: child.pid ?? -1,
    stats,
    stop,
    get contract() {
      return contract;
    },
  };
}
