/**
 * One server per embedded data folder. PGlite has no lock of its own: two processes on one folder
 * both start and one of them loses acknowledged writes. The lock is a file created exclusively,
 * holding the owner's pid; a lock whose process is gone (a crash, a SIGKILL) is taken over.
 */
import { open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';

/** The lock file's name inside the data folder. */
export const LOCK_FILE = 'switchboard.lock';

/** Thrown when another live process holds the data folder. */
export class DataDirLockedError extends Error {
  override readonly name = 'DataDirLockedError';
}

/** A held lock; `release()` removes the file (later calls do nothing). */
export interface DataDirLock {
  release(): Promise<void>;
}

// Folders this process holds: a lock file naming our own pid is ours only if listed here (in a
// container every restart is pid 1, so a crashed predecessor's file names "us" too).
const held = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function create(path: string): Promise<boolean> {
  try {
    const file = await open(path, 'wx');
    await file.writeFile(`${process.pid}\n`);
    await file.close();
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  }
}

/** Takes the lock of `dataDir` (an existing folder) or throws `DataDirLockedError` naming the holder. */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  const path = join(dataDir, LOCK_FILE);
  if (held.has(path)) throw new DataDirLockedError(`the data folder ${dataDir} is already open in this process`);
  for (let attempt = 0; attempt < 2; attempt += 1) {
    if (await create(path)) {
      held.add(path);
      let released = false;
      return {
        release: async () => {
          if (released) return;
          released = true;
          held.delete(path);
          await unlink(path).catch((error: NodeJS.ErrnoException) => {
            if (error.code !== 'ENOENT') throw error;
          });
        },
      };
    }
    const holder = Number.parseInt(await readFile(path, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) {
      throw new DataDirLockedError(
        `the data folder ${dataDir} is in use by another Switchboard server (pid ${holder}); stop it, or give this one its own DATA_DIR`,
      );
    }
    // A stale lock (its process is gone): remove it and try once more.
    await unlink(path).catch((error: NodeJS.ErrnoException) => {
      if (error.code !== 'ENOENT') throw error;
    });
  }
  throw new DataDirLockedError(`could not take the lock ${path}: another process keeps creating it`);
}
