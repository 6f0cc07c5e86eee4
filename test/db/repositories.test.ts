import { Migrator, sql } from 'kysely';
import type { Kysely } from 'kysely';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  addApiKey,
  createApp,
  deleteApp,
  findActiveApiKeyByHash,
  getApp,
  listApiKeys,
  listApps,
  revokeApiKey,
} from '@switchboard/server/testing';
import { openPostgresDatabase } from '@switchboard/server/testing';
import { createEndpoint, findEndpointByCodeHash, listEndpoints } from '@switchboard/server/testing';
import { UniqueViolation } from '@switchboard/server/testing';
import { appendMessage, editMessage, getMessage, listMessages, softDeleteMessage } from '@switchboard/server/testing';
import { migrateToLatest, migrations } from '@switchboard/server/testing';
import { createRoom, deleteRoom, getRoom, listRooms, updateRoom } from '@switchboard/server/testing';
import type { Database, Room } from '@switchboard/server/testing';
import { createUser, getUserByUsername } from '@switchboard/server/testing';
import { createTestDatabase, databaseKinds } from '../helpers/databases.ts';
import type { TestDatabase } from '../helpers/databases.ts';

/** A promise with its resolver outside, to order steps without timers. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

async function count(db: Kysely<Database>, table: keyof Database): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

describe.each(databaseKinds)('storage on %s', (kind) => {
  let test: TestDatabase;
  let db: Kysely<Database>;

  beforeEach(async () => {
    test = await createTestDatabase(kind);
    db = test.db;
  });
  afterEach(async () => {
    await test.close();
  });

  async function roomWithMessages(total: number): Promise<Room> {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    for (let i = 1; i <= total; i++) {
      await appendMessage(db, room.id, { senderType: 'app', senderName: 'app', text: `m${i}` });
    }
    return room;
  }

  it('runs migrations idempotently', async () => {
    expect(await migrateToLatest(db)).toEqual([]);
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it('migrates once when several starts race on an empty schema', async () => {
    const migrator = new Migrator({ db, provider: { getMigrations: async () => ({ ...migrations }) } });
    expect((await migrator.migrateDown()).error).toBeUndefined();
    if (test.url === undefined) {
      const runs = await Promise.all([migrateToLatest(db), migrateToLatest(db), migrateToLatest(db)]);
      expect(runs.map((results) => results.length).sort()).toEqual([0, 0, 1]);
    } else {
      // Separate pools, like separate server nodes sharing one Postgres.
      const url = test.url;
      const nodes = await Promise.all([1, 2, 3, 4].map(() => openPostgresDatabase(url)));
      await Promise.all(nodes.map((node) => node.close()));
    }
    expect(await count(db, 'apps')).toBe(0);
    expect(await migrateToLatest(db)).toEqual([]);
  });

  it('creates, lists, gets and deletes apps', async () => {
    const first = await createApp(db, { name: 'first' });
    const second = await createApp(db, { name: 'second' });
    expect(first.created_at).toBeInstanceOf(Date);
    expect((await listApps(db)).map((app) => app.name)).toEqual(['first', 'second']);
    expect(await getApp(db, first.id)).toEqual(first);
    expect(await deleteApp(db, first.id)).toBe(true);
    expect(await deleteApp(db, first.id)).toBe(false);
    expect(await getApp(db, first.id)).toBeUndefined();
    expect(await listApps(db)).toEqual([second]);
  });

  it('finds active API keys by hash and stops finding them once revoked', async () => {
    const app = await createApp(db, { name: 'app' });
    const other = await createApp(db, { name: 'other' });
    const key = await addApiKey(db, { appId: app.id, prefix: 'sb_12345', hash: 'a'.repeat(64) });
    expect(key.revoked_at).toBeNull();
    expect(await findActiveApiKeyByHash(db, key.hash)).toEqual({ key, app });
    expect(await findActiveApiKeyByHash(db, 'b'.repeat(64))).toBeUndefined();

    const duplicate = addApiKey(db, { appId: other.id, prefix: 'sb_x', hash: key.hash });
    await expect(duplicate).rejects.toBeInstanceOf(UniqueViolation);
    await expect(duplicate).rejects.toMatchObject({ constraint: 'api_keys_hash_key' });

    expect(await revokeApiKey(db, other.id, key.id)).toBe(false);
    expect(await revokeApiKey(db, app.id, key.id)).toBe(true);
    expect(await revokeApiKey(db, app.id, key.id)).toBe(false);
    expect(await findActiveApiKeyByHash(db, key.hash)).toBeUndefined();
    const [revoked] = await listApiKeys(db, app.id);
    expect(revoked?.revoked_at).toBeInstanceOf(Date);
  });

  it('keeps room names unique per app only', async () => {
    const app = await createApp(db, { name: 'app' });
    const other = await createApp(db, { name: 'other' });
    const lobby = await createRoom(db, { appId: app.id, name: 'lobby' });
    expect(lobby).toMatchObject({ title: null, staff_only: false, history: true, last_seq: 0 });

    const duplicate = createRoom(db, { appId: app.id, name: 'lobby' });
    await expect(duplicate).rejects.toMatchObject({ name: 'UniqueViolation', constraint: 'rooms_app_id_name_key' });
    const elsewhere = await createRoom(db, { appId: other.id, name: 'lobby', staffOnly: true, history: false });
    expect(elsewhere).toMatchObject({ staff_only: true, history: false });

    await createRoom(db, { appId: app.id, name: 'annex', title: 'The annex' });
    expect((await listRooms(db, app.id)).map((room) => room.name)).toEqual(['annex', 'lobby']);
    expect(await getRoom(db, other.id, 'lobby')).toEqual(elsewhere);
    expect(await getRoom(db, other.id, 'annex')).toBeUndefined();
  });

  it('updates and deletes rooms', async () => {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    await createRoom(db, { appId: app.id, name: 'annex' });

    const updated = await updateRoom(db, app.id, 'lobby', { title: 'Hall', staffOnly: true });
    expect(updated).toMatchObject({ id: room.id, title: 'Hall', staff_only: true, history: true });
    expect(updated?.updated_at.getTime()).toBeGreaterThanOrEqual(room.updated_at.getTime());
    await expect(updateRoom(db, app.id, 'lobby', { name: 'annex' })).rejects.toBeInstanceOf(UniqueViolation);
    expect(await updateRoom(db, app.id, 'lobby', { name: 'hall' })).toMatchObject({ id: room.id, name: 'hall' });
    expect(await updateRoom(db, app.id, 'missing', { title: 'x' })).toBeUndefined();

    expect(await deleteRoom(db, app.id, 'hall')).toBe(true);
    expect(await deleteRoom(db, app.id, 'hall')).toBe(false);
    expect((await listRooms(db, app.id)).map((r) => r.name)).toEqual(['annex']);
  });

  it('cascades deletes from apps and rooms', async () => {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    const annex = await createRoom(db, { appId: app.id, name: 'annex' });
    await addApiKey(db, { appId: app.id, prefix: 'sb_', hash: 'c'.repeat(64) });
    await createUser(db, { appId: app.id, username: 'ada', passwordHash: 'scrypt$x' });
    for (const target of [room, annex]) {
      await createEndpoint(db, {
        appId: app.id,
        roomId: target.id,
        codeHash: `code-${target.name}`,
        permissions: 'readwrite',
        identity: 'bot',
      });
      await appendMessage(db, target.id, { senderType: 'app', senderName: 'app', text: 'hi' });
    }

    await deleteRoom(db, app.id, 'annex');
    expect(await count(db, 'messages')).toBe(1);
    expect(await listEndpoints(db, app.id)).toHaveLength(1);

    await deleteApp(db, app.id);
    for (const table of ['api_keys', 'rooms', 'endpoints', 'users', 'messages'] as const) {
      expect(await count(db, table)).toBe(0);
    }
  });

  it('stores users and endpoints per app', async () => {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    const ada = await createUser(db, { appId: app.id, username: 'ada', staff: true });
    expect(await getUserByUsername(db, app.id, 'ada')).toEqual(ada);
    await expect(createUser(db, { appId: app.id, username: 'ada' })).rejects.toMatchObject({
      constraint: 'users_app_id_username_key',
    });
    const endpoint = await createEndpoint(db, {
      appId: app.id,
      roomId: room.id,
      codeHash: 'hash',
      permissions: 'read',
      identity: 'sensor',
    });
    expect(await findEndpointByCodeHash(db, 'hash')).toEqual({ endpoint, room });
    expect(await findEndpointByCodeHash(db, 'nope')).toBeUndefined();
  });

  it('numbers 50 concurrent appends gaplessly and in order', async () => {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    const appended = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        appendMessage(db, room.id, { senderType: 'user', senderId: 'u1', senderName: 'ada', text: `m${i}` }),
      ),
    );
    const seqs = appended.map((message) => message?.seq ?? -1).sort((a, b) => a - b);
    expect(seqs).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    expect((await getRoom(db, app.id, 'lobby'))?.last_seq).toBe(50);
    const stored = await listMessages(db, room.id, { after: 0, limit: 100 });
    expect(stored.map((message) => message.seq)).toEqual(seqs);
  });

  it('leaves no gap when an append is rolled back, and refuses unknown rooms', async () => {
    const app = await createApp(db, { name: 'app' });
    const room = await createRoom(db, { appId: app.id, name: 'lobby' });
    const failed = db.transaction().execute(async (trx) => {
      await appendMessage(trx, room.id, { senderType: 'app', senderName: 'app', text: 'lost' });
      throw new Error('abort');
    });
    await expect(failed).rejects.toThrow('abort');
    const kept = await appendMessage(db, room.id, { senderType: 'app', senderName: 'app', text: 'kept' });
    expect(kept?.seq).toBe(1);
    expect(await appendMessage(db, 'no-such-room', { senderType: 'app', senderName: 'app' })).toBeUndefined();
  });

  it('pages history with after, before and limit', async () => {
    const room = await roomWithMessages(10);
    const seqs = async (options: { after?: number; before?: number; limit: number }): Promise<number[]> =>
      (await listMessages(db, room.id, options)).map((message) => message.seq);
    expect(await seqs({ limit: 3 })).toEqual([8, 9, 10]);
    expect(await seqs({ after: 2, limit: 3 })).toEqual([3, 4, 5]);
    expect(await seqs({ after: 8, limit: 5 })).toEqual([9, 10]);
    expect(await seqs({ before: 4, limit: 10 })).toEqual([1, 2, 3]);
    expect(await seqs({ before: 8, limit: 2 })).toEqual([6, 7]);
    expect(await seqs({ after: 2, before: 6, limit: 10 })).toEqual([3, 4, 5]);
    expect(await seqs({ after: 10, limit: 5 })).toEqual([]);
    await expect(listMessages(db, room.id, { limit: 0 })).rejects.toBeInstanceOf(RangeError);
  });

  it('edits and soft-deletes messages, keeping tombstones', async () => {
    const room = await roomWithMessages(0);
    const data = { list: [1, 'two', { three: true }], nothing: null };
    const message = await appendMessage(db, room.id, { senderType: 'endpoint', senderName: 'bot', data });
    if (message === undefined) throw new Error('room vanished');
    expect(message).toMatchObject({ text: null, data, edited_at: null, deleted_at: null, sender_id: null });

    const edited = await editMessage(db, room.id, message.id, { text: 'now with text', data: [1, 2] });
    expect(edited).toMatchObject({ text: 'now with text', data: [1, 2] });
    expect(edited?.edited_at).toBeInstanceOf(Date);
    expect(await editMessage(db, 'other-room', message.id, { text: 'x' })).toBeUndefined();

    const tombstone = await softDeleteMessage(db, room.id, message.id);
    expect(tombstone).toMatchObject({ seq: 1, text: null, data: null });
    expect(tombstone?.deleted_at).toBeInstanceOf(Date);
    expect(await softDeleteMessage(db, room.id, message.id)).toBeUndefined();
    expect(await editMessage(db, room.id, message.id, { text: 'revived' })).toBeUndefined();
    expect(await getMessage(db, room.id, message.id)).toEqual(tombstone);
    expect(await listMessages(db, room.id, { limit: 10 })).toEqual([tombstone]);
  });

  it('returns bigint columns as numbers', async () => {
    const room = await roomWithMessages(2);
    const [message] = await listMessages(db, room.id, { limit: 1 });
    expect(typeof message?.seq).toBe('number');
    expect(typeof (await getRoom(db, room.app_id, 'lobby'))?.last_seq).toBe('number');
    const { rows } = await sql<{ big: number }>`select 9007199254740991::bigint as big`.execute(db);
    expect(rows[0]?.big).toBe(Number.MAX_SAFE_INTEGER);
  });

  it('keeps a concurrent query out of an open transaction (PGlite: it waits for the one connection)', async () => {
    const app = await createApp(db, { name: 'app' });
    const events: string[] = [];
    const inside = deferred();
    const release = deferred();
    const transaction = db.transaction().execute(async (trx) => {
      await createRoom(trx, { appId: app.id, name: 'rolled-back' });
      events.push('transaction: wrote');
      inside.resolve();
      await release.promise;
      await createRoom(trx, { appId: app.id, name: 'also-rolled-back' });
      events.push('transaction: rolling back');
      throw new Error('roll back');
    });
    await inside.promise;
    // Without the mutex this insert would run inside the open transaction and vanish with it.
    const outside = createRoom(db, { appId: app.id, name: 'outside' }).then(() => events.push('outside: wrote'));
    release.resolve();
    await expect(transaction).rejects.toThrow('roll back');
    await outside;
    // Postgres runs the outside query on another pooled connection at once; PGlite has one
    // connection, so the mutex makes it wait until the transaction is over.
    if (kind === 'pglite') expect(events).toEqual(['transaction: wrote', 'transaction: rolling back', 'outside: wrote']);
    else expect(events).toEqual(expect.arrayContaining(['transaction: wrote', 'transaction: rolling back', 'outside: wrote']));
    expect((await listRooms(db, app.id)).map((room) => room.name)).toEqual(['outside']);
  });
});
