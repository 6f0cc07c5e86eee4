/**
 * The benchmark, as a function: rounds of every selected peer through every selected scenario,
 * the baseline (raw `ws`) first in each round so the others are measured at the loads it fixed.
 * `run.ts` is its command line; the smoke test calls it directly.
 */
import { randomBytes } from 'node:crypto';
import type { BenchOptions } from './options.ts';
import type { BenchResults, PeerRun, Reference } from './results.ts';
import type { Shape } from './runner/deployment.ts';
import { describeEnvironment } from './runner/environment.ts';
import { peers, type Service } from './runner/peer-catalog.ts';
import { hasWork, runPeerOnce } from './runner/peer-run.ts';
import { postgresVersion, redisVersion, sweepStaleDatabases } from './runner/resources.ts';
import { measureSdkSize } from './runner/sdk-size.ts';

/** Runs the benchmark; throws only on a broken harness, never because a peer failed. */
export async function runBenchmark(options: BenchOptions): Promise<BenchResults> {
  const started = Date.now();
  const startedAt = new Date(started).toISOString();
  const { sizes, scenarios, log } = options;
  const [redis, postgres] = await Promise.all([redisVersion(), postgresVersion()]);
  const missing = new Map<Service, string>();
  if (!redis.ok) missing.set('redis', redis.reason);
  if (!postgres.ok) missing.set('postgres', postgres.reason);
  const reference: Record<Shape, Reference> = {
    single: { ladder: undefined, targetRate: [] },
    cross: { ladder: undefined, targetRate: [] },
  };
  const secrets = { secret: randomBytes(16).toString('hex'), adminToken: randomBytes(24).toString('base64url') };
  const withinBudget = () => Date.now() - started < sizes.budgetMs && !options.signal?.aborted;
  await sweepStaleDatabases().catch((err: unknown) =>
    log(`could not sweep old scratch databases: ${err instanceof Error ? err.message : String(err)}`),
  );
  const runs: PeerRun[] = [];
  const shapes: Shape[] = [];
  if (scenarios.some((name) => name !== 'cross-node')) shapes.push('single');
  if (scenarios.includes('cross-node')) shapes.push('cross');

  for (let round = 1; round <= sizes.rounds; round++) {
    for (const shape of shapes) {
      const context = { sizes, scenarios, secrets, reference: reference[shape], missing, withinBudget, log };
      for (const name of options.peers) {
        const spec = peers[name];
        if (!hasWork(spec, shape, scenarios)) continue;
        runs.push(await runPeerOnce(spec, shape, round, context));
      }
    }
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
    environment,
  };
}
