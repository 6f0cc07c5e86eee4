/**
 * Migrated template databases and the Postgres administration the test databases need. No
 * vitest hooks here: the run's global setup (main process) imports this as well as the workers.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
// The run's global setup imports this in vitest's main process, which resolves the workspace
// packages to their built dist/ (it does not apply the source condition): `npm test` builds first.
import { createPGlite, openPGliteDatabase, openPostgresDatabase } from '@switchboard/server/testing';

/** The Postgres server tests use; needs rights to create databases. */
export const testPostgresUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** Names of test databases; the stale sweep drops leftovers by these prefixes. */
export const TEST_DATABASE_PREFIX = 'sb_test_';
/** Names of template databases. */
export const TEMPLATE_PREFIX = 'sb_tmpl_';
// Leftovers of crashed runs: names carry their creation time, and anything this old is swept.
const STALE_AFTER_MS = 60 * 60 * 1000;

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

/** A Postgres identifier, quoted. */
export function quote(identifier: string): string {
  return `"${identifier.replaceAll('"', '""')}"`;
}

/** A migrated, empty PGlite, dumped uncompressed: loading then skips gunzip, most of a copy's cost. */
export async function buildPGliteTemplate(): Promise<Blob> {
  const pglite = await createPGlite({});
  const handle = await openPGliteDatabase(pglite);
  try {
    return await pglite.dumpDataDir('none');
  } finally {
    await handle.close();
  }
}

/** Creates and migrates a template database (after sweeping stale ones); returns its name. */
export async function buildPostgresTemplate(): Promise<string> {
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

/** Drops test and template databases that crashed runs left behind (older than an hour). */
export async function dropStaleDatabases(): Promise<void> {
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
