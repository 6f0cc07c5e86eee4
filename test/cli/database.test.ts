/**
 * `switchboard migrate`, `backup` and `restore`, run as an operator runs them (the real bin in a
 * child process), on the embedded store and on Postgres: backup, wipe, restore, and the restored
 * server accepts the old API key and serves the old history.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { createRestClient } from '@switchboard/sdk';
import { afterAll, describe, expect, it } from 'vitest';
import { createLogger, defaultConfig, startServer, type SwitchboardServer } from '@switchboard/server';
import { admin, databaseKinds, databaseUrl, uniqueName } from '../helpers/databases.ts';
import { deadline } from '../helpers/deadline.ts';
import { createContractTap, createSharedBackend, TEST_ADMIN_TOKEN, TEST_REDIS_URL } from '../helpers/server.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const folders: string[] = [];
afterAll(async () => {
  for (const folder of folders) await rm(folder, { recursive: true, force: true });
});

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function switchboard(args: readonly string[], env: Record<string, string>): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['server/bin/switchboard.js', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
  });
}

async function folder(): Promise<string> {
  const path = await mkdtemp(join(tmpdir(), 'sb-backup-'));
  folders.push(path);
  return path;
}

/** A node on `where` (a data folder, or a Postgres URL with the test Redis), checked by the contract tap. */
async function node(where: { dataDir: string } | { databaseUrl: string; redisPrefix: string }, extra: { migrate?: 'on' | 'off' } = {}) {
  const tap = createContractTap();
  const placement =
    'dataDir' in where
      ? { dataDir: where.dataDir }
      : { databaseUrl: where.databaseUrl, redisUrl: TEST_REDIS_URL, redisPrefix: where.redisPrefix };
  let server: SwitchboardServer;
  try {
    server = await startServer({
      config: defaultConfig({ port: 0, adminToken: TEST_ADMIN_TOKEN, demo: 'off', ...placement, ...extra }),
      logger: createLogger({ level: 'silent' }),
      inspect: tap,
    });
  } catch (error) {
    tap.release();
    throw error;
  }
  return {
    ...server,
    async close() {
      await server.close();
      tap.release();
      expect(tap.violations).toEqual([]);
    },
  };
}

describe.each(databaseKinds)('backup and restore (%s)', (kind) => {
  it('restores a wiped store: the old API key works and the history is served', { timeout: deadline(120_000) }, async () => {
    const work = await folder();
    const backupFile = join(work, 'switchboard.backup');
    let env: Record<string, string>;
    let where: { dataDir: string } | { databaseUrl: string; redisPrefix: string };
    let wipe: () => Promise<void>;
    let dispose = async () => {};
    if (kind === 'pglite') {
      const dataDir = join(work, 'data');
      where = { dataDir };
      env = { DATA_DIR: dataDir };
      wipe = () => rm(dataDir, { recursive: true, force: true });
    } else {
      const shared = await createSharedBackend();
      dispose = () => shared.close();
      where = shared;
      env = { DATABASE_URL: shared.databaseUrl };
      wipe = async () => {
        const client = new pg.Client({ connectionString: shared.databaseUrl });
        await client.connect();
        await client.query('drop schema switchboard cascade').finally(() => client.end());
      };
    }
    try {
      const first = await node(where);
      const app = await createTestApp(first, 'kept');
      await app.rest.rooms.create({ name: 'support', title: 'Support' });
      await app.rest.messages.publish('support', { data: { text: 'one' } });
      await app.rest.messages.publish('support', { data: { text: 'two' } });
      await first.close();

      const backup = await switchboard(['backup', backupFile, '--json'], env);
      expect(backup, backup.stderr).toMatchObject({ code: 0 });
      expect(JSON.parse(backup.stdout)).toMatchObject({ file: backupFile, tables: expect.arrayContaining(['apps', 'messages']) });
      expect((await stat(backupFile)).mode & 0o777).toBe(0o600);
      const content = await readFile(backupFile, 'utf8');
      expect(content).toContain('"one"');
      // Hashes only: neither the API key nor the server's generated signing key.
      expect(content).not.toContain(app.apiKey);
      expect(content).not.toContain('jwt_secret');
      expect(await switchboard(['backup', backupFile], env)).toMatchObject({ code: 2, stderr: expect.stringMatching(/exists/) });

      await wipe();
      const restored = await switchboard(['restore', backupFile], env);
      expect(restored, restored.stderr).toMatchObject({ code: 0 });
      expect(restored.stdout).toMatch(/^Restored /);
      // A second restore would overwrite: refused unless forced.
      const again = await switchboard(['restore', backupFile, '--json'], env);
      expect(again.code).toBe(1);
      expect(JSON.parse(again.stderr)).toMatchObject({ error: { code: 'conflict', message: expect.stringMatching(/not empty.*--force/) } });
      expect(await switchboard(['restore', backupFile, '--force'], env)).toMatchObject({ code: 0 });

      const second = await node(where);
      try {
        const history = await http(second, 'GET', '/v1/rooms/support/messages?after=0&limit=50', { headers: { 'API-Key': app.apiKey } });
        expect(history.status).toBe(200);
        expect((history.body?.items as { seq: number; data: unknown }[]).map((m) => [m.seq, m.data])).toEqual([
          [1, { text: 'one' }],
          [2, { text: 'two' }],
        ]);
        // New messages continue the sequence after the restored ones.
        const rest = createRestClient({ baseUrl: second.url, apiKey: app.apiKey });
        expect(await rest.messages.publish('support', { data: { text: 'three' } })).toMatchObject({ seq: 3 });
      } finally {
        await second.close();
      }
    } finally {
      await dispose();
    }
  });
});

describe('switchboard migrate with MIGRATE=off', () => {
  it(
    'a server told not to migrate refuses an unmigrated database until `switchboard migrate` ran',
    { timeout: deadline(90_000) },
    async () => {
      const name = uniqueName('sb_test_');
      await admin(`create database "${name}"`);
      try {
        const where = { databaseUrl: databaseUrl(name), redisPrefix: `${name}:` };
        await expect(node(where, { migrate: 'off' })).rejects.toThrow(/lacks .*migration.*switchboard migrate/);
        const migrated = await switchboard(['migrate', '--json'], { DATABASE_URL: where.databaseUrl });
        expect(migrated, migrated.stderr).toMatchObject({ code: 0 });
        expect(JSON.parse(migrated.stdout)).toMatchObject({
          schema: 'switchboard',
          applied: expect.arrayContaining(['2026-11-21T1200-initial']),
        });
        expect(await switchboard(['migrate'], { DATABASE_URL: where.databaseUrl })).toMatchObject({
          code: 0,
          stdout: 'Schema switchboard is up to date.\n',
        });
        const server = await node(where, { migrate: 'off' });
        await server.close();
      } finally {
        await admin(`drop database if exists "${name}" with (force)`);
      }
    },
  );

  it('needs a database target', { timeout: deadline(30_000) }, async () => {
    const run = await switchboard(['migrate'], { ADMIN_TOKEN: TEST_ADMIN_TOKEN, SWITCHBOARD_URL: 'http://127.0.0.1:1' });
    expect(run).toMatchObject({ code: 2, stderr: expect.stringMatching(/set DATABASE_URL or DATA_DIR/) });
  });
});
