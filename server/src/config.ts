/**
 * Configuration, parsed once from the environment into a frozen object. Every missing or invalid
 * variable is reported together, so a misconfigured deployment fails once with the whole list.
 * Only the entry point reads `process.env`; everything else takes a `ServerConfig`.
 */

/** Where and how a server runs, as the environment gives it. */
export interface ServerConfig {
  readonly port: number;
  readonly host: string;
  /** Postgres URL; absent means embedded PGlite in `dataDir`. */
  readonly databaseUrl: string | undefined;
  /** Redis URL; absent means the in-process channel layer. */
  readonly redisUrl: string | undefined;
  /** Namespaces this deployment's topics in a shared Redis. */
  readonly redisPrefix: string;
  readonly dataDir: string;
  /** The key that signs access tokens; unset means one generated and shared through the database. */
  readonly jwtSecret: string | undefined;
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
  REDIS_URL: { default: '', about: 'Redis URL; unset means the in-process channel layer (one node)' },
  REDIS_PREFIX: { default: 'sb:', about: 'namespace of this deployment in a shared Redis' },
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
  const oneOf = <T extends string>(name: 'DEMO_DATA', values: readonly T[]): T => {
    const raw = read(name);
    if (!(values as readonly string[]).includes(raw)) problems.push(`${name}=${JSON.stringify(raw)}: expected one of ${values.join(', ')}`);
    return raw as T;
  };
  const secret = (name: 'ADMIN_TOKEN' | 'JWT_SECRET', minLength: number): string | undefined => {
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
  const logLevel = read('LOG_LEVEL');
  if (!(LOG_LEVELS as readonly string[]).includes(logLevel))
    problems.push(`LOG_LEVEL=${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  const config: ServerConfig = {
    port: int('PORT', 0, 65535),
    host: read('HOST'),
    databaseUrl: url('DATABASE_URL', ['postgres:', 'postgresql:']),
    redisUrl: url('REDIS_URL', ['redis:', 'rediss:']),
    redisPrefix: read('REDIS_PREFIX'),
    dataDir: read('DATA_DIR'),
    adminToken: secret('ADMIN_TOKEN', 24),
    jwtSecret: secret('JWT_SECRET', 32),
    demo: oneOf('DEMO_DATA', ['auto', 'off'] as const),
    logLevel: logLevel as ServerConfig['logLevel'],
    maxFrameBytes: int('MAX_FRAME_BYTES', 256, 16 * 1024 * 1024),
    heartbeatMs: int('HEARTBEAT_MS', 100, 3_600_000),
    maxBufferedBytes: int('MAX_BUFFERED_BYTES', 1024, 1024 * 1024 * 1024),
    framesPerSecond: int('FRAMES_PER_SECOND', 1, 1_000_000),
    frameBurst: int('FRAME_BURST', 1, 1_000_000),
    allowedOrigins: Object.freeze(origins()),
  };
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze(config);
}

/** The defaults, with overrides: what tests and embedders start from. */
export function defaultConfig(overrides: Partial<ServerConfig> = {}): ServerConfig {
  return Object.freeze({ ...parseConfig({}), ...overrides });
}
