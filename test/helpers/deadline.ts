/**
 * One knob for every deadline of the tests: `TEST_TIMEOUT_SCALE` multiplies the test and hook
 * timeouts (vitest.config.ts) and every wait in the helpers and tests (`deadline(ms)`). Deadlines
 * only turn a hang into a clear failure, so a slow machine may stretch them without hiding a bug.
 *
 * Unset, the scale follows the machine: the one-minute load average per core when the run
 * starts, between 1 and `MAX_AUTO_SCALE` (a laptop building something else gets longer deadlines,
 * an idle one the written ones). vitest.config.ts resolves it once, logs it, and hands the value
 * to the workers in `RESOLVED_VARIABLE`, so every file of a run uses the same scale.
 */
import { cpus, loadavg } from 'node:os';

/** The variable a developer or CI sets: a positive number, e.g. `TEST_TIMEOUT_SCALE=3`. */
export const SCALE_VARIABLE = 'TEST_TIMEOUT_SCALE';

/** The scale the config resolved for this run, read by the workers. */
const RESOLVED_VARIABLE = 'SWITCHBOARD_TEST_TIMEOUT_SCALE_RESOLVED';

/** The largest scale chosen from the load average alone. */
export const MAX_AUTO_SCALE = 6;

/** How the scale of this run was chosen, for the one log line. */
export interface TimeScale {
  readonly scale: number;
  readonly reason: string;
}

/**
 * Resolves the scale from the environment and the machine's load, and records it for the
 * workers. Called once, by vitest.config.ts, before any worker starts.
 */
export function resolveTimeScale(env: NodeJS.ProcessEnv = process.env, load = loadavg()[0] ?? 0, cores = cpus().length): TimeScale {
  const written = env[SCALE_VARIABLE];
  let result: TimeScale;
  if (written !== undefined && written !== '') {
    const scale = Number(written);
    if (!Number.isFinite(scale) || scale <= 0)
      throw new Error(`${SCALE_VARIABLE} must be a positive number, got ${JSON.stringify(written)}`);
    result = { scale, reason: `${SCALE_VARIABLE}=${written}` };
  } else {
    const perCore = load / Math.max(1, cores);
    const scale = Math.min(MAX_AUTO_SCALE, Math.max(1, Math.round(perCore * 10) / 10));
    result = { scale, reason: `load average ${load.toFixed(1)} on ${cores} cores; set ${SCALE_VARIABLE} to choose` };
  }
  env[RESOLVED_VARIABLE] = String(result.scale);
  return result;
}

/**
 * The run's scale, resolved and logged by the first caller; later calls (vitest evaluates its
 * config once per project, in the same process) return it silently.
 */
export function announceTimeScale(log: (line: string) => void = console.log): number {
  const resolved = Number(process.env[RESOLVED_VARIABLE] ?? '');
  if (resolved > 0) return resolved;
  const { scale, reason } = resolveTimeScale();
  log(`test deadlines × ${scale} (${reason})`);
  return scale;
}

let cached: number | undefined;

/** This run's scale: the one the config resolved, else resolved here (a file run outside the config). */
export function timeScale(): number {
  return (cached ??= Number(process.env[RESOLVED_VARIABLE] ?? '') || resolveTimeScale().scale);
}

/** `ms` stretched by this run's scale: use it for every wait and timeout in tests. */
export function deadline(ms: number): number {
  return Math.round(ms * timeScale());
}
