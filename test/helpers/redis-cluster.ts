/**
 * A Redis Cluster of the test's own: one master per shard, each a redis-server on a free port of
 * 127.0.0.1 with its own folder, slots split evenly by hand (CLUSTER ADDSLOTSRANGE, then MEET),
 * so one shard works as well as three (`redis-cli --cluster create` insists on three). Nothing is
 * kept but each node's cluster config, so a restarted shard comes back as the same node with the
 * same slots and an empty keyspace, like a Redis restart without persistence.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectAdmin, type AdminClient } from './redis.ts';
import { controlled, freePort, type ServerProcess } from './processes.ts';
import { deadline } from './deadline.ts';

const SLOTS = 16_384;

/** A running cluster and its shards. */
export interface TestRedisCluster extends AsyncDisposable {
  /** One process per shard, in slot order (shard 0 holds the lowest slots). */
  readonly shards: readonly ServerProcess[];
  /** The seeds as `REDIS_URL` takes them with `REDIS_CLUSTER=on`. */
  readonly urls: string;
  /** An admin connection to one shard (opened on first use, closed with the cluster). */
  admin(shard: number): Promise<AdminClient>;
  /** Resolves once every shard answers `cluster_state:ok` (after a start or a restart). */
  healthy(): Promise<void>;
  close(): Promise<void>;
}

/** Starts `count` shards and joins them into one cluster; resolves once the cluster is healthy. */
export async function startRedisCluster(count: number): Promise<TestRedisCluster> {
  const shards: ServerProcess[] = [];
  const admins = new Map<number, AdminClient>();
  const close = async () => {
    await Promise.all([...admins.values()].map((a) => a.destroy()));
    admins.clear();
    await Promise.all(shards.map((s) => s.close()));
  };
  try {
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const dir = mkdtempSync(join(tmpdir(), 'sb-cluster-'));
      const shard = controlled(
        port,
        `redis://127.0.0.1:${port}`,
        {
          what: `redis-server (shard ${i})`,
          command: 'redis-server',
          // Without full coverage required, the other shards keep serving while one is down:
          // a shard outage costs its own rooms only.
          args: [
            ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''],
            ...['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '1000'],
            ...['--cluster-require-full-coverage', 'no'],
          ],
          stopSignal: 'SIGTERM',
          ready: /Ready to accept connections/,
        },
        () => rmSync(dir, { recursive: true, force: true }),
      );
      shards.push(shard);
      await shard.start();
    }
    const admin = async (i: number): Promise<AdminClient> => {
      let client = admins.get(i);
      if (client === undefined || !client.isOpen) {
        client = await connectAdmin(shards[i]!.url);
        admins.set(i, client);
      }
      return client;
    };
    for (let i = 0; i < count; i++) {
      const first = Math.floor((SLOTS * i) / count);
      const last = Math.floor((SLOTS * (i + 1)) / count) - 1;
      const client = await admin(i);
      await client.sendCommand(['CLUSTER', 'ADDSLOTSRANGE', String(first), String(last)]);
      // Distinct epochs: no collision to resolve before the slots are agreed on.
      await client.sendCommand(['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)]);
    }
    for (let i = 1; i < count; i++) await (await admin(i)).sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(shards[0]!.port)]);
    const healthy = async () => {
      const until = Date.now() + deadline(20_000);
      for (let i = 0; i < count; i++) {
        // Polls a state the cluster converges to by gossip; each round trip is the wait.
        for (;;) {
          const client = await admin(i).catch(() => undefined);
          const info = client === undefined ? '' : String(await client.sendCommand(['CLUSTER', 'INFO']).catch(() => ''));
          const known = /cluster_known_nodes:(\d+)/.exec(info)?.[1];
          if (info.includes('cluster_state:ok') && Number(known) === count) break;
          if (Date.now() > until) throw new Error(`shard ${i} of the test cluster did not become healthy`);
          await client?.sendCommand(['PING']).catch(() => undefined);
        }
      }
    };
    await healthy();
    return {
      shards,
      urls: shards.map((s) => s.url).join(','),
      admin,
      healthy,
      close,
      [Symbol.asyncDispose]: close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
