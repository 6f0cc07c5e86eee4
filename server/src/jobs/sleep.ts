/** The `sleep` kind, the demo: waits `ms`, reporting progress `steps` times; `fail` fails it at the end. */
import type { SleepJobParams, SleepJobResult } from '@switchboard/protocol';
import { schemaValidators } from '@switchboard/protocol/validators';
import { SwitchboardError } from '../lib/errors.ts';
import type { JobKind } from './kinds.ts';

/** Counts the timers the sleep kind holds, so tests can prove none is left after any outcome. */
export interface SleepKind extends JobKind<SleepJobParams, SleepJobResult> {
  readonly pendingTimers: number;
}

/** Creates the sleep kind. */
export function createSleepKind(): SleepKind {
  let pendingTimers = 0;
  const wait = (ms: number, signal: AbortSignal) =>
    new Promise<void>((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const onAbort = () => {
        clearTimeout(timer);
        pendingTimers--;
        reject(signal.reason);
      };
      const timer = setTimeout(() => {
        pendingTimers--;
        signal.removeEventListener('abort', onAbort);
        resolve();
      }, ms);
      pendingTimers++;
      signal.addEventListener('abort', onAbort, { once: true });
    });
  return {
    name: 'sleep',
    validate: schemaValidators.SleepJobParams,
    get pendingTimers() {
      return pendingTimers;
    },
    async run({ ms = 1000, steps = 4, fail = false }, { signal, progress }) {
      for (let step = 1; step <= steps; step++) {
        await wait(Math.round((ms * step) / steps) - Math.round((ms * (step - 1)) / steps), signal);
        progress(step / steps, { step, steps });
      }
      if (fail) throw new SwitchboardError('job_failed', 'The sleep job was asked to fail.');
      return { sleptMs: ms };
    },
  };
}
