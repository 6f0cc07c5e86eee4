import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import * as initial from './migrations/2026-11-21T1200-initial.ts';
import * as settings from './migrations/2026-11-21T2200-settings.ts';
import * as endpointExpiry from './migrations/2026-12-02T0100-endpoint-expiry.ts';
import * as jobs from './migrations/2026-12-02T0100-jobs.ts';
import * as messageClientKey from './migrations/2026-12-02T0100-message-client-key.ts';
import * as userProfile from './migrations/2026-12-02T0100-user-profile.ts';
import * as appWorkers from './migrations/2026-12-03T0100-app-workers.ts';
import * as roomSeqReserved from './migrations/2026-12-03T0300-room-seq-reserved.ts';
import * as senderDisplayName from './migrations/2026-12-03T0600-sender-display-name.ts';

/**
 * Every migration, by name. Names sort in the order they run; listing them here (instead of
 * scanning a folder) keeps migrations working when the server is bundled.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '2026-11-21T1200-initial': initial,
  '2026-11-21T2200-settings': settings,
  '2026-12-02T0100-endpoint-expiry': endpointExpiry,
  '2026-12-02T0100-jobs': jobs,
  '2026-12-02T0100-message-client-key': messageClientKey,
  '2026-12-02T0100-user-profile': userProfile,
  '2026-12-03T0100-app-workers': appWorkers,
  '2026-12-03T0300-room-seq-reserved': roomSeqReserved,
  '2026-12-03T0600-sender-display-name': senderDisplayName,
});

const staticProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};

/** Thrown when a migration fails; names the migration and keeps the database error as `cause`. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

/** Thrown when the server must not migrate (MIGRATE=off) and the database lacks migrations. */
export class MigrationsPendingError extends Error {
  override readonly name = 'MigrationsPendingError';
}

/** The Postgres schema Switchboard's tables live in when DATABASE_SCHEMA is unset. */
export const DEFAULT_DATABASE_SCHEMA = 'switchboard';

// A plain identifier: it goes into `search_path` and startup options unquoted, and a name that
// needs quoting is almost always a typo.
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Whether `name` can be DATABASE_SCHEMA (lower-case letters, digits and `_`, 63 at most). */
export function isSchemaName(name: string): boolean {
  return SCHEMA_NAME.test(name);
}

// The migrations themselves run unqualified on a connection whose search_path is `schema`; the
// migrator's own bookkeeping tables are named with the schema, because its existence check would
// otherwise find an application's `kysely_migration` in another schema.
function migratorFor<T>(db: Kysely<T>, schema: string): Migrator {
  return new Migrator({ db, provider: staticProvider, migrationTableSchema: schema });
}

/**
 * Brings the schema to the latest migration. Safe to call on every start and from several
 * nodes at once: Kysely serializes runs with a Postgres advisory lock. `db` must have
 * `schema` as its search_path (create-database.ts sets it on every connection).
 */
export async function migrateToLatest<T>(db: Kysely<T>, schema: string = DEFAULT_DATABASE_SCHEMA): Promise<MigrationResult[]> {
  const migrator = migratorFor(db, schema);
  const { error, results = [] } = await migrator.migrateToLatest();
  if (error !== undefined) {
    const failed = results.find((result) => result.status === 'Error')?.migrationName;
    const reason = error instanceof Error ? error.message : String(error);
    throw new MigrationFailedError(failed === undefined ? `migrations failed: ${reason}` : `migration ${failed} failed: ${reason}`, {
      cause: error,
    });
  }
  return results;
}

/** Migrations not yet applied in `schema`, by name (empty when the database is up to date). */
export async function pendingMigrations<T>(db: Kysely<T>, schema: string = DEFAULT_DATABASE_SCHEMA): Promise<string[]> {
  const infos = await migratorFor(db, schema).getMigrations();
  return infos.filter((info) => info.executedAt === undefined).map((info) => info.name);
}

/** Throws `MigrationsPendingError` naming what is missing, for a server told not to migrate. */
export async function requireMigrated<T>(db: Kysely<T>, schema: string = DEFAULT_DATABASE_SCHEMA): Promise<void> {
  const pending = await pendingMigrations(db, schema);
  if (pending.length === 0) return;
  throw new MigrationsPendingError(
    `the database schema "${schema}" lacks ${pending.length} migration(s) (${pending.join(', ')}) and MIGRATE=off: run \`switchboard migrate\` first`,
  );
}
