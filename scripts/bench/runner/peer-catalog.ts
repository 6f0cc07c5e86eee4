/**
 * The peers: which launcher runs each, with which environment, and which backing services it
 * needs. `ws` is the baseline of the single-node scenarios; its Redis variant is the baseline
 * of the cross-node one.
 */
import type { Protocol } from '../load/drivers/index.ts';
import { benchFile } from './paths.ts';
import { REDIS_URL } from './resources.ts';

/** Every peer, in the order they run (the baseline first). */
export const peerNames = [
  'ws',
  'ws-batched',
  'ws-redis',
  'socketio',
  'socketio-redis',
  'switchboard',
  'switchboard-redis',
  'switchboard-history',
  'switchboard-chat',
  'switchboard-chat-redis',
  'switchboard-chat-history',
] as const;

/** One of `peerNames`. */
export type PeerName = (typeof peerNames)[number];

/** A backing service a peer needs. */
export type Service = 'redis' | 'postgres';

/** What the runner gives a launch: secrets and borrowed resources. */
export interface LaunchContext {
  secret: string;
  adminToken: string;
  redisPrefix: string;
  dataDir: string;
  /** A scratch database, when the variant needs Postgres. */
  databaseUrl: string | undefined;
  /** Hold Switchboard to its specs (the contract tap in the server process). */
  contract: boolean;
}

/** How one peer is run in one deployment shape. */
export interface Variant {
  label: string;
  needs: readonly Service[];
  /** Keeps its data in embedded PGlite under DATA_DIR: the node starts on a copy of a migrated folder. */
  embedded?: boolean;
  env(context: LaunchContext): Record<string, string>;
}

/** A peer. */
export interface PeerSpec {
  name: PeerName;
  protocol: Protocol;
  launcher: string;
  /** Whether its rooms keep history (Switchboard). */
  history: boolean;
  /** A reference point, not a competitor: fan-out only, and no target is judged on it. */
  reference?: boolean;
  /** One node. */
  single: Variant;
  /** Two nodes through Redis (publishers on the first, readers on the second); absent when the peer has no such deployment. */
  cross?: Variant;
}

const secret = (c: LaunchContext) => ({ BENCH_SECRET: c.secret });
const redis = (c: LaunchContext) => ({ REDIS_URL, REDIS_PREFIX: c.redisPrefix });

// Switchboard runs as `npm start` would, except that the per-socket command rate is lifted (one
// publisher per room sends thousands of messages a second here, far beyond a user's 100/s), and
// so are the per-client limits: the load generator is one address, one app, readers share
// endpoint codes, and it mints thousands of tokens and publishes over REST; so are the running jobs per user and app.
const switchboardEnv = (c: LaunchContext): Record<string, string> => ({
  PORT: '0',
  HOST: '127.0.0.1',
  LOG_LEVEL: 'warn',
  DATA_DIR: c.dataDir,
  ADMIN_TOKEN: c.adminToken,
  FRAMES_PER_SECOND: '1000000',
  FRAME_BURST: '100000',
  MAX_SOCKETS_PER_ENDPOINT: '10000000',
  MAX_SOCKETS_PER_USER: '10000000',
  MAX_SOCKETS_PER_APP: '100000000',
  MAX_SOCKETS_PER_ADDRESS: '100000000',
  REST_PER_ADDRESS: '100000000',
  REST_PER_API_KEY: '100000000',
  QUOTA_MESSAGES_PER_MINUTE: '1000000000',
  // The jobs scenario keeps a few dozen jobs running for one app and a few per user.
  JOB_MAX_PER_USER: '10000',
  JOB_MAX_PER_APP: '100000',
  ...(c.contract ? { BENCH_CONTRACT: '1' } : {}),
});
const database = (c: LaunchContext): Record<string, string> => (c.databaseUrl ? { DATABASE_URL: c.databaseUrl } : {});

