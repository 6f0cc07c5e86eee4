/**
 * What the benchmark's processes say to each other over their IPC channels: the runner and each
 * server under test (ready, CPU and memory on request, stop), the runner and the load generator
 * (one request, one reply). Each side checks what it receives with the guards below.
 */

/** A server process's own resource use, read inside that process. */
export interface ProcessStats {
  /** User plus system CPU time since the process started, in microseconds. */
  cpuUs: number;
  /** Resident set size, in bytes. */
  rss: number;
  /** Read and write system calls since the process started (`/proc/<pid>/io` syscr + syscw, read by the runner); NaN where there is no /proc. */
  syscalls?: number;
  /** With BENCH_CONTRACT=1 (Switchboard only): what the contract tap checked and found so far. */
  contract?: ContractReport;
}

/** What a server's contract tap (test/helpers/contract.ts) saw: frames, closes, refusals and responses checked, and the violations (the first few). */
export interface ContractReport {
  checked: number;
  violations: string[];
}

function isContractReport(value: unknown): value is ContractReport {
  return (
    isRecord(value) &&
    typeof value.checked === 'number' &&
    Array.isArray(value.violations) &&
    value.violations.every((v) => typeof v === 'string')
  );
}

/** From a server process to the runner. */
export type PeerReport =
  | { type: 'ready'; port: number }
  | { type: 'stats'; seq: number; stats: ProcessStats }
  | { type: 'failed'; message: string }
  /** Sent once the server has closed, before the process exits: what its contract tap found, shutdown included. */
  | { type: 'stopped'; contract?: ContractReport };

/** From the runner to a server process. */
export type PeerRequest = { type: 'stats'; seq: number; gc: boolean } | { type: 'stop' };

/** From the runner to the load generator. */
export interface GeneratorRequest {
  id: number;
  command: string;
  args: unknown;
}

/** From the load generator to the runner. */
export type GeneratorReply = { id: number; ok: true; result: unknown } | { id: number; ok: false; error: string };

/** Whether a value is a plain object (a parsed frame or an IPC message). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Narrows an IPC message from a server process. */
export function isPeerReport(value: unknown): value is PeerReport {
  if (!isRecord(value)) return false;
  switch (value.type) {
    case 'ready':
      return typeof value.port === 'number';
    case 'stats':
      return (
        typeof value.seq === 'number' &&
        isRecord(value.stats) &&
        typeof value.stats.cpuUs === 'number' &&
        typeof value.stats.rss === 'number' &&
        (value.stats.contract === undefined || isContractReport(value.stats.contract))
      );
    case 'failed':
      return typeof value.message === 'string';
    case 'stopped':
      return value.contract === undefined || isContractReport(value.contract);
    default:
      return false;
  }
}

/** Narrows an IPC message from the runner to a server process. */
export function isPeerRequest(value: unknown): value is PeerRequest {
  if (!isRecord(value)) return false;
  return (value.type === 'stats' && typeof value.seq === 'number' && typeof value.gc === 'boolean') || value.type === 'stop';
}

/** Narrows an IPC message from the runner to the load generator. */
export function isGeneratorRequest(value: unknown): value is GeneratorRequest {
  return isRecord(value) && typeof value.id === 'number' && typeof value.command === 'string';
}

/** Narrows an IPC message from the load generator. */
export function isGeneratorReply(value: unknown): value is GeneratorReply {
  return isRecord(value) && typeof value.id === 'number' && (value.ok === true || (value.ok === false && typeof value.error === 'string'));
}
