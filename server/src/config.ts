/**
 * Configuration, parsed once from the environment into a frozen object. Every missing or invalid
 * variable is reported together, so a misconfigured deployment fails once with the whole list.
 * Only the entry point reads `process.env`; everything else takes a `ServerConfig`.
 */
import { trustProxyProblem } from './lib/client-address.ts';

/** Where and how a server runs, as the environment gives it. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Postgres URL; absent means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** The Postgres schema of every Switchboard table (both engines), so an application's database can be shared. */
  readonly databaseSchema: string;
  /** 'on': migrate at start; 'off': refuse to start on a database with pending migrations (`switchboard migrate` runs them). */
  readonly migrate: 'on' | 'off';
  /** Redis URL; absent means the in-process channel layer. */
  readonly redisUrl: string | undefined;
  /** Namespaces this deployment's topics in a shared Redis. */
  readonly redisPrefix: string;
  /** `redisUrl` lists seeds of a Redis Cluster, comma-separated (sharded pub/sub, rooms hashed to shards). */
  readonly redisCluster: boolean;
  readonly dataDir: string;
  /** The key that signs access tokens; unset means one generated and shared through the database. */
  readonly jwtSecret: string | undefined;
  /** The key `JWT_SECRET` replaced: it still verifies tokens (until they expire), never signs. */
  readonly jwtSecretPrevious: string | undefined;
  /** Seed a demo app on the first start of an empty embedded database. */
  readonly demo: 'auto' | 'off';
  /** The operator token for /v1/apps; unset on embedded defaults means one is generated in `dataDir`. */
  readonly adminToken: string | undefined;
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** The largest frame a socket accepts, in bytes. */
  readonly maxFrameBytes: number;
  /** How often each socket is pinged; a socket that misses a pong is closed. */
  readonly heartbeatMs: number;
  /** A socket whose unsent data passes this many bytes is closed as a slow consumer. */
  readonly maxBufferedBytes: number;
  /** Commands a socket may send per second (token bucket refill), and the burst it may save up. */
  readonly framesPerSecond: number;
  readonly frameBurst: number;
  /** Browser origins besides the server's own that may open `/ws` and call REST (CORS); `*` is any. */
  readonly allowedOrigins: readonly string[];
  /** Running jobs one user, and one app, may have at once. */
  readonly jobMaxPerUser: number;
  readonly jobMaxPerApp: number;
  /** The largest `timeoutMs` a job may ask for. */
  readonly jobMaxTimeoutMs: number;
  /** The largest params (and result, and progress data) of a job, as JSON bytes. */
  readonly jobMaxParamsBytes: number;
  readonly jobMaxResultBytes: number;
  /** A node that has not renewed its job lease for this long is dead; its running jobs finish `lost`. */
  readonly jobLeaseMs: number;
  /** Jobs of app kinds one app may have waiting for a worker. */
  readonly jobMaxQueued: number;
  /** Job kinds one app may declare, and the largest JSON Schema of one. */
  readonly jobMaxKindsPerApp: number;
  readonly jobMaxSchemaBytes: number;
  /** The largest `concurrency` a worker may ask for in `worker.serve`. */
  readonly jobMaxWorkerConcurrency: number;
  /** How long a crashed node's presence outlives it before another node announces `chat.left` (Redis). */
  readonly presenceTtlMs: number;
  /** Bearer token `/metrics` asks for; unset leaves it open (for a scraper on a private network). */
  readonly metricsToken: string | undefined;
  /** Proxies (addresses, CIDR ranges, `loopback`, `private`) whose `X-Forwarded-For` names the client. */
  readonly trustProxy: readonly string[];
  /** Malformed frames a socket may send per minute before it is closed (4500). */
  readonly maxMalformedFrames: number;
  /** Milliseconds to hear a request's headers, and to receive the whole request (slowloris). */
  readonly headersTimeoutMs: number;
  readonly requestTimeoutMs: number;
  /** Sockets open at once on one node: per user, per endpoint code, per app and per client address. */
  readonly maxSocketsPerUser: number;
  readonly maxSocketsPerEndpoint: number;
  readonly maxSocketsPerApp: number;
  readonly maxSocketsPerAddress: number;
  /** REST requests per minute, per client address and per API key (shared by every node through Redis). */
  readonly restPerAddress: number;
  readonly restPerApiKey: number;
  /** Sign-in attempts per minute per address; failures per (username, address) and per username before slowing. */
  readonly signInPerAddress: number;
  readonly signInPerAccountAddress: number;
  readonly signInPerAccount: number;
  /** The longest delay a sprayed username's sign-ins are slowed by. */
  readonly signInMaxDelayMs: number;
  readonly signInSlowedPerAccount: number;
  readonly signInSlowedMax: number;
  /** Per-app quotas: rooms, endpoints and users it may hold, messages it may publish per minute. */
  readonly quotaRooms: number;
  readonly quotaEndpoints: number;
  readonly quotaUsers: number;
  readonly quotaMessagesPerMinute: number;
}

