/**
 * The benchmark, as a function: rounds of every selected peer through every selected scenario,
 * the baseline (raw `ws`) first in each round so the others are measured at the loads it fixed.
 * `run.ts` is its command line; the smoke test calls it directly.
 */
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import type { BenchOptions, ScenarioName } from './options.ts';
import type { BenchResults, Outcome, PeerRun, Reference } from './results.ts';
import { deploy, deploymentKey, fanoutScenarioOf, shapes, variantOf, type Deployment, type Shape } from './runner/deployment.ts';
import { runJobsScenario, type JobsRun } from './runner/jobs-scenario.ts';
import { describeEnvironment } from './runner/environment.ts';
import { peers, type PeerSpec, type Service } from './runner/peer-catalog.ts';
import { deployPeer, hasWork, runPeerOnce, type PeerRunContext } from './runner/peer-run.ts';
import { startGenerator } from './runner/generator-client.ts';
import { extractTar, embeddedTemplate, postgresVersion, redisVersion, sweepStaleDatabases } from './runner/resources.ts';
import { measureSdkSize } from './runner/sdk-size.ts';

interface WorkItem {
  shape: Shape;
  spec: PeerSpec;
}

/**
 * Runs at most `max` starts at once, the rest queued in order: more processes starting than
 * cores only starve each other (on a loaded machine, past every start bound).
 */
function slots(max: number): <T>(work: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (work) => {
    if (active < max) active++;
    // A finished start hands its slot straight to the next in the queue, so `active` never overshoots.
    else await new Promise<void>((resolve) => queue.push(resolve));
    try {
      return await work();
    } finally {
      const next = queue.shift();
      if (next) next();
      else active--;
    }
  };
}

const wantsIdle = (scenarios: readonly ScenarioName[]) => scenarios.includes('idle') || scenarios.includes('storm');

