/**
 * The connect storm and the idle sockets, in one pass: open N authenticated sockets as fast as
 * the peer accepts them (a bounded number of handshakes in flight), then, with all of them idle
 * in their rooms, compare the server's RSS with its RSS before (both after a full GC).
 */
import type { Sizes } from '../options.ts';
import type { IdleRun } from '../results.ts';
import type { Deployment } from './deployment.ts';
import type { GeneratorClient } from './generator-client.ts';

const CALL_MARGIN_MS = 30_000;
// A few failed handshakes under a storm are a result; more than this is a broken run.
const MAX_FAILED_SHARE = 0.01;

/** Runs the pass; the generator must have prepared the peer's rooms. */
export async function runIdle(generator: GeneratorClient, deployment: Deployment, sizes: Sizes): Promise<IdleRun> {
  const open = (count: number) =>
    generator.call('openIdle', { count, window: sizes.connectWindow, timeoutMs: sizes.stormMs }, sizes.stormMs + CALL_MARGIN_MS);
  const closeAll = () => generator.call('closeAll', { timeoutMs: 10_000 }, 10_000 + CALL_MARGIN_MS);
  // Warm the accept path (JIT, lazily loaded modules) so "before" is the state a socket is added to.
  await open(Math.max(10, Math.round(sizes.idleSockets / 50)));
  await closeAll();
  const before = await deployment.stats(true);
  const storm = await open(sizes.idleSockets);
  const after = await deployment.stats(true);
  await closeAll();
  if (storm.opened === 0 || storm.failed > sizes.idleSockets * MAX_FAILED_SHARE) {
    throw new Error(`${storm.failed} of ${sizes.idleSockets} sockets failed to open: ${storm.firstError ?? 'none opened in time'}`);
  }
  return {
    ...storm,
    connectsPerSec: storm.seconds > 0 ? storm.opened / storm.seconds : 0,
    rssBefore: before.rss,
    rssAfter: after.rss,
    rssPerSocket: storm.opened > 0 ? (after.rss - before.rss) / storm.opened : Number.NaN,
  };
}