/** Thrown when the environment is invalid; `problems` lists every bad variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n  ${problems.join('\n  ')}`);
    this.name = 'ConfigError';
  }
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The documented variables, their defaults and meaning (the README's table is this list). */
export const configVariables = {
  PORT: { default: '8080', about: 'TCP port of HTTP and WebSocket (0 picks a free one)' },
  HOST: { default: '127.0.0.1', about: 'interface to listen on' },
  DATABASE_URL: { default: '', about: 'Postgres URL; unset means embedded PGlite in DATA_DIR' },
  DATABASE_SCHEMA: {
    default: 'switchboard',
    about: "Postgres schema of every Switchboard table (letters a-z, digits, _), so it can share an application's database",
  },
  MIGRATE: {
    default: 'on',
    about: 'on: run pending migrations at start; off: refuse to start until `switchboard migrate` has run them (a release step)',
  },
  REDIS_URL: { default: '', about: 'Redis URL; unset means the in-process channel layer (one node)' },
  REDIS_PREFIX: { default: 'sb:', about: 'namespace of this deployment in a shared Redis' },
  REDIS_CLUSTER: {
    default: 'off',
    about:
      'on: REDIS_URL lists seed nodes of a Redis Cluster (comma-separated); rooms spread over its shards with sharded pub/sub (Redis ≥ 7)',
  },
  DATA_DIR: { default: './.switchboard', about: 'folder of the embedded database and generated secrets' },
  ADMIN_TOKEN: {
    default: '',
    about:
      'operator token for /v1/apps (at least 24 characters); unset on embedded defaults: generated on first start in DATA_DIR and printed once',
  },
  JWT_SECRET: {
    default: '',
    about: 'key that signs access tokens (at least 32 characters); unset: generated once and shared through the database',
  },
  JWT_SECRET_PREVIOUS: {
    default: '',
    about: 'the JWT_SECRET before a rotation: verifies the tokens it signed until they expire, signs nothing (remove it after 30 days)',
  },
  DEMO_DATA: { default: 'auto', about: 'auto: seed a demo app on the first start of an empty embedded database; off: never' },
  LOG_LEVEL: { default: 'info', about: LOG_LEVELS.join(' | ') },
  MAX_FRAME_BYTES: { default: '65536', about: 'largest frame a socket accepts' },
  HEARTBEAT_MS: { default: '25000', about: 'ping interval; a socket that misses a pong is closed (4000)' },
  MAX_BUFFERED_BYTES: { default: '1048576', about: 'unsent bytes after which a slow socket is closed (4001)' },
  FRAMES_PER_SECOND: { default: '100', about: 'commands per second per socket (refill rate)' },
  FRAME_BURST: { default: '200', about: 'commands a socket may send in one burst' },
  ALLOWED_ORIGINS: {
    default: '',
    about: "comma-separated browser origins besides the server's own that may open /ws and call REST (CORS); * allows any",
  },
  JOB_MAX_PER_USER: { default: '8', about: 'running jobs one user may have at once (more: busy)' },
  JOB_MAX_PER_APP: { default: '1000', about: 'running jobs one app may have at once (more: busy)' },
  JOB_MAX_TIMEOUT_MS: { default: '3600000', about: 'largest timeoutMs job.start accepts' },
  JOB_MAX_PARAMS_BYTES: { default: '16384', about: 'largest job params, as JSON bytes (more: frame_too_large)' },
  JOB_MAX_RESULT_BYTES: { default: '262144', about: 'largest job result or progress data, as JSON bytes (a larger result fails the job)' },
  JOB_MAX_QUEUED: { default: '100', about: 'jobs of app kinds one app may have waiting for a free worker (more: busy)' },
  JOB_MAX_KINDS_PER_APP: { default: '100', about: 'job kinds one app may declare (more: busy)' },
  JOB_MAX_SCHEMA_BYTES: { default: '16384', about: "largest params or result JSON Schema of an app's job kind, as JSON bytes" },
  JOB_MAX_WORKER_CONCURRENCY: { default: '64', about: 'largest concurrency a worker socket may ask for in worker.serve' },
  JOB_LEASE_MS: { default: '15000', about: 'a node silent this long is dead and its running jobs finish lost (renewed every third of it)' },
  PRESENCE_TTL_MS: {
    default: '15000',
    about: "with Redis: how long a crashed node's members stay present; others announce chat.left within this plus a third of it",
  },
  METRICS_TOKEN: { default: '', about: 'bearer token /metrics asks for (at least 24 characters); unset: /metrics is open' },
  TRUST_PROXY: {
    default: '',
    about:
      'comma-separated proxies (addresses, CIDR ranges, loopback, private) whose X-Forwarded-For names the client; unset: the peer address is the client',
  },
  MAX_MALFORMED_FRAMES: {
    default: '100',
    about:
      'malformed frames (not JSON, bad envelope, unknown action, too large, binary) a socket may send per minute; then it is closed (4500)',
  },
  HEADERS_TIMEOUT_MS: { default: '10000', about: "time to receive a request's headers; a slower connection is closed (slowloris)" },
  REQUEST_TIMEOUT_MS: { default: '30000', about: 'time to receive a whole request; a slower one is answered 408 and closed' },
  MAX_SOCKETS_PER_USER: { default: '32', about: 'sockets one user may have open at once on a node (more: closed 4005 / refused 429)' },
  MAX_SOCKETS_PER_ENDPOINT: { default: '16', about: 'sockets one endpoint code may have open at once on a node (more: refused 429)' },
  MAX_SOCKETS_PER_APP: { default: '20000', about: "sockets one app's users and endpoints may have open at once on a node" },
  MAX_SOCKETS_PER_ADDRESS: { default: '1000', about: 'sockets one client address (after TRUST_PROXY) may have open at once on a node' },
  REST_PER_ADDRESS: { default: '6000', about: 'REST requests per minute from one client address, all nodes together (more: 429)' },
  REST_PER_API_KEY: { default: '6000', about: 'REST requests per minute with one API key, all nodes together (more: 429)' },
  SIGN_IN_PER_ADDRESS: { default: '30', about: 'sign-in attempts per minute from one client address (more: 429)' },
  SIGN_IN_PER_ACCOUNT_ADDRESS: {
    default: '5',
    about: 'failed sign-ins per minute for one username from one address (more: 429); four times this per 15 minutes',
  },
  SIGN_IN_PER_ACCOUNT: {
    default: '10',
    about: 'failed sign-ins per minute for one username from all addresses, after which each attempt is slowed (never refused)',
  },
  SIGN_IN_MAX_DELAY_MS: { default: '2000', about: "the longest delay a sprayed username's sign-in attempts are slowed by" },
  SIGN_IN_SLOWED_PER_ACCOUNT: {
    default: '4',
    about:
      'slowed sign-ins for one username that may wait at once on a node (more: 429); never applies to an address that signed in as the user in the last 14 days',
  },
  SIGN_IN_SLOWED_MAX: { default: '200', about: 'slowed sign-ins that may wait at once on a node, all usernames together (more: 429)' },
  QUOTA_ROOMS: { default: '10000', about: 'rooms one app may hold (more: quota_exceeded)' },
  QUOTA_ENDPOINTS: { default: '100000', about: 'endpoints one app may hold (more: quota_exceeded)' },
  QUOTA_USERS: { default: '1000000', about: 'users one app may hold (more: quota_exceeded)' },
  QUOTA_MESSAGES_PER_MINUTE: {
    default: '60000',
    about: 'messages one app may publish per minute, all nodes together (more: rate_limited)',
  },
} as const;

