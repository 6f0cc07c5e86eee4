/**
 * The embedded data folder holds the database (message bodies, password hashes, the token
 * signing key) and the first-start secrets: only the user running the server may read it. The
 * folder is made 0700, which already keeps every other user out of everything inside; PGlite's
 * file system creates its files 0666 whatever the umask, so they are also set to 0600 (folders
 * 0700) when the server opens and closes the folder, for copies and backups made from it.
 */
import { chmod, mkdir, readdir } from 'node:fs/promises';
import { join } from 'node:path';

/** Creates `dir` (and its parents) if missing, then makes it owner-only (0700). */
export async function ownerOnlyFolder(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await chmod(dir, 0o700);
}

/** Makes every file under `dir` 0600 and every folder 0700 (symbolic links are left alone). */
export async function restrictTree(dir: string): Promise<void> {
  await chmod(dir, 0o700);
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    // A file PGlite removes between the listing and the chmod is simply gone.
    if (entry.isDirectory()) await restrictTree(path).catch(ignoreMissing);
    else if (entry.isFile()) await chmod(path, 0o600).catch(ignoreMissing);
  }
}

function ignoreMissing(error: unknown): void {
  if ((error as { code?: unknown }).code !== 'ENOENT') throw error;
}
