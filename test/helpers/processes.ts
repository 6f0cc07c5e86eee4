/**
 * Private Redis and Postgres server processes for fault tests: each on a free port of
 * 127.0.0.1, owned by the test that started it, so it can be restarted, killed or frozen
 * (SIGSTOP) without touching the shared services every other suite uses.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chownSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deadline } from './deadline.ts';

// Waits below are scaled like every other test deadline (deadline.ts), so a loaded machine still passes.

// Every child still running when this process exits is killed with it, even after a crash or
// an interrupted run, so no Redis or Postgres is left behind on its port.
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

/** Tracks a child process until it exits; returns it. */
export function ownChild(child: ChildProcess): ChildProcess {
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** A server process a test controls. */
export interface ServerProcess extends AsyncDisposable {
  readonly port: number;
  /** `redis://127.0.0.1:port` or `postgres://postgres@127.0.0.1:port/postgres`. */
  readonly url: string;
  /** Stops the process (SIGTERM, or SIGKILL with `hard`) and waits for it to exit. */
  stop(options?: { hard?: boolean }): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops and starts it again. */
  restart(options?: { hard?: boolean }): Promise<void>;
  /** Freezes the process (SIGSTOP): connections stay open and nothing answers. */
  hang(): void;
  /** Thaws a frozen process (SIGCONT). */
  resume(): void;
  /** Stops it for good and removes its files. */
  close(): Promise<void>;
}

/** A free TCP port on 127.0.0.1 (the port is released before it is returned). */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Resolves when the child writes a line matching `ready` (on stdout or stderr): every server
 * this suite starts says when it accepts connections. Rejects if it exits first or stays silent
 * past the deadline.
 */
export function waitForLine(child: ChildProcess, ready: RegExp, what: string, timeoutMs: number = deadline(20_000)): Promise<void> {
  return new Promise((resolve, reject) => {
    let tail = '';
    const onData = (chunk: Buffer | string) => {
      tail = (tail + chunk.toString()).slice(-4_096);
      if (ready.test(tail)) settle();
    };
    const onExit = (code: number | null) => settle(new Error(`${what} exited with ${code} before it was ready`));
    const timer = setTimeout(() => settle(new Error(`${what} was not ready within ${timeoutMs} ms`)), timeoutMs);
    function settle(error?: Error) {
      clearTimeout(timer);
      child.stdout?.off('data', onData);
      child.stderr?.off('data', onData);
      child.off('exit', onExit);
      // Keep draining: a child whose pipe fills up blocks.
      child.stdout?.resume();
      child.stderr?.resume();
      if (error) reject(error);
      else resolve();
    }
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', onExit);
  });
}

/** Signals a process and its children (Postgres serves each connection from a child process). */
function signalTree(child: ChildProcess | undefined, signal: NodeJS.Signals): void {
  if (child?.pid === undefined) return;
  const children = spawnSync('pgrep', ['-P', String(child.pid)], { encoding: 'utf8' })
    .stdout.split('\n')
    .filter(Boolean);
  // Children first on a stop (no backend answers while the parent still runs), parent first on a resume.
  if (signal === 'SIGCONT') child.kill(signal);
  for (const pid of children) {
    try {
      process.kill(Number(pid), signal);
    } catch (error) {
      // A backend that exited since pgrep listed it (its client disconnected) needs no signal.
      if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
    }
  }
  if (signal !== 'SIGCONT') child.kill(signal);
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** How to run and recognise one server process. */
export interface ProcessRecipe {
  what: string;
  command: string;
  args: string[];
  /** Runs the process as this user (Postgres refuses to run as root). */
  uid?: number;
  gid?: number;
  /** The signal of a graceful stop. */
  stopSignal: NodeJS.Signals;
  /** What the process prints once it accepts connections. */
  ready: RegExp;
}

export function controlled(port: number, url: string, recipe: ProcessRecipe, cleanup: () => void): ServerProcess {
  let child: ChildProcess | undefined;
  let closed = false;
  const start = async () => {
    if (closed) throw new Error(`${recipe.what} is closed`);
    const started = ownChild(spawn(recipe.command, recipe.args, { stdio: ['ignore', 'pipe', 'pipe'], uid: recipe.uid, gid: recipe.gid }));
    started.once('error', () => {});
    child = started;
    await waitForLine(started, recipe.ready, recipe.what);
  };
  const stop = async (options?: { hard?: boolean }) => {
    const running = child;
    if (!running) return;
    child = undefined;
    running.kill('SIGCONT');
    running.kill(options?.hard ? 'SIGKILL' : recipe.stopSignal);
    await exited(running);
  };
  const close = async () => {
    if (closed) return;
    await stop({ hard: true });
    closed = true;
    cleanup();
  };
  return {
    port,
    url,
    start,
    stop,
    async restart(options) {
      await stop(options);
      await start();
    },
    hang: () => signalTree(child, 'SIGSTOP'),
    resume: () => signalTree(child, 'SIGCONT'),
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** Starts a Redis server of the test's own that keeps nothing on disk. */
export async function startRedisProcess(): Promise<ServerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sb-redis-'));
  const server = controlled(
    port,
    `redis://127.0.0.1:${port}`,
    {
      what: 'redis-server',
      command: 'redis-server',
      args: ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
      stopSignal: 'SIGTERM',
      ready: /Ready to accept connections/,
    },
    () => rmSync(dir, { recursive: true, force: true }),
  );
  await server.start();
  return server;
}

/** The uid and gid of the `postgres` user when running as root (initdb and postgres refuse root). */
function postgresUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const id = (flag: string) => Number(spawnSync('id', [flag, 'postgres'], { encoding: 'utf8' }).stdout.trim());
  return { uid: id('-u'), gid: id('-g') };
}

/** Starts a PostgreSQL server of the test's own in a fresh data folder (trust auth, no fsync). */
export async function startPostgresProcess(): Promise<ServerProcess> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sb-pg-'));
  const user = postgresUser();
  if (user) chownSync(dir, user.uid, user.gid);
  const init = spawnSync('initdb', ['-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync', '-E', 'UTF8'], {
    encoding: 'utf8',
    uid: user?.uid,
    gid: user?.gid,
  });
  if (init.status !== 0) throw new Error(`initdb failed: ${init.stderr || init.error}`);
  const server = controlled(
    port,
    `postgres://postgres@127.0.0.1:${port}/postgres`,
    {
      what: 'postgres',
      command: 'postgres',
      args: ['-D', dir, '-p', String(port), '-k', dir, '-c', 'listen_addresses=127.0.0.1', '-c', 'fsync=off', '-c', 'full_page_writes=off'],
      ...user,
      // SIGINT is Postgres's "fast" shutdown: clients are disconnected, nothing is lost.
      stopSignal: 'SIGINT',
      ready: /database system is ready to accept connections/,
    },
    () => rmSync(dir, { recursive: true, force: true }),
  );
  await server.start();
  return server;
}
