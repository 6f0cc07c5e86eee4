import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, listApps } from '@switchboard/server/testing';
import { createDatabase } from '@switchboard/server/testing';
import { appendMessage } from '@switchboard/server/testing';
import { createRoom, getRoom } from '@switchboard/server/testing';
import { admin, databaseUrl, uniqueName } from '../helpers/databases.ts';
import { deadline } from '../helpers/deadline.ts';

describe('createDatabase', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  it(
    'keeps PGlite data in dataDir across close and reopen',
    async () => {
      const parent = await mkdtemp(join(tmpdir(), 'switchboard-db-'));
      cleanups.push(() => rm(parent, { recursive: true, force: true }));
      // A folder that does not exist yet: createDatabase makes it.
      const dataDir = join(parent, 'data');

      const first = await createDatabase({ dataDir });
      expect(first.kind).toBe('pglite');
      const app = await createApp(first.db, { name: 'kept' });
      const room = await createRoom(first.db, { appId: app.id, name: 'lobby' });
      await appendMessage(first.db, room.id, { senderType: 'app', senderName: 'app', text: 'hi' });
      await first.close();
      await first.close();

      const second = await createDatabase({ dataDir });
      cleanups.push(() => second.close());
      expect(await listApps(second.db)).toEqual([app]);
      // bigint-as-number is scoped to our pools: other pg users in the process still get strings.
      expect(pg.types.getTypeParser(20)('5')).toBe('5');
      expect((await getRoom(second.db, app.id, 'lobby'))?.last_seq).toBe(1);
    },
    deadline(60_000),
  ); // two fresh on-disk PGlite starts: seconds each on a busy 2-core machine

  it('opens and migrates an empty Postgres database when given a URL', async () => {
    const name = uniqueName('sb_test_');
    await admin(`create database "${name}"`);
    cleanups.push(() => admin(`drop database if exists "${name}" with (force)`));
    // Four nodes starting at once against the same empty database, migration tables included.
    const nodes = await Promise.all([1, 2, 3, 4].map(() => createDatabase({ url: databaseUrl(name) })));
    for (const node of nodes) cleanups.push(() => node.close());
    expect(nodes.map((node) => node.kind)).toEqual(['postgres', 'postgres', 'postgres', 'postgres']);
    const [first, second] = nodes;
    if (first === undefined || second === undefined) throw new Error('no nodes');
    const app = await createApp(first.db, { name: 'shared' });
    expect(await listApps(second.db)).toEqual([app]);
    // bigint-as-number is scoped to our pools: other pg users in the process still get strings.
    expect(pg.types.getTypeParser(20)('5')).toBe('5');
  });

  it('names the host but never the password when Postgres is unreachable', async () => {
    const failure = createDatabase({ url: 'postgres://switchboard:hunter2@127.0.0.1:1/app' });
    await expect(failure).rejects.toThrow(/127\.0\.0\.1:1\/app/);
    const error = await failure.catch((caught: unknown) => caught);
    expect(String(error instanceof Error ? error.message : error)).not.toContain('hunter2');
  });
});
