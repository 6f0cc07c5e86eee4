/**
 * A logical backup of Switchboard's own tables: one JSON line of header, then one line per row,
 * read and written by Postgres itself (`to_jsonb`, `jsonb_populate_recordset`) so every type
 * round-trips exactly and the same file moves between PGlite and Postgres. Only the tables of the
 * configured schema are read, so an application sharing the database is never in the file.
 *
 * Secrets are in it only as the hashes the tables hold (API keys, endpoint codes, passwords); the
 * token signing key a server generates (`settings.jwt_secret`) is left out, so a restored server
 * generates a new one and earlier access tokens stop working.
 */
import { createReadStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { createInterface } from 'node:readline';
import { sql, type Kysely } from 'kysely';
import { migrations } from './migrate.ts';
import type { Database } from './schema.ts';
import { SIGNING_KEY_SETTINGS } from './signing-keys.ts';

/** What the first line of a backup says. */
export interface BackupHeader {
  readonly format: 'switchboard-backup';
  readonly version: 1;
  readonly createdAt: string;
  /** The migrations the database had: a restore needs a database that knows all of them. */
  readonly migrations: readonly string[];
  /** Each table, in the order it is restored (referenced tables first), with its columns. */
  readonly tables: readonly { readonly name: string; readonly columns: readonly string[] }[];
}

/** Thrown when a file is not a backup this version can restore, or the store is not empty. */
export class BackupError extends Error {
  override readonly name = 'BackupError';
}

// Settings that are secrets in clear, never written to a backup.
const SECRET_SETTINGS: readonly string[] = SIGNING_KEY_SETTINGS;
const BATCH_ROWS = 500;

type Db = Kysely<Database>;

/**
 * Writes every row of Switchboard's tables in `schema` to `file`, from one snapshot (a running
 * server may keep writing), owner-only, under its name only once complete.
 */
export async function backupDatabase(db: Db, schema: string, file: string): Promise<BackupHeader> {
  // Written beside the target and renamed: a failed backup never leaves a half file under its name.
  const partial = `${file}.partial-${process.pid}`;
  const handle = await open(partial, 'wx', 0o600);
  try {
    const header = await db
      .transaction()
      .setIsolationLevel('repeatable read')
      .execute(async (trx) => {
        const tables = await tablesInRestoreOrder(trx, schema);
        const header: BackupHeader = {
          format: 'switchboard-backup',
          version: 1,
          createdAt: new Date().toISOString(),
          migrations: await appliedMigrations(trx, schema),
          tables: await Promise.all(tables.map(async (name) => ({ name, columns: await columnsOf(trx, schema, name) }))),
        };
        await handle.writeFile(`${JSON.stringify(header)}\n`);
        for (const table of tables) {
          for await (const rows of pagesOf(trx, table)) {
            await handle.writeFile(rows.map((row) => `${JSON.stringify({ table, row })}\n`).join(''));
          }
        }
        return header;
      });
    await handle.sync();
    await handle.close();
    await rename(partial, file);
    return header;
  } catch (error) {
    await handle.close().catch(() => {});
    await rm(partial, { force: true });
    throw error;
  }
}

/**
 * Loads `file` into a migrated database in one transaction. Refuses a store that holds any row
 * unless `force`, which first deletes every row of Switchboard's tables (never the application's).
 */
export async function restoreDatabase(db: Db, schema: string, file: string, options: { force?: boolean } = {}): Promise<BackupHeader> {
  const lines = createInterface({ input: createReadStream(file, 'utf8'), crlfDelay: Infinity })[Symbol.asyncIterator]();
  const header = parseHeader((await lines.next()).value);
  const known = new Set(Object.keys(migrations));
  const unknown = header.migrations.filter((name) => !known.has(name));
  if (unknown.length > 0)
    throw new BackupError(`the backup comes from a newer Switchboard (migrations ${unknown.join(', ')}): upgrade first`);
  const tables = await tablesInRestoreOrder(db, schema);
  const missing = header.tables.filter((table) => !tables.includes(table.name)).map((table) => table.name);
  if (missing.length > 0) throw new BackupError(`the backup has tables this database lacks: ${missing.join(', ')}`);

  await db.transaction().execute(async (trx) => {
    const filled = await nonEmptyTables(trx, tables);
    if (filled.length > 0 && options.force !== true) {
      throw new BackupError(
        `the store is not empty (${filled.join(', ')} hold rows): restore into an empty one, or pass --force to replace it`,
      );
    }
    // Referencing tables first, so no foreign key is ever left dangling.
    for (const table of [...tables].reverse()) await sql`delete from ${sql.table(table)}`.execute(trx);
    const columnsOf = new Map(header.tables.map((table) => [table.name, table.columns]));
    let batch: { table: string; rows: unknown[] } | undefined;
    const flush = async () => {
      if (batch === undefined || batch.rows.length === 0) return;
      const columns = (columnsOf.get(batch.table) ?? []).map((column) => sql.id(column));
      const list = sql.join(columns);
      // Postgres converts each JSON value to its column's type; columns a later migration added take their defaults.
      await sql`insert into ${sql.table(batch.table)} (${list}) select ${list} from jsonb_populate_recordset(null::${sql.table(batch.table)}, ${JSON.stringify(batch.rows)}::jsonb)`.execute(
        trx,
      );
      batch = undefined;
    };
    for (let next = await lines.next(); next.done !== true; next = await lines.next()) {
      if (next.value.trim() === '') continue;
      const { table, row } = parseRow(next.value, columnsOf);
      if (batch !== undefined && (batch.table !== table || batch.rows.length >= BATCH_ROWS)) await flush();
      batch ??= { table, rows: [] };
      batch.rows.push(row);
    }
    await flush();
  });
  return header;
}

/** Tables of `schema` (the migrator's own excepted), each after every table it references. */
async function tablesInRestoreOrder(db: Db, schema: string): Promise<string[]> {
  const { rows: tables } = await sql<{ name: string }>`
    select table_name as name from information_schema.tables
    where table_schema = ${schema} and table_type = 'BASE TABLE' and table_name not like 'kysely\\_%'
    order by table_name`.execute(db);
  const { rows: references } = await sql<{ child: string; parent: string }>`
    select c.relname as child, p.relname as parent
    from pg_constraint k
    join pg_class c on c.oid = k.conrelid
    join pg_class p on p.oid = k.confrelid
    join pg_namespace n on n.oid = c.relnamespace
    where k.contype = 'f' and n.nspname = ${schema} and c.oid <> p.oid`.execute(db);
  const ordered: string[] = [];
  const pending = new Set(tables.map((table) => table.name));
  while (pending.size > 0) {
    const ready = [...pending].filter((table) => references.every((ref) => ref.child !== table || !pending.has(ref.parent)));
    if (ready.length === 0) throw new BackupError(`circular foreign keys among ${[...pending].join(', ')}`);
    for (const table of ready) {
      ordered.push(table);
      pending.delete(table);
    }
  }
  return ordered;
}

async function columnsOf(db: Db, schema: string, table: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`
    select column_name as name from information_schema.columns
    where table_schema = ${schema} and table_name = ${table} order by ordinal_position`.execute(db);
  return rows.map((row) => row.name);
}

/** A table's rows, a page at a time, in physical order (which keeps a row after any row of its own table it references). */
async function* pagesOf(db: Db, table: string): AsyncGenerator<unknown[]> {
  const skip = table === 'settings' ? sql`and t.key not in (${sql.join(SECRET_SETTINGS)})` : sql``;
  let after = '(0,0)';
  for (;;) {
    const { rows } = await sql<{ row: unknown; at: string }>`
      select to_jsonb(t) as row, t.ctid::text as at from ${sql.table(table)} t
      where t.ctid > ${after}::tid ${skip} order by t.ctid limit ${BATCH_ROWS}`.execute(db);
    if (rows.length === 0) return;
    yield rows.map((row) => (typeof row.row === 'string' ? (JSON.parse(row.row) as unknown) : row.row));
    after = rows[rows.length - 1]?.at ?? after;
    if (rows.length < BATCH_ROWS) return;
  }
}

async function appliedMigrations(db: Db, schema: string): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select name from ${sql.table(`${schema}.kysely_migration`)} order by name`.execute(db);
  return rows.map((row) => row.name);
}

async function nonEmptyTables(db: Db, tables: readonly string[]): Promise<string[]> {
  const filled: string[] = [];
  for (const table of tables) {
    const { rows } = await sql<{ any: boolean }>`select exists (select 1 from ${sql.table(table)}) as any`.execute(db);
    if (rows[0]?.any === true) filled.push(table);
  }
  return filled;
}

function parseHeader(line: string | undefined): BackupHeader {
  let header: unknown;
  try {
    header = JSON.parse(line ?? '');
  } catch {
    throw new BackupError('not a Switchboard backup (the first line is not JSON)');
  }
  if (!isRecord(header) || header.format !== 'switchboard-backup') throw new BackupError('not a Switchboard backup');
  if (header.version !== 1) throw new BackupError(`backup format version ${String(header.version)} is not supported`);
  if (!Array.isArray(header.migrations) || !Array.isArray(header.tables)) throw new BackupError('the backup header is damaged');
  return header as unknown as BackupHeader;
}

function parseRow(line: string, columns: ReadonlyMap<string, readonly string[]>): { table: string; row: unknown } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(line);
  } catch {
    throw new BackupError('the backup is damaged (a row is not JSON)');
  }
  if (!isRecord(parsed) || typeof parsed.table !== 'string' || !columns.has(parsed.table) || !isRecord(parsed.row)) {
    throw new BackupError('the backup is damaged (a row names no table of its header)');
  }
  return { table: parsed.table, row: parsed.row };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
