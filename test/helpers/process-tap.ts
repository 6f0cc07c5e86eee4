/**
 * The contract tap for servers a test starts in child processes (`npm start`, the entry point,
 * an installed package): start the child with `execArgv` (or `nodeOptions` in NODE_OPTIONS when a
 * package manager starts node) and `env`, and contract-preload.mjs checks, inside the child,
 * everything the server sends, appending each violation to a file this tap reads. Registered in
 * tap-registry.ts, so a violation fails the test during which it was sent (contract-hooks.ts).
 * No vitest here: the soak script uses it too.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspectChannels } from '@switchboard/server';
import { openTaps, type PendingViolations } from './tap-registry.ts';

const PRELOAD = new URL('./contract-preload.mjs', import.meta.url).href;

// The preload subscribes by name before any server module loads; a renamed channel would leave it deaf.
for (const [kind, name] of Object.entries(inspectChannels)) {
  if (name !== `switchboard:${kind}`)
    throw new Error(`contract-preload.mjs listens on switchboard:${kind}, the server publishes on ${name}`);
}

/** A tap for child-process servers. */
export interface ProcessContractTap extends PendingViolations {
  /** Node arguments that load the tap (before the entry point). */
  readonly execArgv: readonly string[];
  /** The same, for NODE_OPTIONS (a child started by npm). */
  readonly nodeOptions: string;
  /** Environment the child needs (with the above). */
  readonly env: Readonly<Record<string, string>>;
  /** Every violation seen so far, reported or not. */
  violations(): string[];
  /** How many processes have checked something (a tap that saw nothing proves nothing). */
  activeProcesses(): number;
  /** Stops tracking and removes the file; returns the violations no test has failed for yet. */
  release(): string[];
}

/** Creates a tap; the children it is given to report into its own temporary file. */
export function createProcessContractTap(): ProcessContractTap {
  const dir = mkdtempSync(join(tmpdir(), 'sb-contract-'));
  const file = join(dir, 'violations.jsonl');
  const all: string[] = [];
  const pending: string[] = [];
  const active = new Set<number>();
  let offset = 0;
  const read = () => {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      return; // Nothing written yet.
    }
    // Only whole lines: a child may be appending the next one right now.
    const end = text.lastIndexOf('\n') + 1;
    for (const line of text.slice(offset, end).split('\n')) {
      if (line === '') continue;
      const entry = JSON.parse(line) as { pid: number; active?: true; violation?: string };
      if (entry.active) active.add(entry.pid);
      if (entry.violation !== undefined) {
        all.push(`process ${entry.pid}: ${entry.violation}`);
        pending.push(`process ${entry.pid}: ${entry.violation}`);
      }
    }
    offset = end;
  };
  const tap: ProcessContractTap = {
    execArgv: ['--import', PRELOAD],
    nodeOptions: `--import=${PRELOAD}`,
    env: { SWITCHBOARD_CONTRACT_REPORT: file },
    violations: () => (read(), [...all]),
    activeProcesses: () => (read(), active.size),
    takeUnreported: () => (read(), pending.splice(0)),
    release: () => {
      read();
      openTaps.delete(tap);
      rmSync(dir, { recursive: true, force: true });
      return pending.splice(0);
    },
  };
  openTaps.add(tap);
  return tap;
}
