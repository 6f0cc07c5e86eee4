/**
 * A deployment the fault suite can break: its own Redis and Postgres processes and several
 * Switchboard nodes, each a child process started as `npm start` would (the same entry point,
 * configured by environment), on fixed free ports so a node restarted after a kill keeps its URL.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { freePort, ownChild, startPostgresProcess, waitForLine, startRedisProcess, type ServerProcess } from '../../helpers/processes.ts';
import { createProcessContractTap, type ProcessContractTap } from '../../helpers/process-tap.ts';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const ENTRY = 'server/src/main.ts';

/** One server node of the cluster. */
export interface ClusterNode {
  readonly name: string;
  readonly port: number;
  /** `http://127.0.0.1:port`. */
  readonly url: string;
  /** `ws://127.0.0.1:port/ws`. */
  readonly wsUrl: string;
  /** Starts the node (again) and waits until it answers /readyz. */
  start(): Promise<void>;
  /** Sends a signal and waits for the process to exit. */
  stop(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

/** Redis, Postgres and the nodes sharing them. */
export interface Cluster extends AsyncDisposable {
  readonly redis: ServerProcess;
  readonly postgres: ServerProcess;
  readonly nodes: readonly ClusterNode[];
  readonly adminToken: string;
  /** The contract tap inside every node's process (a violation fails the test that caused it). */
  readonly contract: ProcessContractTap;
  /** Stops everything; rejects with the violations the nodes reported that no test has failed for yet. */
  close(): Promise<void>;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Starts Redis, Postgres and `count` nodes; every process is stopped by `close()`. */
export async function startCluster(options: {
  nodes: number;
  readyTimeoutMs: number;
  log?: (line: string) => void;
  /** More environment for every node (e.g. a short `PRESENCE_TTL_MS`). */
  env?: Record<string, string>;
}): Promise<Cluster> {
  const redis = await startRedisProcess();
  const postgres = await startPostgresProcess().catch(async (error: unknown) => {
    await redis.close();
    throw error;
  });
  const adminToken = `soak-${randomBytes(16).toString('hex')}`;
  const contract = createProcessContractTap();
  const env = {
    ...process.env,
    ...contract.env,
    HOST: '127.0.0.1',
    DATABASE_URL: postgres.url,
    REDIS_URL: redis.url,
    REDIS_PREFIX: `soak-${randomBytes(4).toString('hex')}:`,
    ADMIN_TOKEN: adminToken,
    JWT_SECRET: randomBytes(32).toString('hex'),
    DEMO_DATA: 'off',
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  const nodes: (ClusterNode & { kill(): void })[] = [];
  for (let i = 0; i < options.nodes; i++) {
    const port = await freePort();
    const name = String.fromCharCode(97 + i);
    let child: ChildProcess | undefined;
    const node = {
      name,
      port,
      url: `http://127.0.0.1:${port}`,
      wsUrl: `ws://127.0.0.1:${port}/ws`,
      async start() {
        const started = ownChild(
          spawn(process.execPath, ['--conditions=switchboard-source', '--import', 'tsx', ...contract.execArgv, ENTRY], {
            cwd: ROOT,
            env: { ...env, PORT: String(port) },
            stdio: ['ignore', 'pipe', 'pipe'],
          }),
        );
        started.stderr?.on('data', (text: Buffer) => options.log?.(`[node ${name}] ${text.toString().trimEnd()}`));
        child = started;
        // main.ts prints this once the node listens, after its database and channel layer connected.
        await waitForLine(started, /is listening/, `node ${name}`, options.readyTimeoutMs);
      },
      async stop(signal: 'SIGTERM' | 'SIGKILL') {
        const running = child;
        child = undefined;
        if (!running) return;
        running.kill(signal);
        await exited(running);
      },
      kill: () => void child?.kill('SIGKILL'),
    };
    nodes.push(node);
  }
  const stopAll = async () => {
    await Promise.all(nodes.map((node) => node.stop('SIGKILL')));
    await Promise.all([redis.close(), postgres.close()]);
    return contract.release();
  };
  const close = async () => {
    const late = await stopAll();
    if (late.length > 0) throw new Error(`the cluster's nodes broke their specs:\n  ${late.join('\n  ')}`);
  };
  try {
    // The first node migrates the empty database; the others find it migrated.
    await nodes[0]!.start();
    await Promise.all(nodes.slice(1).map((node) => node.start()));
  } catch (error) {
    await stopAll();
    throw error;
  }
  return { redis, postgres, nodes, adminToken, contract, close, [Symbol.asyncDispose]: close };
}