/** The catalog. */
export const peers: Readonly<Record<PeerName, PeerSpec>> = {
  ws: {
    name: 'ws',
    protocol: 'raw-ws',
    launcher: benchFile('peers/raw-ws.ts'),
    history: false,
    single: { label: 'raw ws', needs: [], env: secret },
    cross: { label: 'raw ws + Redis pub/sub', needs: ['redis'], env: (c) => ({ ...secret(c), ...redis(c) }) },
  },
  'ws-batched': {
    name: 'ws-batched',
    protocol: 'raw-ws',
    launcher: benchFile('peers/raw-ws.ts'),
    history: false,
    reference: true,
    single: { label: 'raw ws, writes batched per tick (reference)', needs: [], env: (c) => ({ ...secret(c), BATCH_WRITES: '1' }) },
  },
  // The baseline of the Redis targets on one node: every broadcast goes out as one PUBLISH and comes back from Redis.
  'ws-redis': {
    name: 'ws-redis',
    protocol: 'raw-ws',
    launcher: benchFile('peers/raw-ws.ts'),
    history: false,
    reference: true,
    single: { label: 'raw ws + Redis pub/sub (reference)', needs: ['redis'], env: (c) => ({ ...secret(c), ...redis(c) }) },
  },
  socketio: {
    name: 'socketio',
    protocol: 'socket-io',
    launcher: benchFile('peers/socket-io.ts'),
    history: false,
    single: { label: 'Socket.IO', needs: [], env: secret },
  },
  'socketio-redis': {
    name: 'socketio-redis',
    protocol: 'socket-io',
    launcher: benchFile('peers/socket-io.ts'),
    history: false,
    single: { label: 'Socket.IO + redis-adapter', needs: ['redis'], env: (c) => ({ ...secret(c), ...redis(c) }) },
    cross: { label: 'Socket.IO + redis-adapter', needs: ['redis'], env: (c) => ({ ...secret(c), ...redis(c) }) },
  },
  switchboard: {
    name: 'switchboard',
    protocol: 'switchboard',
    launcher: benchFile('peers/switchboard.ts'),
    history: false,
    single: { label: 'Switchboard (embedded)', needs: [], embedded: true, env: switchboardEnv },
  },
  'switchboard-redis': {
    name: 'switchboard-redis',
    protocol: 'switchboard',
    launcher: benchFile('peers/switchboard.ts'),
    history: false,
    single: { label: 'Switchboard + Redis', needs: ['redis'], embedded: true, env: (c) => ({ ...switchboardEnv(c), ...redis(c) }) },
    // Two nodes must share their rooms and endpoints, so the cross-node deployment is Postgres plus Redis.
    cross: {
      label: 'Switchboard + Redis + Postgres',
      needs: ['redis', 'postgres'],
      env: (c) => ({ ...switchboardEnv(c), ...redis(c), ...database(c) }),
    },
  },
  'switchboard-history': {
    name: 'switchboard-history',
    protocol: 'switchboard',
    launcher: benchFile('peers/switchboard.ts'),
    history: true,
    single: { label: 'Switchboard + Postgres, history on', needs: ['postgres'], env: (c) => ({ ...switchboardEnv(c), ...database(c) }) },
  },
  // The same deployments driven through user sockets (tokens, chat.join, chat.send → chat.message): the path a chat page takes.
  'switchboard-chat': {
    name: 'switchboard-chat',
    protocol: 'switchboard-chat',
    launcher: benchFile('peers/switchboard.ts'),
    history: false,
    single: { label: 'Switchboard chat (embedded)', needs: [], embedded: true, env: switchboardEnv },
  },
  'switchboard-chat-redis': {
    name: 'switchboard-chat-redis',
    protocol: 'switchboard-chat',
    launcher: benchFile('peers/switchboard.ts'),
    history: false,
    single: { label: 'Switchboard chat + Redis', needs: ['redis'], embedded: true, env: (c) => ({ ...switchboardEnv(c), ...redis(c) }) },
    cross: {
      label: 'Switchboard chat + Redis + Postgres',
      needs: ['redis', 'postgres'],
      env: (c) => ({ ...switchboardEnv(c), ...redis(c), ...database(c) }),
    },
  },
  'switchboard-chat-history': {
    name: 'switchboard-chat-history',
    protocol: 'switchboard-chat',
    launcher: benchFile('peers/switchboard.ts'),
    history: true,
    single: {
      label: 'Switchboard chat + Postgres, history on',
      needs: ['postgres'],
      env: (c) => ({ ...switchboardEnv(c), ...database(c) }),
    },
  },
};

/** Whether a string names a peer. */
export function isPeerName(value: string): value is PeerName {
  return (peerNames as readonly string[]).includes(value);
}
