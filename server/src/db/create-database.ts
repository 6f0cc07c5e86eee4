import { mkdir } from 'node:fs/promises';
import { resolve } from 'node:path';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect, sql, type PostgresPool } from 'kysely';
import pg from 'pg';
import { migrateToLatest } from './migrate.ts';
import { createPGliteDialect } from './pglite-dialect.ts';
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
}

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

// Scoped to our pool rather than `pg.types.setTypeParser`, which would change every pg user in
// the process. Our bigints (`seq`, `count(*)`) stay far below 2^53.
const postgresTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === INT8_OID ? Number : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** Options shared by every PGlite Switchboard opens, so both engines return the same JS types. */
const pgliteParsers = { [pgliteTypes.INT8]: (value: string): number => Number(value) };

/** Opens the database `options` describe and runs pending migrations before resolving. */
export async function createDatabase(options: CreateDatabaseOptions = {}): Promise<DatabaseHandle> {
  if (options.url) return openPostgresDatabase(options.url, options.onError);
  let dataDir: string | undefined;
  if (options.dataDir !== undefined) {
    dataDir = resolve(options.dataDir);
    await mkdir(dataDir, { recursive: true });
  }
  return openPGliteDatabase(await createPGlite({ dataDir }));
}

/** Starts a PGlite with Switchboard's type parsers; `loadDataDir` restores a `dumpDataDir()` tarball. */
export async function createPGlite(options: { dataDir?: string; loadDataDir?: Blob }): Promise<PGlite> {
  return PGlite.create({
    dataDir: options.dataDir ?? 'memory://',
    ...(options.loadDataDir === undefined ? {} : { loadDataDir: options.loadDataDir }),
    parsers: pgliteParsers,
  });
}

/** Wraps an open PGlite (from `createPGlite`) and migrates it; closing the handle closes PGlite. */
export async function openPGliteDatabase(pglite: PGlite): Promise<DatabaseHandle> {
  const db = new Kysely<Database>({ dialect: createPGliteDialect({ pglite }) });
  await migrateOrDestroy(db);
  return handle(db, 'pglite');
}

/** Connects a pool to `url`, checks it is reachable and migrates. Errors name the host, never the password. */
export async function openPostgresDatabase(url: string, onError?: (error: Error) => void): Promise<DatabaseHandle> {
  const pool = new pg.Pool({ connectionString: url, types: postgresTypes });
  // Without a listener, an idle client dropped by the server would crash the process.
  pool.on('error', (error) => onError?.(error));
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: unavailableWhenUnreachable(pool) }) });
  try {
    await sql`select 1`.execute(db);
  } catch (error) {
    await db.destroy();
    const cause = unavailableCause(error);
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new Error(`cannot connect to Postgres at ${describeTarget(url)}: ${reason}`, { cause: error });
  }
  await migrateOrDestroy(db);
  return handle(db, 'postgres');
}

/**
 * The pool as Kysely sees it: a connection that cannot be opened (the server is down, the
 * database gone, access refused) is `unavailable`, so every edge answers an outage as one
 * instead of as an internal error or, worse, as a wrong password.
 */
function unavailableWhenUnreachable(pool: pg.Pool): PostgresPool {
  return {
    async connect() {
      try {
        return await pool.connect();
      } catch (error) {
        throw databaseUnavailable(error);
      }
    },
    end: () => pool.end(),
  };
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

async function migrateOrDestroy(db: Kysely<Database>): Promise<void> {
  try {
    await migrateToLatest(db);
  } catch (error) {
    await db.destroy();
    throw error;
  }
}

function handle(db: Kysely<Database>, kind: DatabaseKind): DatabaseHandle {
  let closing: Promise<void> | undefined;
  return {
    db,
    kind,
    close: () => (closing ??= db.destroy()),
  };
}
