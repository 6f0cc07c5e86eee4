import { resolve } from 'node:path';
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import pg from 'pg';
import { lockDataDir } from './data-dir-lock.ts';
import { ownerOnlyFolder, restrictTree } from './owner-only.ts';
import { DEFAULT_DATABASE_SCHEMA, isSchemaName, migrateToLatest, requireMigrated } from './migrate.ts';
import { createPGliteDialect } from './pglite-dialect.ts';
import { startPGliteThread, type PGliteLike } from './pglite-thread.ts';
import type { Database } from './schema.ts';
import { databaseUnavailable, unavailableCause } from './errors.ts';

/** Which engine a database handle talks to. */
export type DatabaseKind = 'postgres' | 'pglite';

/** Where the data lives: a Postgres URL, else embedded PGlite (in `dataDir`, else in memory). */
export interface CreateDatabaseOptions {
  /** `postgres://user:password@host:port/database`; when set, `dataDir` is ignored. */
  url?: string;
  /** Folder for PGlite's files, created if missing. @default in memory, lost on close */
  dataDir?: string;
  /** Called with errors of idle pooled Postgres connections (the pool replaces them). @default ignored */
  onError?: (error: Error) => void;
  /** The Postgres schema of every Switchboard table, so an application's database can be shared. @default 'switchboard' */
  schema?: string;
  /** Run pending migrations on open; false only checks there are none (MIGRATE=off). @default true */
  migrate?: boolean;
  /** Neither migrate nor check (tools that inspect the migration state themselves). @default false */
  skipMigrations?: boolean;
}

/** How a database is opened, whichever the engine. */
export type OpenOptions = Pick<CreateDatabaseOptions, 'onError' | 'schema' | 'migrate' | 'skipMigrations'>;

/** An open, migrated database. */
export interface DatabaseHandle {
  /** The query builder; pass it (or a transaction from it) to the repositories. */
  readonly db: Kysely<Database>;
  /** The engine behind `db`. */
  readonly kind: DatabaseKind;
  /** Closes the pool or PGlite; later calls do nothing. */
  close(): Promise<void>;
}

const INT8_OID = 20;

/** How long opening a Postgres connection may take before the request answers `unavailable`. */
export const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/** How long one query may wait for Postgres before it fails (and the request answers `unavailable`). */
export const POSTGRES_QUERY_TIMEOUT_MS = 5_000;

// Scoped to our pool rather than `pg.types.setTypeParser`, which would change every pg user in
// the process. Our bigints (`seq`, `count(*)`) stay far below 2^53.
const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Opens the database `options` describe and runs pending migrations before resolving. */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) return openPostgresDatabase(options.url, options);
  if (options.dataDir === undefined) return openPGliteDatabase(await createPGlite({}), options);
  const dataDir = resolve(options.dataDir);
  await ownerOnlyFolder(dataDir);
  // Before PGlite touches the files: a second server on the folder must fail, not corrupt it.
  const lock = await lockDataDir(dataDir);
  try {
    const database = await openPGliteDatabase(await createPGlite({ dataDir }), options);
    await restrictTree(dataDir);
    return {
      ...database,
      close: () =>
        database
          .close()
          .then(() => restrictTree(dataDir))
          .finally(() => lock.release()),
    };
  } catch (error) {
    await lock.release();
    throw error;
  }
}

/**
 * Starts PGlite, with Switchboard's type parsers, on a thread of its own (pglite-worker.ts), so a
 * heavy query never holds the sockets' event loop; `loadDataDir` restores a `dumpDataDir()` tarball.
 */
export async function createPGlite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PGliteLike> {
  return startPGliteThread(options);
}

/** Wraps an open PGlite (from `createPGlite`) and migrates it; closing the handle closes PGlite. */
export async function openPGliteDatabase(pglite: PGliteLike, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const schema = schemaOf(options);
  // PGlite is one session: setting its search_path once covers every later query.
  await pglite.query(`set search_path to ${schema}`, [], { rowMode: 'object' });
  const db = new Kysely<Database>({ dialect: createPGliteDialect({ pglite }) });
  try {
    await migrateOrCheck(db, schema, options);
  } catch (error) {
    await db.destroy();
    throw error;
  }
  return handle(db, 'pglite');
}

