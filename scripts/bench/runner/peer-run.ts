/**
 * One peer, one deployment shape, one round: deploy, start a fresh load generator, prepare the
 * rooms, run the selected scenarios, and give everything back. A scenario that fails is
 * recorded as failed and the run goes on; the processes are stopped whatever happens.
 */
import { loadavg } from 'node:os';
import type { ScenarioName, Sizes } from '../options.ts';
import type { Outcome, PeerRun, Reference } from '../results.ts';
import { deploy, variantOf, type Deployment, type Secrets, type Shape } from './deployment.ts';
import { runFanout } from './fanout-scenario.ts';
import { startGenerator, type GeneratorClient } from './generator-client.ts';
import { runIdle } from './idle-scenario.ts';
import type { PeerSpec, Service } from './peer-catalog.ts';

const PREPARE_TIMEOUT_MS = 60_000;
const CONNECT_TIMEOUT_MS = 60_000;

/** What a peer run needs from the whole benchmark. */
export interface PeerRunContext {
  sizes: Sizes;
  scenarios: readonly ScenarioName[];
  secrets: Secrets;
  reference: Reference;
  /** Services that are down, with the reason. */
  missing: ReadonlyMap<Service, string>;
  withinBudget: () => boolean;
  log: (line: string) => void;
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

async function attempt<T>(work: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { status: 'ok', value: await work() };
  } catch (err) {
    return { status: 'failed', error: message(err) };
  }
}

/** Whether a peer has anything to run in this shape for the selected scenarios. */
export function hasWork(spec: PeerSpec, shape: Shape, scenarios: readonly ScenarioName[]): boolean {
  if (!variantOf(spec, shape)) return false;
  if (shape === 'cross') return scenarios.includes('cross-node');
  return scenarios.includes('fanout') || (!spec.reference && (scenarios.includes('idle') || scenarios.includes('storm')));
}

/** Runs one peer; never throws. */
export async function runPeerOnce(spec: PeerSpec, shape: Shape, round: number, context: PeerRunContext): Promise<PeerRun> {
  const variant = variantOf(spec, shape);
  if (!variant) throw new Error(`${spec.name} has no ${shape} deployment`);
  const wantsIdle = shape === 'single' && !spec.reference && (context.scenarios.includes('idle') || context.scenarios.includes('storm'));
  const wantsFanout = context.scenarios.includes(shape === 'single' ? 'fanout' : 'cross-node');
  const run: PeerRun = {
    peer: spec.name,
    label: variant.label,
    shape,
    round,
    started: false,
    loadAverage: loadavg()[0] ?? Number.NaN,
    idle: undefined,
    fanout: undefined,
  };
  const setAll = (outcome: Outcome<never>) => {
    if (wantsIdle) run.idle = outcome;
    if (wantsFanout) run.fanout = outcome;
  };
  const missing = variant.needs.map((service) => context.missing.get(service)).find((reason) => reason !== undefined);
  if (missing) {
    setAll({ status: 'unavailable', reason: missing });
    return run;
  }
  if (!context.withinBudget()) {
    setAll({ status: 'skipped', reason: 'the run was interrupted or its time budget spent' });
    return run;
  }
  context.log(`round ${round}: ${variant.label}${shape === 'cross' ? ', two nodes' : ''}`);
  let deployment: Deployment | undefined;
  let generator: GeneratorClient | undefined;
  try {
    deployment = await deploy(spec, shape, context.secrets);
    await deployment.stats(false);
    run.started = true;
    generator = await startGenerator();
    const gen = generator;
    const target = {
      protocol: spec.protocol,
      publishUrl: deployment.publishUrl,
      readUrl: deployment.readUrl,
      ...context.secrets,
      history: spec.history,
    };
    const prepared = await gen.call('prepare', { target, rooms: context.sizes.rooms }, PREPARE_TIMEOUT_MS);
    if (!prepared.available) {
      context.log(`  not available yet: ${prepared.reason}`);
      setAll({ status: 'unavailable', reason: prepared.reason });
      return run;
    }
    const up = deployment;
    if (wantsIdle) {
      run.idle = await attempt(() => runIdle(gen, up, context.sizes));
      if (run.idle.status === 'ok') {
        const { opened, connectsPerSec, rssPerSocket } = run.idle.value;
        context.log(
          `  storm: ${opened} sockets at ${Math.round(connectsPerSec)}/s; idle: ${(rssPerSocket / 1024).toFixed(1)} KiB RSS per socket`,
        );
      } else context.log(`  idle/storm failed: ${run.idle.status === 'failed' ? run.idle.error : run.idle.status}`);
    }
    if (wantsFanout) {
      run.fanout = await attempt(async () => {
        const { readersPerRoom, connectWindow } = context.sizes;
        const connected = await gen.call(
          'connectFanout',
          { readersPerRoom, window: connectWindow, timeoutMs: CONNECT_TIMEOUT_MS },
          CONNECT_TIMEOUT_MS + 30_000,
        );
        const missing = connected.failed + connected.abandoned;
        if (missing > 0)
          throw new Error(`${missing} fan-out sockets did not open in time: ${connected.firstError ?? 'none refused; too slow'}`);
        return runFanout({
          generator: gen,
          deployment: up,
          sizes: context.sizes,
          reference: context.reference,
          round,
          baseline: spec.name === 'ws',
          withinBudget: context.withinBudget,
          log: context.log,
        });
      });
      if (run.fanout.status === 'failed') context.log(`  fan-out failed: ${run.fanout.error}`);
    }
  } catch (err) {
    const error = message(err);
    context.log(`  failed: ${error}`);
    if (run.idle === undefined && wantsIdle) run.idle = { status: 'failed', error };
    if (run.fanout === undefined && wantsFanout) run.fanout = { status: 'failed', error };
  } finally {
    await generator?.close().catch(() => undefined);
    await deployment?.close().catch((err: unknown) => context.log(`  cleanup: ${message(err)}`));
  }
  return run;
}
