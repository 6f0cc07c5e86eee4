/** Where the benchmark's files are, and how child processes are started. */
import { fileURLToPath } from 'node:url';

/** The repository root (children run there so `--import tsx` and workspace packages resolve). */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

/** A file of scripts/bench, by its path relative to that folder. */
export function benchFile(relative: string): string {
  return fileURLToPath(new URL(`../${relative}`, import.meta.url));
}

/** The environment a child starts from: only what Node needs, so the caller's DATABASE_URL, PORT, etc. never leak in. */
export function baseEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  return env;
}
