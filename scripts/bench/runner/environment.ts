/** The machine, the runtime and the versions a run measured, for the report's header. */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Environment } from '../results.ts';
import { repoRoot } from './paths.ts';

const PACKAGES = [
  'ws',
  'socket.io',
  'socket.io-client',
  '@socket.io/redis-adapter',
  'redis',
  'hono',
  '@hono/node-server',
  '@electric-sql/pglite',
  'pg',
  'tsx',
  'esbuild',
];

async function packageVersion(name: string): Promise<string> {
  try {
    const manifest: unknown = JSON.parse(await readFile(join(repoRoot, 'node_modules', name, 'package.json'), 'utf8'));
    return typeof manifest === 'object' && manifest !== null && 'version' in manifest && typeof manifest.version === 'string'
      ? manifest.version
      : '?';
  } catch {
    return 'not installed';
  }
}

async function commit(): Promise<string> {
  try {
    const { stdout } = await promisify(execFile)('git', ['rev-parse', '--short', 'HEAD'], { cwd: repoRoot });
    return stdout.trim();
  } catch {
    return 'unknown';
  }
}

/** Describes this machine and the installed versions. */
export async function describeEnvironment(redis: string, postgres: string): Promise<Environment> {
  const cpus = os.cpus();
  const packages: Record<string, string> = {};
  for (const name of PACKAGES) packages[name] = await packageVersion(name);
  return {
    cpu: cpus[0]?.model.trim() ?? 'unknown',
    cores: cpus.length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    os: `${os.type()} ${os.release()} (${os.arch()})`,
    node: process.version,
    commit: await commit(),
    packages,
    redis,
    postgres,
  };
}
