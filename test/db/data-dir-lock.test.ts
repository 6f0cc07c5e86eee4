/**
 * One server per embedded data folder: a second server on a folder in use refuses to start and
 * says why; a lock left by a process that died is taken over.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createLogger, defaultConfig, startServer } from '@switchboard/server';
import { LOCK_FILE } from '@switchboard/server/testing';
import { deadline } from '../helpers/deadline.ts';
import { createContractTap } from '../helpers/server.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Runs the server's entry point from sources in a child process; resolves with its exit and output. */
function runMain(env: Record<string, string>): Promise<{ code: number; output: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['--conditions=switchboard-source', '--import', 'tsx', 'server/src/main.ts'],
      { cwd: root, env: { PATH: process.env.PATH ?? '', ...env }, timeout: deadline(60_000) },
      (error, stdout, stderr) => {
        resolve({ code: error ? Number(error.code) : 0, output: `${stdout}${stderr}` });
      },
    );
  });
}

// startServer itself (a data folder of the test's own), still held to the specs by the contract tap.
const options = (dataDir: string) => ({
  config: defaultConfig({ port: 0, dataDir, demo: 'off', adminToken: 'lock-test-operator-token-0123456789' }),
  logger: createLogger({ level: 'silent' }),
  inspect: createContractTap(),
});

describe('the embedded data folder lock', () => {
  it(
    'makes a second server on the same DATA_DIR refuse to start, naming the folder and the holder',
    { timeout: deadline(90_000) },
    async () => {
      const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-lock-'));
      try {
        await using first = await startServer(options(dataDir));
        expect(await readFile(join(dataDir, LOCK_FILE), 'utf8')).toBe(`${process.pid}\n`);
        const second = await runMain({ PORT: '0', DATA_DIR: dataDir, DEMO_DATA: 'off' });
        expect(second.code).toBe(1);
        expect(second.output).toContain(`the data folder ${dataDir} is in use by another Switchboard server (pid ${process.pid})`);
        // The first is unharmed.
        expect((await fetch(`${first.url}/healthz`)).status).toBe(200);
        // In one process, too.
        await expect(startServer(options(dataDir))).rejects.toThrow(/already open in this process/);
      } finally {
        await rm(dataDir, { recursive: true, force: true });
      }
    },
  );

  it('is released on close and taken over from a process that died', { timeout: deadline(60_000) }, async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'switchboard-lock-'));
    try {
      const server = await startServer(options(dataDir));
      await server.close();
      await expect(readFile(join(dataDir, LOCK_FILE))).rejects.toMatchObject({ code: 'ENOENT' });
      const dead = spawn(process.execPath, ['-e', '']);
      const pid = dead.pid!;
      await new Promise((resolve) => dead.once('exit', resolve));
      await writeFile(join(dataDir, LOCK_FILE), `${pid}\n`);
      await using again = await startServer(options(dataDir));
      expect((await fetch(`${again.url}/healthz`)).status).toBe(200);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
