import { Migrator } from 'kysely';
import type { Kysely, Migration, MigrationProvider, MigrationResult } from 'kysely';
import * as initial from './migrations/2026-11-21T1200-initial.ts';
import * as settings from './migrations/2026-11-21T2200-settings.ts';

/**
 * Every migration, by name. Names sort in the order they run; listing them here (instead of
 * scanning a folder) keeps migrations working when the server is bundled.
 */
export const migrations: Readonly<Record<string, Migration>> = Object.freeze({
  '2026-11-21T1200-initial': initial,
  '2026-11-21T2200-settings': settings,
});

const staticProvider: MigrationProvider = {
  getMigrations: async () => ({ ...migrations }),
};

/** Thrown when a migration fails; names the migration and keeps the database error as `cause`. */
export class MigrationFailedError extends Error {
  override readonly name = 'MigrationFailedError';
}

/**
 * Brings the schema to the latest migration. Safe to call on every start and from several
 * nodes at once: Kysely serializes runs with a Postgres advisory lock.
 */
export async function migrateToLatest<T>(db: Kysely<T>): Promise<MigrationResult[]> {
  const migrator = new Migrator({ db, provider: staticProvider });
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
