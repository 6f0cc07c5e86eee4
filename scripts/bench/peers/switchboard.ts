/**
 * Switchboard in its own process, configured from the environment exactly as `npm start` is
 * (PORT=0, DATA_DIR, DATABASE_URL, REDIS_URL, REDIS_PREFIX, ADMIN_TOKEN, limits), so the runner
 * can read this process's CPU time apart from the load generator's.
 *
 * BENCH_CONTRACT=1 (`--contract`, the test suite's run) holds it to its specs as the test
 * helpers hold theirs: every frame, close, refused upgrade and response goes through the
 * contract tap, and the runner reads what it found with the stats. Off in a measuring run: the
 * checks cost CPU.
 */
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import { join } from 'node:path';
import { parseConfig, startServer, type Inspector } from '@switchboard/server';
import type { ContractReport } from '../messages.ts';
import { runPeer, type RunningPeer } from './harness.ts';

// Enough to say what broke; the count says how often.
const MAX_REPORTED = 20;

async function contractTap(): Promise<{ inspect: Inspector; report(): ContractReport }> {
  // Loaded only when asked for: the checker compiles the specs (ajv, yaml) at import.
  const { createInspector } = await import('../../../test/helpers/contract.ts');
  const violations: string[] = [];
  let found = 0;
  const inspect = createInspector((violation) => {
    found++;
    if (violations.length < MAX_REPORTED) violations.push(violation);
  });
  const report = () => ({
    checked: inspect.checked,
    violations: found > violations.length ? [...violations, `… and ${found - violations.length} more`] : [...violations],
  });
  return { inspect, report };
}

/**
 * BENCH_CPU_PROF=<dir> profiles this process from start to stop (what `node --cpu-prof` does,
 * which the runner's fixed execArgv cannot pass) and writes `<dir>/switchboard-<pid>.cpuprofile`
 * for DevTools or speedscope. Off by default: the profiler costs CPU.
 */
async function cpuProfile(dir: string | undefined): Promise<() => Promise<void>> {
  if (!dir) return async () => undefined;
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.start');
  return async () => {
    const { profile } = await session.post('Profiler.stop');
    await writeFile(join(dir, `switchboard-${process.pid}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  };
}

async function start(): Promise<RunningPeer> {
  const tap = process.env.BENCH_CONTRACT === '1' ? await contractTap() : undefined;
  const stopProfile = await cpuProfile(process.env.BENCH_CPU_PROF);
  const server = await startServer({ config: parseConfig(process.env), inspect: tap?.inspect });
  return {
    port: server.port,
    close: async () => {
      await server.close();
      await stopProfile();
    },
    contract: tap?.report,
  };
}

await runPeer('switchboard', start);
