/** The report's Jobs section: a job's round trip through an app worker beside the same round trip as a plain REST call. */
import type { BenchResults } from '../results.ts';
import type { JobsPhase } from '../runner/jobs-scenario.ts';
import { num } from './tables.ts';

const ms = (value: number | undefined) => (value === undefined || !Number.isFinite(value) ? '–' : num(value, 2));
const ratio = (value: number, to: number) =>
  Number.isFinite(value) && Number.isFinite(to) && to > 0 ? ` (${(value / to).toFixed(2)}×)` : '';

function row(label: string, phase: JobsPhase, rest: JobsPhase): string {
  const { firstProgress, finished } = phase;
  return `| ${label} | ${num(phase.perSec)}${ratio(phase.perSec, rest.perSec)} | ${ms(firstProgress?.p50)} | ${ms(firstProgress?.p99)} | ${ms(finished.p50)}${ratio(finished.p50, rest.finished.p50)} | ${ms(finished.p99)}${ratio(finished.p99, rest.finished.p99)} | ${num(phase.errors)} |`;
}

/** The section's lines (heading included); empty when the scenario was not selected. */
export function jobsSection(results: BenchResults): string[] {
  const outcome = results.jobs;
  if (outcome === undefined) return [];
  const { users, window, phaseMs, warmupMs } = results.sizes.jobs;
  const lines = [
    '## Jobs',
    '',
    `${users} user sockets (one user each) on embedded Switchboard each keep ${window} jobs of an app-defined kind in flight for ${phaseMs / 1000} s (after a ${warmupMs} ms warm-up): \`job.start\` → the app's one SDK worker (\`createWorker\`, \`/ws/worker\`) gets \`job.assigned\`, reports one \`job.progress\`, returns its result → the user gets \`job.finished\`. Beside it the same round trip as a plain REST call: the same ${users * window} requests in flight, each an HTTP/1.1 POST of the same params (keep-alive) to a node:http server that answers the result. Latency is start to first \`job.progress\` and start to \`job.finished\` (REST: request to response), in ms; ratios are to the REST call. The worker, the user sockets and both ends of the REST call run in the runner process, Switchboard in its own.`,
    '',
  ];
  if (outcome.status !== 'ok') {
    lines.push(`Not measured: ${outcome.status === 'failed' ? (outcome.error.split('\n')[0] ?? '') : outcome.reason}.`, '');
    return lines;
  }
  const { jobs, rest } = outcome.value;
  lines.push(
    '| path | completed/s | first progress p50 | first progress p99 | finished p50 | finished p99 | not succeeded |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    row('Switchboard job through an app worker', jobs, rest),
    row('plain REST call (node:http)', rest, rest),
    '',
  );
  return lines;
}
