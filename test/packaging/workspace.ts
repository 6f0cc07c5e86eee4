/**
 * The packing test's plumbing: run a command in a clean environment, build and `npm pack` the
 * three published packages, and make fresh projects outside the workspace that install them.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deadline } from '../helpers/deadline.ts';

/** The repository root. */
export const root = fileURLToPath(new URL('../..', import.meta.url));

/** The published packages: workspace folder → package name. */
export const packages = { generated: '@switchboard/protocol', sdk: '@switchboard/sdk', server: '@switchboard/server' } as const;

/** What a finished command printed. */
export interface RunResult {
  stdout: string;
  stderr: string;
}

/**
 * Only PATH and HOME (so npm finds its cache) pass through: nothing of the test runner's own
 * environment (npm_config_*, NODE_OPTIONS, DATABASE_URL) leaks into what a new user would run.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...extra };
}

/** Runs `command` to completion; rejects with everything it printed when it exits non-zero. */
export function run(
  command: string,
  args: readonly string[],
  options: { cwd: string; env?: Record<string, string>; timeoutMs?: number },
): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    execFile(
      command,
      args,
      { cwd: options.cwd, env: options.env ?? cleanEnv(), timeout: options.timeoutMs ?? deadline(240_000), maxBuffer: 32 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (error) reject(new Error(`${command} ${args.join(' ')} (in ${options.cwd}) failed: ${error.message}\n${stdout}\n${stderr}`));
        else resolve({ stdout, stderr });
      },
    );
  });
}

/** A long-running child whose output is kept, for servers. */
export interface Child {
  readonly process: ChildProcess;
  /** Everything it printed so far, stdout and stderr interleaved. */
  output(): string;
  /** Resolves with the exit code (or the signal's name) once it ends. */
  readonly exited: Promise<number | string>;
  /** Resolves once its output pipes closed: it and every process that inherited them ended. */
  readonly closed: Promise<void>;
}

/** Starts `command` in the background. */
export function start(command: string, args: readonly string[], options: { cwd: string; env: Record<string, string> }): Child {
  const child = spawn(command, args, { cwd: options.cwd, env: options.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? 'unknown')));
  const closed = new Promise<void>((resolve) => child.once('close', () => resolve()));
  return { process: child, output: () => output, exited, closed };
}

/** Resolves with the first match of `pattern` in the child's output; rejects if it exits first. */
export function waitForOutput(child: Child, pattern: RegExp): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    const check = () => {
      const match = pattern.exec(child.output());
      if (match) {
        child.process.stdout?.off('data', check);
        child.process.stderr?.off('data', check);
        resolve(match);
      }
    };
    child.process.stdout?.on('data', check);
    child.process.stderr?.on('data', check);
    void child.exited.then((code) => reject(new Error(`exited (${code}) before printing ${pattern}:\n${child.output()}`)));
    check();
  });
}

/** Builds the packages (turbo, cached) and packs each into `destination`; returns tarball paths by folder. */
export async function packWorkspace(destination: string): Promise<Record<keyof typeof packages, string>> {
  await run('npx', ['turbo', 'run', 'build', '--output-logs=errors-only'], {
    cwd: root,
    env: cleanEnv({ TURBO_TELEMETRY_DISABLED: '1', DO_NOT_TRACK: '1' }),
  });
  const folders = Object.keys(packages) as (keyof typeof packages)[];
  const { stdout } = await run('npm', ['pack', '--json', '--pack-destination', destination, ...folders.map((f) => `--workspace=${f}`)], {
    cwd: root,
  });
  const packed = JSON.parse(stdout) as { name: string; filename: string }[];
  const byName = new Map(packed.map((p) => [p.name, join(destination, p.filename)]));
  const tarball = (folder: keyof typeof packages): string => {
    const path = byName.get(packages[folder]);
    if (path === undefined) throw new Error(`npm pack did not pack ${packages[folder]}`);
    return path;
  };
  return { generated: tarball('generated'), sdk: tarball('sdk'), server: tarball('server') };
}

/** The versions the workspace itself uses, so consumer installs come from the local npm cache. */
export async function workspaceVersion(name: string): Promise<string> {
  const manifest = JSON.parse(await readFile(join(root, 'node_modules', name, 'package.json'), 'utf8')) as { version: string };
  return manifest.version;
}

/** A fresh folder outside the workspace. */
export function tempDir(prefix: string): Promise<string> {
  return mkdtemp(join(tmpdir(), `switchboard-${prefix}-`));
}

/** Writes `files` (path → content) under `dir`. */
export async function writeFiles(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), content);
  }
}

/** `npm install` in `dir`, offline-first from the local cache. */
export async function npmInstall(dir: string, extraArgs: readonly string[] = []): Promise<void> {
  await run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...extraArgs], { cwd: dir });
}
