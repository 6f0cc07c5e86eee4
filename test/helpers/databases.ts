import { readFile } from 'node:fs/promises';
import type { Kysely } from 'kysely';
import { afterAll, inject } from 'vitest';
import { createPGlite, openPGliteDatabase, openPostgresDatabase } from '@switchboard/server/testing';
import type { Database, DatabaseHandle } from '@switchboard/server/testing';
import type { TestDatabaseKind } from './backends.ts';
import { admin, buildPGliteTemplate, buildPostgresTemplate, databaseUrl, quote, TEST_DATABASE_PREFIX, uniqueName } from './templates.ts';

export { databaseKinds, type TestDatabaseKind } from './backends.ts';
export { admin, databaseUrl, testPostgresUrl, uniqueName } from './templates.ts';

/** A fresh, migrated database of its own; `close()` (or `await using`) throws it away. */
export interface TestDatabase extends AsyncDisposable {
  readonly kind: TestDatabaseKind;
  readonly db: Kysely<Database>;
  /** The Postgres URL, so several server nodes can share this database; undefined for PGlite. */
  readonly url: string | undefined;
  close(): Promise<void>;
}

// The run's global setup (test/helpers/global-setup.ts) builds one migrated template of each
// engine for the whole run and provides where it is; each test database is a copy, which costs a
// fraction of creating and migrating from scratch. A file run without that setup (or asking for
// a kind the run does not test) falls back to a template of its own, dropped when the file ends.
let pgliteTemplate: Promise<Blob> | undefined;
let postgresTemplate: Promise<string> | undefined;
let ownPostgresTemplate = false;
// Databases a test forgot to close are closed (and dropped) with the templates.
const openDatabases = new Set<TestDatabase>();

// Test files import this helper while vitest collects them, so this is a file-level hook: every
// file cleans up when it ends without each caller remembering to. Hooks registered first run
// last, so the file's own teardown (closing servers and databases) comes before it.
afterAll(disposeTestTemplates);

/** A new, migrated, isolated database of `kind`, copied from the run's template. */
export async function createTestDatabase(kind: TestDatabaseKind): Promise<TestDatabase> {
  if (kind === 'pglite') {
    const dump = await (pgliteTemplate ??= retryable(loadPGliteTemplate, () => (pgliteTemplate = undefined)));
    const handle = await openPGliteDatabase(await createPGlite({ loadDataDir: dump }));
    return testDatabase(kind, handle, undefined, () => handle.close());
  }
  const template = await (postgresTemplate ??= retryable(findPostgresTemplate, () => (postgresTemplate = undefined)));
  const name = uniqueName(TEST_DATABASE_PREFIX);
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

/** Closes this file's leftover databases and drops a template it built itself; runs by itself after each file. */
export async function disposeTestTemplates(): Promise<void> {
  await Promise.all([...openDatabases].map((database) => database.close()));
  pgliteTemplate = undefined;
  const template = postgresTemplate;
  postgresTemplate = undefined;
  const own = ownPostgresTemplate;
  ownPostgresTemplate = false;
  const name = own ? await template?.catch(() => undefined) : undefined;
  if (name !== undefined) await admin(`drop database if exists ${quote(name)} with (force)`);
}

function testDatabase(kind: TestDatabaseKind, handle: DatabaseHandle, url: string | undefined, dispose: () => Promise<void>): TestDatabase {
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

/** The run's PGlite template, read from the file the global setup wrote; built here without one. */
async function loadPGliteTemplate(): Promise<Blob> {
  const path = inject('pgliteTemplatePath');
  if (path === undefined) return buildPGliteTemplate();
  return new Blob([await readFile(path)]);
}

/** The run's Postgres template database; built here (and dropped after this file) without one. */
async function findPostgresTemplate(): Promise<string> {
  const name = inject('postgresTemplateName');
  if (name !== undefined) return name;
  ownPostgresTemplate = true;
  return buildPostgresTemplate();
}
