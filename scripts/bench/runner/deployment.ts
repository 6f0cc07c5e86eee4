/**
 * A peer deployed for one run: one node, or two nodes through Redis, with the resources they
 * borrow. Closing it stops the processes and gives every resource back, whatever failed.
 */
import type { ProcessStats } from '../messages.ts';
import type { PeerSpec, Variant } from './peer-catalog.ts';
import { startPeerProcess, type PeerProcess } from './peer-process.ts';
import { clearRedisPrefix, randomName, scratchDatabase, tempDir } from './resources.ts';

/** The run-wide secrets every launch gets. */
export interface Secrets {
  secret: string;
  adminToken: string;
}

/** One node or two. */
export type Shape = 'single' | 'cross';

/** Running server processes of one peer. */
export interface Deployment extends AsyncDisposable {
  readonly nodes: readonly PeerProcess[];
  /** The node publishers connect to. */
  readonly publishUrl: string;
  /** The node readers connect to (the second one in the cross-node shape). */
  readonly readUrl: string;
  /** CPU time and RSS summed over the nodes. */
  stats(gc: boolean): Promise<ProcessStats>;
  close(): Promise<void>;
}

/** The variant of a peer for a shape (undefined when the peer has none). */
export function variantOf(spec: PeerSpec, shape: Shape): Variant | undefined {
  return shape === 'single' ? spec.single : spec.cross;
}

/** Starts a peer's node(s); the second node starts after the first so that they never migrate a database at once. */
export async function deploy(spec: PeerSpec, shape: Shape, secrets: Secrets): Promise<Deployment> {
  const variant = variantOf(spec, shape);
  if (!variant) throw new Error(`${spec.name} has no ${shape} deployment`);
  const cleanups: Array<() => Promise<void>> = [];
  const nodes: PeerProcess[] = [];
  const close = async () => {
    const errors: unknown[] = [];
    for (const cleanup of cleanups.splice(0).reverse()) {
      await cleanup().catch((err: unknown) => errors.push(err));
    }
    if (errors.length > 0) throw new AggregateError(errors, `cleaning up ${spec.name} failed`);
  };
  try {
    const redisPrefix = `sb-bench-${randomName()}:`;
    if (variant.needs.includes('redis')) cleanups.push(() => clearRedisPrefix(redisPrefix));
    let databaseUrl: string | undefined;
    if (variant.needs.includes('postgres')) {
      const database = await scratchDatabase();
      cleanups.push(() => database.drop());
      databaseUrl = database.url;
    }
    const count = shape === 'single' ? 1 : 2;
    for (let index = 0; index < count; index++) {
      const dir = await tempDir();
      cleanups.push(() => dir.remove());
      const env = variant.env({ ...secrets, redisPrefix, dataDir: dir.path, databaseUrl });
      const node = await startPeerProcess(`${spec.name}#${index + 1}`, spec.launcher, env);
      cleanups.push(() => node.stop());
      nodes.push(node);
    }
  } catch (err) {
    await close().catch(() => undefined);
    throw err;
  }
  const first = nodes[0];
  const last = nodes[nodes.length - 1];
  if (!first || !last) throw new Error('no node started');
  const stats = async (gc: boolean): Promise<ProcessStats> => {
    const each = await Promise.all(nodes.map((node) => node.stats(gc)));
    return each.reduce((sum, one) => ({ cpuUs: sum.cpuUs + one.cpuUs, rss: sum.rss + one.rss }), { cpuUs: 0, rss: 0 });
  };
  return { nodes, publishUrl: first.url, readUrl: last.url, stats, close, [Symbol.asyncDispose]: close };
}
