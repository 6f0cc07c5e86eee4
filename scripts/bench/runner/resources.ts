/**
 * The backing services a peer run borrows: a temporary data folder, a scratch Postgres database
 * (created empty, dropped after), a random Redis namespace (its keys deleted after). Everything
 * is local: 127.0.0.1 only.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { cp, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import pg from 'pg';
import { createClient } from 'redis';

/** The Redis every Redis-backed peer uses. */
export const REDIS_URL = 'redis://127.0.0.1:6379';
/** The Postgres server scratch databases are created in. */
export const POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const SCAN_LIMIT = 1_000;
const DATABASE_PREFIX = 'sb_bench_';
// Scratch databases of runs that crashed carry their creation time; anything this old is dropped.
const STALE_AFTER_S = 3_600;

/** A short random suffix for names. */
export function randomName(): string {
  return randomBytes(5).toString('hex');
}

/** A temporary folder, removed by `remove()`. */
export async function tempDir(): Promise<{ path: string; remove(): Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), 'sb-bench-'));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/**
 * A migrated, empty embedded data folder: every embedded node of the run starts on a copy of it,
 * as on the second start of `npm start`, instead of paying PGlite's initdb and the migrations
 * (seconds of CPU each) at every launch. `seed(dir)` copies it into a node's data folder.
 */
export async function embeddedTemplate(): Promise<{ seed(dir: string): Promise<void>; remove(): Promise<void> }> {
  const dir = await tempDir();
  try {
    // Loaded only here: a run given its templates (the test run) never loads the server into the runner.
    const { createDatabase } = await import('@switchboard/server/testing');
    await (await createDatabase({ dataDir: dir.path })).close();
  } catch (err) {
    await dir.remove();
    throw err;
  }
  return { seed: (target) => cp(dir.path, target, { recursive: true }), remove: dir.remove };
}

/** Extracts an uncompressed tar (a dumped PGlite data folder) into `dir`. */
export async function extractTar(tar: string, dir: string): Promise<void> {
  await promisify(execFile)('tar', ['-xf', tar, '-C', dir]);
}

/**
 * Creates a database `sb_bench_<unix time>_<random>`, empty or as a copy of `template` (a migrated
 * template database, e.g. the test run's); `drop()` removes it with every connection to it.
 */
export async function scratchDatabase(template?: string): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `${DATABASE_PREFIX}${Math.floor(Date.now() / 1000)}_${randomName()}`;
  await adminQuery(template ? `create database ${name} template "${template.replaceAll('"', '""')}"` : `create database ${name}`);
  const url = new URL(POSTGRES_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}

/** Drops the scratch databases that crashed runs left behind (older than an hour). */
export async function sweepStaleDatabases(): Promise<void> {
  const names = (await adminQuery(`select string_agg(datname, ',') from pg_database where datname like '${DATABASE_PREFIX}%'`)).split(',');
  const cutoff = Date.now() / 1000 - STALE_AFTER_S;
  for (const name of names) {
    const created = Number(/^sb_bench_(\d+)_[0-9a-f]+$/.exec(name)?.[1]);
    if (created < cutoff) await adminQuery(`drop database if exists ${name} with (force)`);
  }
}

async function adminQuery(sql: string): Promise<string> {
  const client = new pg.Client({ connectionString: POSTGRES_URL, connectionTimeoutMillis: 5_000 });
  await client.connect();
  try {
    const result = await client.query<Record<string, unknown>>(sql);
    const first = result.rows[0];
    return first ? String(Object.values(first)[0]) : '';
  } finally {
    await client.end();
  }
}

/** Deletes the keys a run left under `prefix` (bounded: a few thousand keys at most are expected). */
export async function clearRedisPrefix(prefix: string): Promise<void> {
  const client = createClient({ url: REDIS_URL });
  await client.connect();
  try {
    let cursor = '0';
    for (let round = 0; round < SCAN_LIMIT; round++) {
      const page = await client.scan(cursor, { MATCH: `${prefix}*`, COUNT: 1_000 });
      if (page.keys.length > 0) await client.del(page.keys);
      cursor = String(page.cursor);
      if (cursor === '0') break;
    }
  } finally {
    await client.quit();
  }
}

/** The Redis server's version, or why it is not reachable. */
export async function redisVersion(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  const client = createClient({ url: REDIS_URL, socket: { connectTimeout: 3_000, reconnectStrategy: false } });
  client.on('error', () => undefined);
  try {
    await client.connect();
    const info = await client.info('server');
    await client.quit();
    return { ok: true, version: /redis_version:(\S+)/.exec(info)?.[1] ?? 'unknown' };
  } catch (err) {
    return { ok: false, reason: `Redis is not reachable at ${REDIS_URL}: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** The Postgres server's version, or why it is not reachable. */
export async function postgresVersion(): Promise<{ ok: true; version: string } | { ok: false; reason: string }> {
  try {
    return { ok: true, version: await adminQuery('show server_version') };
  } catch (err) {
    return { ok: false, reason: `Postgres is not reachable at ${POSTGRES_URL}: ${err instanceof Error ? err.message : String(err)}` };
  }
}
