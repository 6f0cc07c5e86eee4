import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { afterAll } from 'vitest';
import {
  createPGlite,
  openPGliteDatabase,
  openPostgresDatabase,
} from '@switchboard/server/testing';
import type { DatabaseHandle } from '@switchboard/server/testing';
import type { Database } from '@switchboard/server/testing';

/** The engines every database suite runs on. */
export const databaseKinds = ['pglite', 'postgres'] as const;

/** One of `databaseKinds`. */
export type TestDatabaseKind = (typeof databaseKinds)[number];

/** A fresh, migrated database of its own; `close()` (or `await using`) throws it away. */
export interface TestDatabase extends AsyncDisposable {
  readonly kind: TestDatabaseKind;
  readonly db: Kysely<Database>;
  /** The Postgres URL, so several server nodes can share this database; undefined for PGlite. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

/** The Postgres server tests use; needs rights to create databases. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

const PREFIX = 'sb_test_';
const TEMPLATE_PREFIX = 'sb_tmpl_';
// Leftovers of crashed runs: names carry their creation time, and anything this old is swept.
const STALE_AFTER_MS = 60 * 60 * 1000;

// One migrated template per test file (vitest isolates module state per file); each test
// database is a copy, which costs a fraction of creating and migrating from scratch.
let pgliteTemplate: Promise<Blob> | undefined;
let postgresTemplate: Promise<string> | undefined;
// Databases a test forgot to close are closed (and dropped) with the templates.
const openDatabases = new Set<TestDatabase>();

// Test files import this helper while vitest collects them, so this is a file-level hook: every
// file drops its template when it ends without each caller remembering to. Hooks registered
// first run last, so the file's own teardown (closing servers and databases) comes before it.
afterAll(disposeTestTemplates);

/** A new, migrated, isolated database of `kind`, copied from this file's template. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = await (pgliteTemplate ??= retryable(buildPGliteTemplate, () => (pgliteTemplate = undefined)));
    const handle = await openPGliteDatabase(await createPGlite({ loadDataDir: dump }));
    return testDatabase(kind, handle, undefined, () => handle.close());
  }
  const template = await (postgresTemplate ??= retryable(buildPostgresTemplate, () => (postgresTemplate = undefined)));
  const name = uniqueName(PREFIX);
  await admin(`create database ${quote(name)} template ${quote(template)}`);
  const url = databaseUrl(name);
  let handle: DatabaseHandle;
  try {
    handle = await openPostgresDatabase(url);
  } catch (error) {
    await admin(`drop database if exists ${quote(name)} with (force)`);
    throw error;
  }
  return testDatabase(kind, handle, url, async () => {
    await handle.close();
    await admin(`drop database if exists ${quote(name)} with (force)`);
  });
}

/** Closes this file's leftover databases and drops its templates; runs by itself after each file. */
export async function disposeTestTemplates(): Promise<void> {
  await Promise.all([...openDatabases].map((database) => database.close()));
  pgliteTemplate = undefined;
  const template = postgresTemplate;
  postgresTemplate = undefined;
  const name = await template?.catch(() => undefined);
  if (name !== undefined) await admin(`drop database if exists ${quote(name)} with (force)`);
}

/** A Postgres URL for another database on the test server. */
export function databaseUrl(name: string): string {
  const url = new URL(testPostgresUrl);
  url.pathname = `/${encodeURIComponent(name)}`;
  return url.toString();
}

/** Runs one statement on the test server's maintenance database. */
export async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** `prefix` + creation time + random suffix: unique across concurrent workers and runs. */
export function uniqueName(prefix: string): string {
  return `${prefix}${Date.now()}_${randomBytes(4).toString('hex')}`;
}

function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

function testDatabase(
  kind: TestDatabaseKind,
  handle: DatabaseHandle,
  url: string | undefined,
  dispose: () => Promise<void>,
): TestDatabase {
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    openDatabases.delete(database);
    return (closing ??= dispose());
  };
  const database: TestDatabase = { kind, db: handle.db, url, close, [Symbol.asyncDispose]: close };
  openDatabases.add(database);
  return database;
}

/** Caches `build`'s promise, but forgets a failure so the next caller tries again. */
function retryable<T>(build: () => Promise<T>, forget: () => void): Promise<T> {
  return build().catch((error: unknown) => {
    forget();
    throw error;
  });
}

async function buildPGliteTemplate(): Promise<Blob> {
  const pglite = await createPGlite({});
  const handle = await openPGliteDatabase(pglite);
  try {
    // Uncompressed: loading skips gunzip, which is most of a copy's cost.
    return await pglite.dumpDataDir('none');
  } finally {
    await handle.close();
  }
}

async function buildPostgresTemplate(): Promise<string> {
  await dropStaleDatabases();
  const name = uniqueName(TEMPLATE_PREFIX);
  await admin(`create database ${quote(name)}`);
  try {
    const handle = await openPostgresDatabase(databaseUrl(name));
    await handle.close();
  } catch (error) {
    await admin(`drop database if exists ${quote(name)} with (force)`);
    throw error;
  }
  return name;
}

async function dropStaleDatabases(): Promise<void> {
  const client = new pg.Client({ connectionString: testPostgresUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ datname: string }>(
      `select datname from pg_database where datname like 'sb\\_test\\_%' or datname like 'sb\\_tmpl\\_%'`,
    );
    const cutoff = Date.now() - STALE_AFTER_MS;
    for (const { datname } of rows) {
      const createdAt = Number(datname.split('_')[2]);
      if (Number.isFinite(createdAt) && createdAt < cutoff) {
        await client.query(`drop database if exists ${quote(datname)} with (force)`);
      }
    }
  } finally {
    await client.end();
  }
}
