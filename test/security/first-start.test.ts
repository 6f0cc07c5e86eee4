/**
 * The first embedded start keeps its generated secrets (operator token, demo API key, demo
 * passwords) out of the terminal and the log stream: they go to an owner-only file in the data
 * folder, whose path is printed. The data folder and its files are owner-only.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { waitForLine } from '../helpers/processes.ts';
import { createProcessContractTap } from '../helpers/process-tap.ts';
import '../helpers/contract-hooks.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));

/** Every path under `dir` whose mode gives the group or others any access. */
async function openToOthers(dir: string): Promise<string[]> {
  const found: string[] = [];
  if (((await stat(dir)).mode & 0o077) !== 0) found.push(dir);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue;
    const path = join(entry.parentPath, entry.name);
    if (((await stat(path)).mode & 0o077) !== 0) found.push(path);
  }
  return found;
}

describe('the first embedded start', () => {
  it('writes its secrets to an owner-only file, prints only the path, and keeps the data folder owner-only', async () => {
    const dataDir = join(await mkdtemp(join(tmpdir(), 'switchboard-first-')), 'data');
    const contract = createProcessContractTap();
    const child = spawn(
      process.execPath,
      ['--conditions=switchboard-source', '--import', 'tsx', ...contract.execArgv, 'server/src/main.ts'],
      {
        cwd: root,
        // The umask of a careless shell: the server must not depend on it.
        env: { PATH: process.env.PATH ?? '', PORT: '0', DATA_DIR: dataDir, LOG_LEVEL: 'debug', DEMO_DATA: 'auto', ...contract.env },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    let late: string[] = [];
    try {
      await waitForLine(child, /first start: .* written to .*\n(.*\n)*\n/, 'the first start');
      const file = join(dataDir, 'first-start-secrets.txt');
      expect(output).toContain(file);
      const secrets = await readFile(file, 'utf8');
      expect((await stat(file)).mode & 0o777).toBe(0o600);
      const token = /operator token[^:]*: (\S+)/.exec(secrets)?.[1];
      const apiKey = /API key: (\S+)/.exec(secrets)?.[1];
      const passwords = [...secrets.matchAll(/password (\S+)$/gm)].map((m) => m[1]!);
      expect(token).toMatch(/^adm_/);
      expect(apiKey).toBeDefined();
      expect(passwords).toHaveLength(2);
      for (const secret of [token!, apiKey!, ...passwords]) expect(output).not.toContain(secret);
      // The chat link is printed; the token in the file works.
      const appId = /demo app (\S+)/.exec(secrets)?.[1];
      expect(output).toContain(`/?app=${appId}`);
      const url = /REST\s+(http:\/\/\S+)/.exec(output)?.[1];
      expect((await fetch(`${url}/v1/apps`, { headers: { Authorization: `Bearer ${token}` } })).status).toBe(200);
      expect(await openToOthers(dataDir)).toEqual([]);
      expect(contract.activeProcesses(), 'the contract tap inside the server saw its responses').toBe(1);
    } finally {
      child.kill('SIGTERM');
      await exited;
      late = contract.release();
    }
    expect(late, 'the server broke its specs').toEqual([]);
    // PGlite creates its files 0666 whatever the umask: they are restricted again on close.
    expect(await openToOthers(dataDir)).toEqual([]);
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });
});
