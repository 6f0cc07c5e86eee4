/** The commands that work on the database itself: migrate, backup, restore and the signing-key rotation. */
import { access } from 'node:fs/promises';
import { backupDatabase, BackupError, restoreDatabase, type BackupHeader } from '../db/backup.ts';
import { migrateToLatest, pendingMigrations } from '../db/migrate.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { rotateSigningKey } from '../db/signing-keys.ts';
import { randomSecret } from '../auth/secrets.ts';
import type { Command } from './commands.ts';
import { openTargetDatabase, requireExistingDataDir } from './database-operator.ts';
import type { Printed } from './output.ts';
import type { DatabaseTarget } from './target.ts';
import { UsageError } from './usage-error.ts';

type DatabaseCommand = Extract<Command, { kind: 'migrate' | 'backup' | 'restore' | 'keys rotate-signing' }>;

/** Runs `command` on the database of `target`. */
export async function runDatabaseTask(command: DatabaseCommand, target: DatabaseTarget): Promise<Printed> {
  // Only a restore may start an embedded store from nothing: elsewhere a mistyped folder would
  // back up (or migrate) an empty database it just created.
  if (target.kind === 'pglite' && command.kind !== 'restore') await requireExistingDataDir(target.dataDir);
  if (command.kind === 'backup' && (await exists(command.file))) {
    throw new UsageError(`${command.file} exists: name a new file (a backup never overwrites one)`, 'backup');
  }
  const handle = await open(target, command.kind === 'migrate');
  try {
    switch (command.kind) {
      case 'migrate': {
        const pending = await pendingMigrations(handle.db, target.schema);
        await migrateToLatest(handle.db, target.schema);
        return {
          json: { schema: target.schema, applied: pending },
          text: [
            pending.length === 0 ? `Schema ${target.schema} is up to date.` : `Applied to schema ${target.schema}: ${pending.join(', ')}`,
          ],
        };
      }
      case 'backup': {
        const header = await guard(backupDatabase(handle.db, target.schema, command.file));
        return {
          json: { file: command.file, ...summary(header) },
          text: [`Backed up schema ${target.schema} to ${command.file}`, ...rowsText(header)],
        };
      }
      case 'keys rotate-signing': {
        const { previousUntil } = await rotateSigningKey(handle.db, () => randomSecret());
        const until = new Date(previousUntil).toISOString();
        return {
          json: { rotated: true, previousVerifiesUntil: until },
          text: [`A new signing key signs from now on; the previous one verifies tokens until ${until}.`],
        };
      }
      case 'restore': {
        const header = await guard(restoreDatabase(handle.db, target.schema, command.file, { force: command.force }));
        return {
          json: { file: command.file, ...summary(header) },
          text: [`Restored ${command.file} (taken ${header.createdAt}) into schema ${target.schema}`, ...rowsText(header)],
        };
      }
      default:
        return command satisfies never;
    }
  } finally {
    await handle.close();
  }
}

async function open(target: DatabaseTarget, skipMigrations: boolean) {
  try {
    return await openTargetDatabase(target, { skipMigrations });
  } catch (error) {
    // createDatabase names the host, never the password.
    throw new SwitchboardError(
      'unavailable',
      `cannot open the database: ${error instanceof Error ? error.message : String(error)}`,
      undefined,
      {
        cause: error,
      },
    );
  }
}

// A backup that cannot be read, or a store that is not empty, is the operator's to fix: a conflict.
async function guard<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof BackupError) throw new SwitchboardError('conflict', error.message, undefined, { cause: error });
    throw error;
  }
}

function summary(header: BackupHeader) {
  return { createdAt: header.createdAt, migrations: header.migrations, tables: header.tables.map((table) => table.name) };
}

function rowsText(header: BackupHeader): string[] {
  return [`  tables  ${header.tables.map((table) => table.name).join(', ')}`];
}

async function exists(file: string): Promise<boolean> {
  try {
    await access(file);
    return true;
  } catch {
    return false;
  }
}
