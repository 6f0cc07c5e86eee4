/**
 * One peer, one deployment shape, one round: deploy, start a fresh load generator, prepare the
 * rooms, run the selected scenarios, and give everything back. A scenario that fails is
 * recorded as failed and the run goes on; the processes are stopped whatever happens.
 */
import { loadavg } from 'node:os';
import type { ScenarioName, Sizes } from '../options.ts';
import type { Outcome, PeerRun, Reference } from '../results.ts';
import { isExtraShape, layoutOf } from '../options.ts';
import { deploy, fanoutScenarioOf, variantOf, type DeployOptions, type Deployment, type Secrets, type Shape } from './deployment.ts';
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
  deployOptions: DeployOptions;
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
export function hasWork(spec: PeerSpec, shape: Shape, scenarios: readonly ScenarioName[], sizes: Sizes): boolean {
  if (!variantOf(spec, shape)) return false;
  if (isExtraShape(shape) && sizes.shapePeers && !sizes.shapePeers.includes(spec.name)) return false;
  if (shape !== 'single') return scenarios.includes(fanoutScenarioOf[shape]);
  return scenarios.includes('fanout') || (!spec.reference && (scenarios.includes('idle') || scenarios.includes('storm')));
}

/** Deploys a peer's node(s) for `runPeerOnce` (which closes them), e.g. ahead of its turn. */
export function deployPeer(spec: PeerSpec, shape: Shape, context: PeerRunContext): Promise<Deployment> {
  return deploy(spec, shape, context.secrets, context.deployOptions);
}

/** Starts the deployment and a fresh generator side by side; if either fails, the other is closed. */
async function startBoth(
  deploying: Promise<Deployment>,
  shared: boolean,
  sharedGenerator: Promise<GeneratorClient> | undefined,
): Promise<{ deployment: Deployment; generator: GeneratorClient }> {
  const [deployment, generator] = await Promise.allSettled([deploying, sharedGenerator ?? startGenerator()]);
  if (deployment.status === 'fulfilled' && generator.status === 'fulfilled')
    return { deployment: deployment.value, generator: generator.value };
  if (deployment.status === 'fulfilled' && !shared) await deployment.value.close().catch(() => undefined);
  if (generator.status === 'fulfilled' && !sharedGenerator) await generator.value.close().catch(() => undefined);
  throw deployment.status === 'rejected' ? deployment.reason : (generator as PromiseRejectedResult).reason;
}

/**
 * Runs one peer; never throws. `ahead` is its deployment when it was started before its turn;
 * it is closed here unless `shared` (the caller closes a deployment that other runs use too).
 */
export async function runPeerOnce(
  spec: PeerSpec,
  shape: Shape,
  round: number,
  context: PeerRunContext,
  ahead?: Promise<Deployment>,
  shared = false,
  sharedGenerator?: Promise<GeneratorClient>,
): Promise<PeerRun> {
  const variant = variantOf(spec, shape);
  if (!variant) throw new Error(`${spec.name} has no ${shape} deployment`);
  const wantsIdle = shape === 'single' && !spec.reference && (context.scenarios.includes('idle') || context.scenarios.includes('storm'));
  const wantsFanout = context.scenarios.includes(fanoutScenarioOf[shape]);
  const layout = layoutOf(context.sizes, shape);
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
  const dropAhead = () =>
    (shared ? undefined : ahead)
      ?.then(
        (unused) => unused.close(),
        () => undefined,
      )
      .catch(() => undefined);
  const missing = variant.needs.map((service) => context.missing.get(service)).find((reason) => reason !== undefined);
  if (missing) {
    await dropAhead();
    setAll({ status: 'unavailable', reason: missing });
    return run;
  }
  if (!context.withinBudget()) {
    await dropAhead();
    setAll({ status: 'skipped', reason: 'the run was interrupted or its time budget spent' });
    return run;
  }
  context.log(`round ${round}: ${variant.label}${shape === 'cross' ? ', two nodes' : ''}`);
  let deployment: Deployment | undefined;
  let generator: GeneratorClient | undefined;
  try {
    ({ deployment, generator } = await startBoth(ahead ?? deployPeer(spec, shape, context), shared, sharedGenerator));
    const startup = await deployment.stats(false);
    run.started = true;
    context.log(`  started: ${Math.round(startup.cpuUs / 1000)} ms of server CPU, ${Math.round(startup.rss / 2 ** 20)} MiB RSS`);
    const gen = generator;
    const target = {
      protocol: spec.protocol,
      publishUrl: deployment.publishUrl,
      readUrl: deployment.readUrl,
      ...context.secrets,
      history: spec.history,
    };
    const readers = Math.max(wantsFanout ? layout.rooms * layout.readersPerRoom : 0, wantsIdle ? context.sizes.idleSockets : 0);
    const prepared = await gen.call('prepare', { target, rooms: layout.rooms, readers }, PREPARE_TIMEOUT_MS);
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
        const { readersPerRoom } = layout;
        const { connectWindow } = context.sizes;
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
          readersPerRoom,
          steps: !isExtraShape(shape),
          bodies:
            shape === 'single' && (!context.sizes.bodyPeers || context.sizes.bodyPeers.includes(spec.name))
              ? context.sizes.bodies.slice(1)
              : [],
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
    // A shared generator is only emptied: the next run of its node prepares it again.
    if (sharedGenerator) await generator?.call('closeAll', { timeoutMs: 10_000 }, 40_000).catch(() => undefined);
    else await generator?.close().catch(() => undefined);
    if (!shared) await deployment?.close().catch((err: unknown) => context.log(`  cleanup: ${message(err)}`));
  }
  // A shared deployment's tap is complete only once the caller closed it: the caller sets it then.
  const contract = shared ? undefined : deployment?.contract();
  if (contract) run.contract = contract;
  return run;
}
