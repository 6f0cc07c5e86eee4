/**
 * Runs the operator CLI as an operator does: the real bin in a child process with a clean
 * environment (only PATH and what the test gives), so nothing of the test runner's leaks into it.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** One finished run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `switchboard ...args` with only `env` (and PATH) set; resolves whatever the exit status. */
export function switchboard(args: readonly string[], env: Record<string, string> = {}, input?: string): Promise<CliRun> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      process.execPath,
      ['server/bin/switchboard.js', ...args],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env } },
      (error, stdout, stderr) => {
        if (error && typeof error.code !== 'number') reject(error);
        else resolve({ code: error ? Number(error.code) : 0, stdout, stderr });
      },
    );
    child.stdin?.end(input);
  });
}

/** The JSON a successful `--json` run printed (fails the test, with stderr, on a failed run). */
export function parseJson<T>(run: CliRun): T {
  expect(run, run.stderr).toMatchObject({ code: 0 });
  return JSON.parse(run.stdout) as T;
}