type Env = Readonly<Record<string, string | undefined>>;

/** Parses the environment; throws one `ConfigError` naming every invalid variable. */
export function parseConfig(env: Env): ServerConfig {
  const problems: string[] = [];
  const read = (name: keyof typeof configVariables): string => {
    const value = env[name];
    return value === undefined || value === '' ? configVariables[name].default : value;
  };
  const int = (name: keyof typeof configVariables, min: number, max: number): number => {
    const raw = read(name);
    const value = Number(raw);
    if (!/^\d+$/.test(raw) || value < min || value > max) {
      problems.push(`${name}=${JSON.stringify(raw)}: expected an integer from ${min} to ${max}`);
    }
    return value;
  };
  const url = (name: 'DATABASE_URL' | 'REDIS_URL', schemes: string[]): string | undefined => {
    const raw = read(name);
    if (raw === '') return undefined;
    try {
      const parsed = new URL(raw);
      if (!schemes.includes(parsed.protocol)) problems.push(`${name}: expected a ${schemes.join(' or ')} URL`);
    } catch {
      // The value may hold a password: name the variable, never echo it.
      problems.push(`${name}: not a valid URL`);
    }
    return raw;
  };
  const oneOf = <T extends string>(name: 'DEMO_DATA' | 'MIGRATE' | 'REDIS_CLUSTER', values: readonly T[]): T => {
    const raw = read(name);
    if (!(values as readonly string[]).includes(raw)) problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
    return raw as T;
  };
  const secret = (name: 'ADMIN_TOKEN' | 'JWT_SECRET' | 'JWT_SECRET_PREVIOUS' | 'METRICS_TOKEN', minLength: number): string | undefined => {
    const raw = read(name);
    if (raw === '') return undefined;
    // Never echo a secret, even a wrong one.
    if (raw.length < minLength) problems.push(`${name}: must be at least ${minLength} characters`);
    return raw;
  };
  const origins = (): string[] => {
    const list = read('ALLOWED_ORIGINS')
      .split(',')
      .map((o) => o.trim())
      .filter((o) => o !== '');
    for (const origin of list) {
      if (origin !== '*' && !/^https?:\/\/[^/\s]+$/.test(origin))
        problems.push(`ALLOWED_ORIGINS: ${JSON.stringify(origin)} is not an origin like https://app.example.com`);
    }
    return list;
  };
  const schema = (): string => {
    const raw = read('DATABASE_SCHEMA');
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(raw))
      problems.push(
        `DATABASE_SCHEMA=${JSON.stringify(raw)}: expected lower-case letters, digits and _ (63 at most, not starting with a digit)`,
      );
    return raw;
  };
  const proxies = (): string[] => {
    const list = read('TRUST_PROXY')
      .split(',')
      .map((p) => p.trim())
      .filter((p) => p !== '');
    for (const entry of list) {
      const problem = trustProxyProblem(entry);
      if (problem) problems.push(`TRUST_PROXY: ${problem}`);
    }
    return list;
  };
  const redisCluster = oneOf('REDIS_CLUSTER', ['off', 'on'] as const) === 'on';
  const clusterSeedList = (): string | undefined => {
    const raw = read('REDIS_URL');
    if (raw === '') {
      problems.push('REDIS_CLUSTER=on: REDIS_URL must list at least one seed node');
      return undefined;
    }
    for (const seed of raw.split(',').map((s) => s.trim())) {
      try {
        if (!['redis:', 'rediss:'].includes(new URL(seed).protocol)) problems.push('REDIS_URL: every seed must be a redis: or rediss: URL');
      } catch {
        problems.push('REDIS_URL: a seed is not a valid URL');
      }
    }
    // A brace in the prefix would become every key's hash tag and put the whole deployment on one shard.
    if (/[{}]/.test(read('REDIS_PREFIX'))) problems.push('REDIS_PREFIX: must not contain { or } with REDIS_CLUSTER=on');
    return raw;
  };
  const logLevel = read('LOG_LEVEL');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  const config: ServerConfig = {
    port: int('PORT', 0, 65535),
    host: read('HOST'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    databaseSchema: schema(),
    migrate: oneOf('MIGRATE', ['on', 'off'] as const),
    redisUrl: redisCluster ? clusterSeedList() : url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: read('REDIS_PREFIX'),
    redisCluster,
    dataDir: read('DATA_DIR'),
    adminToken: secret('ADMIN_TOKEN', 24),
    jwtSecret: secret('JWT_SECRET', 32),
    jwtSecretPrevious: secret('JWT_SECRET_PREVIOUS', 32),
    demo: oneOf('DEMO_DATA', ['auto', 'off'] as const),
    logLevel: logLevel as ServerConfig['logLevel'],
    maxFrameBytes: int('MAX_FRAME_BYTES', 256, 16 * 1024 * 1024),
    heartbeatMs: int('HEARTBEAT_MS', 100, 3_600_000),
    maxBufferedBytes: int('MAX_BUFFERED_BYTES', 1024, 1024 * 1024 * 1024),
    framesPerSecond: int('FRAMES_PER_SECOND', 1, 1_000_000),
    frameBurst: int('FRAME_BURST', 1, 1_000_000),
    allowedOrigins: Object.freeze(origins()),
    jobMaxPerUser: int('JOB_MAX_PER_USER', 1, 1_000_000),
    jobMaxPerApp: int('JOB_MAX_PER_APP', 1, 10_000_000),
    jobMaxTimeoutMs: int('JOB_MAX_TIMEOUT_MS', 1, 2_147_483_647),
    jobMaxParamsBytes: int('JOB_MAX_PARAMS_BYTES', 2, 16 * 1024 * 1024),
    jobMaxResultBytes: int('JOB_MAX_RESULT_BYTES', 2, 64 * 1024 * 1024),
    jobLeaseMs: int('JOB_LEASE_MS', 150, 3_600_000),
    jobMaxQueued: int('JOB_MAX_QUEUED', 0, 1_000_000),
    jobMaxKindsPerApp: int('JOB_MAX_KINDS_PER_APP', 1, 10_000),
    jobMaxSchemaBytes: int('JOB_MAX_SCHEMA_BYTES', 2, 1024 * 1024),
    jobMaxWorkerConcurrency: int('JOB_MAX_WORKER_CONCURRENCY', 1, 1000),
    presenceTtlMs: int('PRESENCE_TTL_MS', 1000, 3_600_000),
    metricsToken: secret('METRICS_TOKEN', 24),
    trustProxy: Object.freeze(proxies()),
    maxMalformedFrames: int('MAX_MALFORMED_FRAMES', 1, 1_000_000),
    headersTimeoutMs: int('HEADERS_TIMEOUT_MS', 100, 600_000),
    requestTimeoutMs: int('REQUEST_TIMEOUT_MS', 100, 3_600_000),
    maxSocketsPerUser: int('MAX_SOCKETS_PER_USER', 1, 10_000_000),
    maxSocketsPerEndpoint: int('MAX_SOCKETS_PER_ENDPOINT', 1, 10_000_000),
    maxSocketsPerApp: int('MAX_SOCKETS_PER_APP', 1, 100_000_000),
    maxSocketsPerAddress: int('MAX_SOCKETS_PER_ADDRESS', 1, 100_000_000),
    restPerAddress: int('REST_PER_ADDRESS', 1, 100_000_000),
    restPerApiKey: int('REST_PER_API_KEY', 1, 100_000_000),
    signInPerAddress: int('SIGN_IN_PER_ADDRESS', 1, 1_000_000),
    signInPerAccountAddress: int('SIGN_IN_PER_ACCOUNT_ADDRESS', 1, 1_000_000),
    signInPerAccount: int('SIGN_IN_PER_ACCOUNT', 1, 1_000_000),
    signInMaxDelayMs: int('SIGN_IN_MAX_DELAY_MS', 0, 60_000),
    signInSlowedPerAccount: int('SIGN_IN_SLOWED_PER_ACCOUNT', 1, 1_000_000),
    signInSlowedMax: int('SIGN_IN_SLOWED_MAX', 1, 100_000_000),
    quotaRooms: int('QUOTA_ROOMS', 1, 1_000_000_000),
    quotaEndpoints: int('QUOTA_ENDPOINTS', 1, 1_000_000_000),
    quotaUsers: int('QUOTA_USERS', 1, 1_000_000_000),
    quotaMessagesPerMinute: int('QUOTA_MESSAGES_PER_MINUTE', 1, 1_000_000_000),
  };
  if (config.jwtSecretPrevious !== undefined && config.jwtSecret === undefined)
    problems.push('JWT_SECRET_PREVIOUS: set only with JWT_SECRET (a generated key is rotated with `switchboard keys rotate-signing`)');
  // Node refuses a request timeout shorter than the header timeout.
  if (config.requestTimeoutMs < config.headersTimeoutMs) problems.push('REQUEST_TIMEOUT_MS: must not be shorter than HEADERS_TIMEOUT_MS');
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The defaults, with overrides: what tests and embedders start from. */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return Object.freeze({ ...parseConfig({}), ...overrides });
}