/** Connects a pool to `url`, checks it is reachable and migrates. Errors name the host, never the password. */
export async function openPostgresDatabase(url: string, options: OpenOptions = {}): Promise<DatabaseHandle> {
  const { onError } = options;
  const schema = schemaOf(options);
  // Set in the startup packet, so no query on any connection (the migrator's included) can run
  // before it: unqualified names resolve only in `schema`, never to an application's own tables.
  const session = { connectionString: url, types: postgresTypes, options: `-c search_path=${schema}` };
  const pool = new pg.Pool({
    ...session,
    // A database that stalls must not stall every socket behind it: connects and queries give up,
    // the caller answers `unavailable`, and the client retries.
    connectionTimeoutMillis: POSTGRES_CONNECT_TIMEOUT_MS,
    query_timeout: POSTGRES_QUERY_TIMEOUT_MS,
  });
  // Without a listener, an idle client dropped by the server would crash the process.
  pool.on('error', (error) => onError?.(error));
  // So would a client that is checked out when its connection drops (pg emits `error` on it and
  // the pool listens only while it is idle); its query fails on its own.
  pool.on('connect', (client) => client.on('error', (error) => onError?.(error)));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: unavailableWhenUnreachable(pool) }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    const cause = unavailableCause(error);
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot connect to Postgres at ${describeTarget(url)}: ${reason}`, { cause: error });
  }
  // Migrations wait on a lock while another node migrates and may run long: not under the
  // request timeout, on a connection of their own.
  const migrationPool = new pg.Pool({ ...session, max: 1 });
  migrationPool.on('error', (error) => onError?.(error));
  const migrator = new Kysely<Database>({ dialect: new PostgresDialect({ pool: migrationPool }) });
  try {
    await migrateOrCheck(migrator, schema, options);
  } catch (error) {
    await db.destroy();
    throw error;
  } finally {
    await migrator.destroy();
  }
  return handle(db, 'postgres');
}

/**
 * The pool as Kysely sees it: a connection that cannot be opened (the server is down, the
 * database gone, access refused), or that drops or stalls under a query, is `unavailable`, so
 * every edge answers an outage as one instead of as an internal error or, worse, as a wrong
 * password. A connection that failed that way is destroyed on release, not reused.
 */
function unavailableWhenUnreachable(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      let client: pg.PoolClient;
      try {
        client = await pool.connect();
      } catch (error) {
        throw databaseUnavailable(error);
      }
      let broken: Error | undefined;
      return {
        query: (async (...args: Parameters<pg.PoolClient['query']>) => {
          try {
            return await (client.query as (...a: unknown[]) => Promise<unknown>)(...args);
          } catch (error) {
            if (!isConnectionFailure(error)) throw error;
            broken = error instanceof Error ? error : new Error(String(error));
            throw databaseUnavailable(error);
          }
        }) as pg.PoolClient['query'],
        release: () => client.release(broken),
      };
    },
    end: () => pool.end(),
  };
}

// SQLSTATE classes and codes that mean "the database is not there right now", not "your query is wrong".
const UNAVAILABLE_STATES = new Set(['57P01', '57P02', '57P03', '53300', '53400']);
const UNAVAILABLE_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);
const UNAVAILABLE_MESSAGES = [/^Connection terminated/, /^Query read timeout/, /not queryable/, /^timeout exceeded when trying to connect/];

/** Whether a driver error says the connection failed (down, dropped, timed out) rather than the query. */
export function isConnectionFailure(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as { code?: unknown }).code;
  if (typeof code === 'string' && (code.startsWith('08') || UNAVAILABLE_STATES.has(code) || UNAVAILABLE_SOCKET_CODES.has(code)))
    return true;
  return UNAVAILABLE_MESSAGES.some((pattern) => pattern.test(error.message));
}

/** One round trip to the database (the readiness probe); rejects when it does not answer. */
export async function pingDatabase(db: Kysely<Database>): Promise<void> {
  await sql`select 1`.execute(db);
}

/** `host:port/database` of a Postgres URL, without the credentials. */
export function describeTarget(url: string): string {
  try {
    const parsed = new URL(url);
    const host = parsed.hostname || 'localhost';
    const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
    return `${host}:${parsed.port || '5432'}/${database}`;
  } catch {
    return '(a URL that does not parse)';
  }
}

function schemaOf(options: OpenOptions): string {
  const schema = options.schema ?? DEFAULT_DATABASE_SCHEMA;
  // config.ts validates DATABASE_SCHEMA; this guards embedders, as the name is spliced into SQL.
  if (!isSchemaName(schema)) throw new Error(`not a schema name Switchboard accepts: ${JSON.stringify(schema)}`);
  return schema;
}

async function migrateOrCheck(db: Kysely<Database>, schema: string, options: OpenOptions): Promise<void> {
  if (options.skipMigrations === true) return;
  if (options.migrate === false) await requireMigrated(db, schema);
  else await migrateToLatest(db, schema);
}

function handle(db: Kysely<Database>, kind: DatabaseKind): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    close: () => (closing ??= db.destroy()),
  };
}