/** Runs the benchmark; throws only on a broken harness, never because a peer failed. */
export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const { sizes, scenarios, log } = options;
  const [redis, postgres] = await Promise.all([redisVersion(), postgresVersion()]);
  const missing = new Map<Service, string>();
  if (!redis.ok) missing.set('redis', redis.reason);
  if (!postgres.ok) missing.set('postgres', postgres.reason);
  const fresh = (): Reference => ({ ladder: undefined, targetRate: [] });
  const reference: Record<Shape, Reference> = {
    single: fresh(),
    'one-room': fresh(),
    'many-rooms': fresh(),
    pairs: fresh(),
    cross: fresh(),
  };
  const secrets = { secret: randomBytes(16).toString('hex'), adminToken: randomBytes(24).toString('base64url') };
  const withinBudget = () => Date.now() - started < sizes.budgetMs && !options.signal?.aborted;
  await sweepStaleDatabases().catch((err: unknown) =>
    log(`could not sweep old scratch databases: ${err instanceof Error ? err.message : String(err)}`),
  );
  const runs: PeerRun[] = [];
  const startSlot = slots(availableParallelism());
  const selected = shapes.filter((shape) => scenarios.includes(fanoutScenarioOf[shape]) || (shape === 'single' && wantsIdle(scenarios)));
  // The single-node shapes first, then the cross-node one; the baseline first within each, so its runs fix every shape's reference loads.
  const work = selected.flatMap((shape) =>
    options.peers
      .map((name) => ({ shape, spec: peers[name] }))
      .filter(({ spec }) => hasWork(spec, shape, scenarios, sizes) && !options.skipRuns?.includes(`${spec.name}/${shape}`)),
  );
  work.sort((a, b) => Number(a.shape === 'cross') - Number(b.shape === 'cross'));
  // Runs that use the same node(s), in order of their first run: each deployment is started once and closed after its last run.
  const groups = new Map<string, WorkItem[]>();
  for (const item of work) {
    const key = deploymentKey(item.spec, item.shape, sizes.shareNodes);
    groups.set(key, [...(groups.get(key) ?? []), item]);
  }
  // Built while the first peers start (unless given); embedded nodes wait for it.
  const given = options.templates?.pgliteTar;
  const wantsJobs = scenarios.includes('jobs');
  const embedded = wantsJobs || work.some(({ spec, shape }) => variantOf(spec, shape)?.embedded);
  const template = given === undefined && embedded ? embeddedTemplate() : undefined;
  template?.catch(() => undefined);
  const seedEmbedded = given
    ? (dir: string) => extractTar(given, dir)
    : template
      ? async (dir: string) => (await template).seed(dir)
      : undefined;
  const deployOptions = {
    contract: options.contract,
    seedEmbedded,
    postgresTemplate: options.templates?.postgres,
    built: options.templates !== undefined,
  };
  let jobs: Outcome<JobsRun> | undefined;
  try {
    for (let round = 1; round <= sizes.rounds; round++) {
      const contextOf = (shape: Shape): PeerRunContext => ({
        sizes,
        scenarios,
        secrets,
        reference: reference[shape],
        missing,
        withinBudget,
        log,
        deployOptions,
      });
      const deployGroup = (items: readonly WorkItem[]): Promise<Deployment> | undefined => {
        const first = items[0];
        const needs = first ? (variantOf(first.spec, first.shape)?.needs ?? []) : [];
        if (!first || needs.some((service) => missing.has(service))) return undefined;
        const deploying = startSlot(() => deployPeer(first.spec, first.shape, contextOf(first.shape)));
        deploying.catch(() => undefined);
        return deploying;
      };
      // Test sizes start every deployment of the round at once (their processes then idle until their turn): the smallest loads need
      // only seconds, so starting processes is most of such a run. A measuring run starts each deployment at its turn, on a quiet machine.
      const ahead = [...groups.values()].map((items) => (sizes.startAhead ? deployGroup(items) : undefined));
      for (const [index, items] of [...groups.values()].entries()) {
        const deploying = ahead[index] ?? (items.length > 1 ? deployGroup(items) : undefined);
        const shared = items.length > 1 && deploying !== undefined;
        const groupRuns: PeerRun[] = [];
        // Where figures do not count, the runs of one node share one load generator too (each costs a second of CPU to start).
        const generator = shared && sizes.shareNodes ? startGenerator() : undefined;
        generator?.catch(() => undefined);
        for (const { spec, shape } of items)
          groupRuns.push(await runPeerOnce(spec, shape, round, contextOf(shape), deploying, shared, generator));
        await generator?.then((started) => started.close()).catch(() => undefined);
        if (shared) {
          const deployment = await deploying.catch(() => undefined);
          await deployment?.close().catch((err: unknown) => log(`  cleanup: ${err instanceof Error ? err.message : String(err)}`));
          const contract = deployment?.contract();
          if (contract) for (const run of groupRuns) if (run.started) run.contract = contract;
        }
        runs.push(...groupRuns);
      }
    }
    if (wantsJobs) jobs = await measureJobs(options, secrets, deployOptions, withinBudget);
  } finally {
    await template?.then(
      (built) => built.remove(),
      () => undefined,
    );
  }
  const sdk = await measureSdkSize();
  const environment = await describeEnvironment(
    redis.ok ? redis.version : 'not reachable',
    postgres.ok ? postgres.version : 'not reachable',
  );
  return {
    startedAt,
    durationMs: Date.now() - started,
    smoke: options.smoke,
    sizes,
    scenarios,
    peers: options.peers,
    runs,
    reference,
    sdk,
    jobs,
    environment,
  };
}

/** The jobs scenario on its own embedded node (one round: its figures are a ratio within one run). */
async function measureJobs(
  options: BenchOptions,
  secrets: { secret: string; adminToken: string },
  deployOptions: Parameters<typeof deploy>[3],
  withinBudget: () => boolean,
): Promise<Outcome<JobsRun>> {
  if (!withinBudget()) return { status: 'skipped', reason: 'the run was out of time' };
  options.log('jobs: Switchboard (embedded) with one app worker, then plain REST');
  let deployment: Deployment | undefined;
  try {
    deployment = await deploy(peers.switchboard, 'single', secrets, deployOptions);
    const value = await runJobsScenario(deployment, secrets.adminToken, options.sizes.jobs);
    options.log(`  jobs ${value.jobs.perSec.toFixed(0)}/s, REST ${value.rest.perSec.toFixed(0)}/s`);
    return { status: 'ok', value };
  } catch (err) {
    options.log(`  jobs failed: ${err instanceof Error ? err.message : String(err)}`);
    return { status: 'failed', error: err instanceof Error ? (err.stack ?? err.message) : String(err) };
  } finally {
    await deployment?.close().catch((err: unknown) => options.log(`  cleanup: ${err instanceof Error ? err.message : String(err)}`));
  }
}
