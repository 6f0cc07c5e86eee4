/** The runner's handle on the load generator process: typed commands over IPC, each with a deadline. */
import { fork } from 'node:child_process';
import { isGeneratorReply, type GeneratorRequest } from '../messages.ts';
import type { GeneratorApi, GeneratorCommand } from '../load/api.ts';
import { OutputTail } from './child-output.ts';
import { baseEnv, benchFile, repoRoot } from './paths.ts';

// Generous: test sizes start every deployment (and its generator) of a round at once, maybe on a busy machine.
const START_TIMEOUT_MS = 180_000;

/** A running load generator. */
export interface GeneratorClient extends AsyncDisposable {
  /** Runs one command; rejects when it fails or takes longer than `timeoutMs`. */
  call<C extends GeneratorCommand>(command: C, args: GeneratorApi[C]['args'], timeoutMs: number): Promise<GeneratorApi[C]['result']>;
  close(): Promise<void>;
}

/** Starts a fresh generator (one per peer run, so no run inherits another's heap or sockets). */
export async function startGenerator(): Promise<GeneratorClient> {
  const output = new OutputTail();
  const child = fork(benchFile('load/generator.ts'), [], {
    cwd: repoRoot,
    execArgv: ['--conditions=switchboard-source', '--import', 'tsx'],
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
  });
  output.follow(child.stdout);
  output.follow(child.stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  child.on('message', (message: unknown) => {
    if (!isGeneratorReply(message)) return;
    const waiter = pending.get(message.id);
    pending.delete(message.id);
    if (message.ok) waiter?.resolve(message.result);
    else waiter?.reject(new Error(message.error));
  });
  void exited.then(() => {
    for (const waiter of pending.values()) waiter.reject(new Error(`the load generator exited\n${output.toString()}`));
    pending.clear();
  });

  let nextId = 0;
  const request = (command: string, args: unknown, timeoutMs: number, id = ++nextId) =>
    new Promise<unknown>((resolve, reject) => {
      const timer = setTimeout(() => {
        pending.delete(id);
        reject(new Error(`the load generator did not finish ${command} in ${timeoutMs} ms`));
      }, timeoutMs);
      pending.set(id, {
        resolve: (value) => (clearTimeout(timer), resolve(value)),
        reject: (err) => (clearTimeout(timer), reject(err)),
      });
      if (id !== 0) child.send({ id, command, args } satisfies GeneratorRequest);
    });
  // The generator announces itself with reply id 0.
  await request('start', undefined, START_TIMEOUT_MS, 0);

  const close = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.disconnect();
    const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  };
  return {
    // The reply comes from this codebase's own generator, which answers each command with its GeneratorApi result type.
    call: <C extends GeneratorCommand>(command: C, args: GeneratorApi[C]['args'], timeoutMs: number) =>
      request(command, args, timeoutMs) as Promise<GeneratorApi[C]['result']>,
    close,
    [Symbol.asyncDispose]: close,
  };
}
