/**
 * The load generator: its own process, driven by the runner over IPC, one command at a time.
 * It holds every client socket of one peer run; the runner reads the server's CPU and memory
 * around each command, so this process's work never counts as the server's.
 */
import { isGeneratorRequest, isRecord, type GeneratorReply } from '../messages.ts';
import type { GeneratorApi, GeneratorCommand } from './api.ts';
import { createDriver, type BenchSocket, type Driver, type Target } from './drivers/index.ts';
import { Fanout } from './fanout.ts';
import { openAll } from './open-all.ts';

type Handlers = { [C in GeneratorCommand]: (args: GeneratorApi[C]['args']) => Promise<GeneratorApi[C]['result']> };

let driver: Driver | undefined;
let rooms = 0;
let fanout: Fanout | undefined;
const idle: BenchSocket[] = [];

const need = (): Driver => {
  if (!driver) throw new Error('prepare first');
  return driver;
};
const needFanout = (): Fanout => {
  if (!fanout) throw new Error('connectFanout first');
  return fanout;
};

const handlers: Handlers = {
  prepare: async ({ target, rooms: count, readers }) => {
    driver = createDriver(target);
    rooms = count;
    return driver.prepare(count, readers);
  },
  connectFanout: async ({ readersPerRoom, window, timeoutMs }) => {
    fanout = new Fanout(need(), rooms);
    return fanout.connect(readersPerRoom, window, timeoutMs);
  },
  saturate: ({ durationMs, window, graceMs, bodyBytes }) => needFanout().saturate(durationMs, window, graceMs, bodyBytes),
  step: ({ rate, durationMs, graceMs, bodyBytes }) => needFanout().step(rate, durationMs, graceMs, bodyBytes),
  openIdle: async ({ count, window, timeoutMs }) => {
    const current = need();
    const result = await openAll(count, window, (index) => current.reader(index % rooms, () => undefined), timeoutMs);
    idle.push(...result.sockets);
    return {
      opened: result.opened,
      failed: result.failed,
      abandoned: result.abandoned,
      seconds: result.seconds,
      firstError: result.firstError,
    };
  },
  closeAll: async ({ timeoutMs }) => {
    let closed = idle.length;
    for (const socket of idle) socket.close();
    const waiting = idle.splice(0).map((socket) => socket.closed);
    if (fanout) closed += await fanout.close(timeoutMs);
    fanout = undefined;
    await Promise.race([Promise.all(waiting), new Promise((resolve) => setTimeout(resolve, timeoutMs))]);
    return { closed };
  },
};

function isTarget(value: unknown): value is Target {
  return (
    isRecord(value) &&
    (value.protocol === 'raw-ws' ||
      value.protocol === 'socket-io' ||
      value.protocol === 'switchboard' ||
      value.protocol === 'switchboard-chat') &&
    typeof value.publishUrl === 'string' &&
    typeof value.readUrl === 'string' &&
    typeof value.secret === 'string' &&
    typeof value.adminToken === 'string' &&
    typeof value.history === 'boolean'
  );
}

// Checks the arguments' shape: every field named by the command must be a finite number, except the target.
function checkArgs(command: GeneratorCommand, args: unknown): void {
  if (!isRecord(args)) throw new Error(`${command}: arguments must be an object`);
  for (const [key, value] of Object.entries(args)) {
    if (key === 'target') {
      if (!isTarget(value)) throw new Error(`${command}: bad target`);
    } else if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
      throw new Error(`${command}: ${key} must be a non-negative number`);
    }
  }
}

function isCommand(name: string): name is GeneratorCommand {
  return Object.hasOwn(handlers, name);
}

async function handle(command: string, args: unknown): Promise<unknown> {
  if (!isCommand(command)) throw new Error(`unknown command ${command}`);
  checkArgs(command, args);
  // checkArgs has verified the shape every handler's argument type describes.
  const run = handlers[command] as (args: unknown) => Promise<unknown>;
  return run(args);
}

process.on('message', (message: unknown) => {
  if (!isGeneratorRequest(message)) return;
  handle(message.command, message.args).then(
    (result) => process.send?.({ id: message.id, ok: true, result } satisfies GeneratorReply),
    (err: unknown) =>
      process.send?.({
        id: message.id,
        ok: false,
        error: err instanceof Error ? (err.stack ?? err.message) : String(err),
      } satisfies GeneratorReply),
  );
});
// Without its runner the generator has nothing to do: leave at once, dropping every socket.
process.on('disconnect', () => process.exit(0));
process.send?.({ id: 0, ok: true, result: 'ready' } satisfies GeneratorReply);
