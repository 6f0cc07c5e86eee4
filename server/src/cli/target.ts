/**
 * Where the CLI works: a running server over REST (the default), or the database directly when a
 * database flag or variable is given. Flags beat the environment; a target flag of one kind
 * makes the environment's variables of the other kind irrelevant.
 */
import { UsageError } from './usage-error.ts';
import type { Need } from './commands.ts';
import type { GlobalOptions } from './parse-args.ts';

/** The environment as the entry point passes it. */
export type Env = Readonly<Record<string, string | undefined>>;

/** The Redis the servers share, so a direct `apps delete` can close the app's sockets on every node. */
export interface RedisTarget {
  readonly url: string;
  readonly prefix: string;
}

/** Where the commands go. */
export type Target =
  | { readonly kind: 'rest'; readonly url: string; readonly adminToken: string }
  | { readonly kind: 'postgres'; readonly url: string; readonly schema: string; readonly redis: RedisTarget | undefined }
  | { readonly kind: 'pglite'; readonly dataDir: string; readonly schema: string };

/** One app's REST API, with its key. */
export interface AppTarget {
  readonly kind: 'app';
  readonly url: string;
  readonly apiKey: string;
}

/** The database itself (migrate, backup, restore). */
export type DatabaseTarget = Exclude<Target, { kind: 'rest' }>;

/** The server the CLI calls when neither `--url` nor `SWITCHBOARD_URL` says otherwise. */
export const DEFAULT_SERVER_URL = 'http://127.0.0.1:8080';

const DEFAULT_REDIS_PREFIX = 'sb:';
const DEFAULT_SCHEMA = 'switchboard';

/** Where a command that `needs` this goes. */
export function resolveTargetFor(need: 'admin', options: GlobalOptions, env: Env): Target;
export function resolveTargetFor(need: 'app', options: GlobalOptions, env: Env): AppTarget;
export function resolveTargetFor(need: 'database', options: GlobalOptions, env: Env): DatabaseTarget;
export function resolveTargetFor(need: Need, options: GlobalOptions, env: Env): Target | AppTarget;
export function resolveTargetFor(need: Need, options: GlobalOptions, env: Env): Target | AppTarget {
  if (need === 'admin') return resolveTarget(options, env);
  if (need === 'app') return resolveAppTarget(options, env);
  if (set(options.url))
    throw new UsageError('this command works on the database, not a server: give --database-url or --data-dir, not --url');
  const target = resolveTarget({ ...options, adminToken: 'unused' }, { ...env, SWITCHBOARD_URL: undefined });
  if (target.kind === 'rest')
    throw new UsageError('this command works on the database: set DATABASE_URL or DATA_DIR (or pass --database-url / --data-dir)');
  return target;
}

function resolveAppTarget(options: GlobalOptions, env: Env): AppTarget {
  // The app's resources are reached only through a server: its API key names the app.
  if (set(options.databaseUrl) || set(options.dataDir)) {
    throw new UsageError("app commands go through a running server with the app's API key, not the database: use --url");
  }
  const url = set(options.url) ? options.url : set(env.SWITCHBOARD_URL) ? env.SWITCHBOARD_URL : DEFAULT_SERVER_URL;
  const apiKey = set(options.apiKey) ? options.apiKey : env.SWITCHBOARD_API_KEY;
  if (!set(apiKey)) throw new UsageError("no API key: set SWITCHBOARD_API_KEY to the app's key (or pass --api-key)");
  return { kind: 'app', url: serverOrigin(url), apiKey };
}

function set(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}

function schemaOf(env: Env): string {
  const schema = set(env.DATABASE_SCHEMA) ? env.DATABASE_SCHEMA : DEFAULT_SCHEMA;
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(schema)) throw new UsageError('DATABASE_SCHEMA must be lower-case letters, digits and _');
  return schema;
}

/** Picks the target from the flags, then the environment; throws `UsageError` when they conflict or are invalid. */
export function resolveTarget(options: GlobalOptions, env: Env): Target {
  if (set(options.databaseUrl) && set(options.dataDir)) throw new UsageError('give --database-url or --data-dir, not both');
  if (set(options.url) && (set(options.databaseUrl) || set(options.dataDir))) {
    throw new UsageError('give --url (a running server) or --database-url / --data-dir (the database), not both');
  }
  if (set(options.databaseUrl)) return postgres(options.databaseUrl, env);
  if (set(options.dataDir)) return { kind: 'pglite', dataDir: options.dataDir, schema: schemaOf(env) };
  if (!set(options.url)) {
    // The server's own precedence: DATABASE_URL wins over DATA_DIR.
    if (set(env.DATABASE_URL)) return postgres(env.DATABASE_URL, env);
    if (set(env.DATA_DIR)) return { kind: 'pglite', dataDir: env.DATA_DIR, schema: schemaOf(env) };
  }
  const url = set(options.url) ? options.url : set(env.SWITCHBOARD_URL) ? env.SWITCHBOARD_URL : DEFAULT_SERVER_URL;
  const adminToken = set(options.adminToken) ? options.adminToken : env.ADMIN_TOKEN;
  if (!set(adminToken)) throw new UsageError('no operator token: set ADMIN_TOKEN (or pass --admin-token)');
  return { kind: 'rest', url: serverOrigin(url), adminToken };
}

function postgres(url: string, env: Env): Target {
  // The URL may carry a password: name the problem, never echo the value.
  if (!hasProtocol(url, ['postgres:', 'postgresql:'])) throw new UsageError('the database URL must be a postgres:// URL');
  const redisUrl = env.REDIS_URL;
  const schema = schemaOf(env);
  if (redisUrl === undefined || redisUrl === '') return { kind: 'postgres', url, schema, redis: undefined };
  if (!hasProtocol(redisUrl, ['redis:', 'rediss:'])) throw new UsageError('REDIS_URL must be a redis:// or rediss:// URL');
  const prefix = env.REDIS_PREFIX === undefined || env.REDIS_PREFIX === '' ? DEFAULT_REDIS_PREFIX : env.REDIS_PREFIX;
  return { kind: 'postgres', url, schema, redis: { url: redisUrl, prefix } };
}

function serverOrigin(url: string): string {
  if (!hasProtocol(url, ['http:', 'https:'])) throw new UsageError('the server URL must be an http:// or https:// URL');
  return url.replace(/\/+$/, '');
}

function hasProtocol(url: string, protocols: readonly string[]): boolean {
  try {
    return protocols.includes(new URL(url).protocol);
  } catch {
    return false;
  }
}
