/**
 * DATABASE_SCHEMA: Switchboard's tables live in their own schema, so the server can share an
 * application's database. The application here already has `public.users` (other columns) and
 * its own Kysely `kysely_migration` table, as an application built with Kysely would.
 */
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import { admin, databaseUrl, uniqueName } from '../helpers/databases.ts';
import { deadline } from '../helpers/deadline.ts';
import { startTestServer, type SharedBackend } from '../helpers/server.ts';
import { createTestApp, http } from '../helpers/tenancy.ts';

/** An empty database holding only the application's own tables, dropped on dispose. */
async function applicationDatabase(): Promise<SharedBackend & { query<T extends pg.QueryResultRow>(text: string): Promise<T[]> }> {
  const name = uniqueName('sb_test_');
  await admin(`create database "${name}"`);
  const url = databaseUrl(name);
  const query = async <T extends pg.QueryResultRow>(text: string): Promise<T[]> => {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      return (await client.query<T>(text)).rows;
    } finally {
      await client.end();
    }
  };
  await query(`
    create table public.users (id serial primary key, email text not null unique, plan text not null default 'free');
    insert into public.users (email, plan) values ('ada@example.com', 'pro'), ('bob@example.com', 'free');
    create table public.kysely_migration (name varchar(255) primary key, timestamp varchar(255) not null);
    insert into public.kysely_migration values ('app-0001-users', '2026-01-01T00:00:00.000Z');`);
  const close = () => admin(`drop database if exists "${name}" with (force)`);
  return { databaseUrl: url, redisPrefix: `${name}:`, close, [Symbol.asyncDispose]: close, query };
}

const applicationTables = `
  select table_schema || '.' || table_name as name from information_schema.tables
  where table_schema not in ('pg_catalog', 'information_schema') order by 1`;

describe('DATABASE_SCHEMA', () => {
  it("migrates and serves beside an application's own users table, leaving it untouched", { timeout: deadline(60_000) }, async () => {
    await using shared = await applicationDatabase();
    const before = await shared.query(`select * from public.users order by id`);
    const columnsBefore = await shared.query(
      `select column_name, data_type from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
    );

    await using server = await startTestServer({ backend: 'postgres+redis', shared });
    const app = await createTestApp(server, 'shared-db');
    await app.rest.users.create({ username: 'bob', password: 'bobs-long-password' });
    const signIn = await http(server, 'POST', '/v1/auth/token', {
      body: JSON.stringify({ app: app.id, username: 'bob', password: 'bobs-long-password' }),
    });
    expect(signIn.status).toBe(200);
    expect((await app.rest.users.list()).items.map((user) => user.username)).toEqual(['bob']);

    // The application's tables are as they were; Switchboard's are all in its own schema.
    expect(await shared.query(`select * from public.users order by id`)).toEqual(before);
    expect(
      await shared.query(
        `select column_name, data_type from information_schema.columns where table_schema = 'public' order by table_name, column_name`,
      ),
    ).toEqual(columnsBefore);
    expect(await shared.query(`select * from public.kysely_migration`)).toEqual([
      { name: 'app-0001-users', timestamp: '2026-01-01T00:00:00.000Z' },
    ]);
    const tables = (await shared.query<{ name: string }>(applicationTables)).map((row) => row.name);
    expect(tables.filter((table) => table.startsWith('public.'))).toEqual(['public.kysely_migration', 'public.users']);
    expect(tables).toEqual(
      expect.arrayContaining(['switchboard.apps', 'switchboard.users', 'switchboard.messages', 'switchboard.kysely_migration']),
    );
    expect(await shared.query(`select username from switchboard.users`)).toEqual([{ username: 'bob' }]);
  });

  it('keeps two deployments in two schemas of one database apart', { timeout: deadline(60_000) }, async () => {
    await using shared = await applicationDatabase();
    await using first = await startTestServer({ backend: 'postgres+redis', shared, config: { databaseSchema: 'chat_a' } });
    await using second = await startTestServer({
      backend: 'postgres+redis',
      shared: { ...shared, redisPrefix: `${shared.redisPrefix}b:` },
      config: { databaseSchema: 'chat_b' },
    });
    const app = await createTestApp(first, 'only-in-a');
    expect((await http(second, 'GET', '/v1/rooms', { headers: { 'API-Key': app.apiKey } })).status).toBe(401);
    expect(await shared.query(`select name from chat_a.apps`)).toEqual([{ name: 'only-in-a' }]);
    expect(await shared.query(`select name from chat_b.apps`)).toEqual([]);
  });
});
