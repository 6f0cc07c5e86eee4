/**
 * Cross-node deliveries through a Redis Cluster with 1 and 3 shards: `npm run bench:cluster`.
 *
 * Each run starts its own cluster (redis-server processes on free ports of 127.0.0.1, slots split
 * by hand), then one publishing node and SUBSCRIBERS subscribing nodes, each a Switchboard
 * channel layer in cluster mode (`SPUBLISH`/`SSUBSCRIBE`, rooms hashed to shards by
 * `{room:<id>}`). Every room keeps IN_FLIGHT messages in flight (closed loop): a message counts
 * once every subscribing node received it, and then the next is published. A node-delivery is
 * one message arriving at one subscribing node (a node then fans out to its own sockets, the part
 * docs/benchmarks.md measures). Besides node-deliveries per second it reads each shard's CPU
 * from /proc, which is what tells how many shards a load needs (docs/scaling.md).
 *
 * Options (environment): BENCH_CLUSTER_SECONDS (default 10), BENCH_CLUSTER_ROOMS (300),
 * BENCH_CLUSTER_SUBSCRIBERS (2), BENCH_CLUSTER_IN_FLIGHT (8), BENCH_CLUSTER_SHARDS ("1,3").
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { createChannelLayer, type ChannelLayer } from '@switchboard/server';

const SECONDS = Number(process.env.BENCH_CLUSTER_SECONDS ?? 10);
const ROOMS = Number(process.env.BENCH_CLUSTER_ROOMS ?? 300);
const SUBSCRIBERS = Number(process.env.BENCH_CLUSTER_SUBSCRIBERS ?? 2);
const IN_FLIGHT = Number(process.env.BENCH_CLUSTER_IN_FLIGHT ?? 8);
const SHARD_COUNTS = (process.env.BENCH_CLUSTER_SHARDS ?? '1,3').split(',').map(Number);
const SLOTS = 16_384;
const PAYLOAD = JSON.stringify({ action: 'message', payload: { data: 'x'.repeat(100) } });

interface Shard {
  readonly port: number;
  readonly child: ChildProcess;
  readonly dir: string;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

async function startShard(): Promise<Shard> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-cluster-'));
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--logfile', ''];
  args.push('--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-node-timeout', '2000');
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise<void>((resolve, reject) => {
    let tail = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      tail = (tail + chunk.toString()).slice(-4096);
      if (/Ready to accept connections/.test(tail)) resolve();
    });
    child.once('exit', (code) => reject(new Error(`redis-server exited with ${code}`)));
  });
  return { port, child, dir };
}

async function startCluster(count: number): Promise<Shard[]> {
  const shards = await Promise.all(Array.from({ length: count }, startShard));
  const admins = await Promise.all(shards.map(async (s) => createClient({ url: `redis://127.0.0.1:${s.port}` }).connect()));
  for (const [i, admin] of admins.entries()) {
    await admin.sendCommand([
      'CLUSTER',
      'ADDSLOTSRANGE',
      String(Math.floor((SLOTS * i) / count)),
      String(Math.floor((SLOTS * (i + 1)) / count) - 1),
    ]);
    await admin.sendCommand(['CLUSTER', 'SET-CONFIG-EPOCH', String(i + 1)]);
  }
  for (const admin of admins.slice(1)) await admin.sendCommand(['CLUSTER', 'MEET', '127.0.0.1', String(shards[0]!.port)]);
  for (const admin of admins) {
    // Gossip converges within a few of its rounds; each INFO round trip is the wait.
    for (let attempt = 0; ; attempt++) {
      const info = String(await admin.sendCommand(['CLUSTER', 'INFO']));
      if (info.includes('cluster_state:ok') && info.includes(`cluster_known_nodes:${count}`)) break;
      if (attempt > 200_000) throw new Error('the cluster did not become healthy');
    }
  }
  await Promise.all(admins.map((a) => a.close()));
  return shards;
}

/** User + system CPU of a process in microseconds, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}

async function run(shardCount: number) {
  const shards = await startCluster(shardCount);
  const urls = shards.map((s) => `redis://127.0.0.1:${s.port}`).join(',');
  const prefix = `bench-${randomUUID().slice(0, 8)}:`;
  const layers: ChannelLayer[] = [];
  try {
    const open = async () => {
      const layer = await createChannelLayer({
        redisUrl: urls,
        cluster: true,
        prefix,
        onError: (err) => console.error('channel layer error', err),
      });
      layers.push(layer);
      return layer;
    };
    const publisher = await open();
    const subscribers = await Promise.all(Array.from({ length: SUBSCRIBERS }, open));
    const rooms = Array.from({ length: ROOMS }, () => `room:${randomUUID()}:readers`);
    let measuring = false;
    let stopping = false;
    let delivered = 0;
    let published = 0;
    // Per room and message number: how many subscribing nodes still have to receive it.
    const waiting = new Map<string, number>();
    const publishNext = (room: string, n: number): void => {
      if (stopping) return;
      waiting.set(`${room}#${n}`, SUBSCRIBERS);
      if (measuring) published++;
      publisher.publish(room, `${n}\n${PAYLOAD}`).catch((err: unknown) => console.error('publish failed', err));
    };
    const next = new Map<string, number>();
    for (const subscriber of subscribers) {
      for (const room of rooms) {
        await subscriber.subscribe(room, (message) => {
          if (measuring) delivered++;
          const n = message.slice(0, message.indexOf('\n'));
          const key = `${room}#${n}`;
          const left = (waiting.get(key) ?? 1) - 1;
          if (left > 0) return void waiting.set(key, left);
          waiting.delete(key);
          const following = (next.get(room) ?? 0) + 1;
          next.set(room, following);
          publishNext(room, following);
        });
      }
    }
    for (const room of rooms) {
      for (let i = 0; i < IN_FLIGHT; i++) publishNext(room, i);
      next.set(room, IN_FLIGHT - 1);
    }
    // Warm-up, then the measured phase.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const redisBefore = shards.map((s) => cpuMicros(s.child.pid!));
    const selfBefore = process.cpuUsage();
    const started = performance.now();
    measuring = true;
    await new Promise((resolve) => setTimeout(resolve, SECONDS * 1_000));
    measuring = false;
    const elapsed = (performance.now() - started) / 1_000;
    const self = process.cpuUsage(selfBefore);
    const redisCpu = shards.map((s, i) => cpuMicros(s.child.pid!) - redisBefore[i]!);
    stopping = true;
    return {
      shards: shardCount,
      publishedPerSecond: Math.round(published / elapsed),
      nodeDeliveriesPerSecond: Math.round(delivered / elapsed),
      // Per shard: the busiest and the least busy, in CPU µs per published message and in the share of one core.
      shardCpuUsPerMessage: redisCpu.map((us) => Number((us / Math.max(1, published)).toFixed(2))),
      shardCoreShare: redisCpu.map((us) => Number((us / (elapsed * 1e6)).toFixed(2))),
      clientCoreShare: Number(((self.user + self.system) / (elapsed * 1e6)).toFixed(2)),
    };
  } finally {
    for (const layer of layers) await layer.close();
    for (const shard of shards) {
      shard.child.kill('SIGKILL');
      rmSync(shard.dir, { recursive: true, force: true });
    }
  }
}

console.log(
  `# cluster bench: ${ROOMS} rooms, ${SUBSCRIBERS} subscribing nodes, ${IN_FLIGHT} in flight per room, ${SECONDS} s; ${cpus().length} cores, load ${loadavg()[0]!.toFixed(1)}`,
);
for (const count of SHARD_COUNTS) console.log(JSON.stringify(await run(count)));
