/**
 * `npm run bench`: runs the benchmark and writes docs/benchmarks.md with the latency chart next
 * to it. Flags: --smoke, --contract (Switchboard's nodes run the contract tap), --only=<scenarios>, --peers=<peers>, --rounds=<n>, --out=<file.md>,
 * --json=<file> (the raw results, for comparing runs).
 */
import { writeFile } from 'node:fs/promises';
import { runBenchmark } from './bench.ts';
import { parseArgs } from './options.ts';
import { writeReport } from './report/write.ts';

const argv = process.argv.slice(2);
const isJson = (arg: string) => arg.startsWith('--json=');
const json = argv.find(isJson)?.slice('--json='.length);
// Ctrl-C stops the run at the next phase and still gives back databases, Redis keys and processes; a second one quits at once.
const interrupt = new AbortController();
process.once('SIGINT', () => {
  process.stderr.write('\ninterrupted: finishing the current phase and cleaning up (Ctrl-C again to quit now)\n');
  interrupt.abort();
  process.once('SIGINT', () => process.exit(130));
});
try {
  const options = {
    ...parseArgs(
      argv.filter((arg) => !isJson(arg)),
      (line) => process.stderr.write(`${line}\n`),
    ),
    signal: interrupt.signal,
  };
  const results = await runBenchmark(options);
  const shown = argv.filter((arg) => !isJson(arg) && !arg.startsWith('--out='));
  const written = await writeReport(results, options.out, ['npm run bench', ...(shown.length > 0 ? ['--', ...shown] : [])].join(' '));
  if (json) await writeFile(json, JSON.stringify(results, null, 2));
  process.stderr.write(`\nwrote ${written.report} and ${written.chart} in ${Math.round(results.durationMs / 1000)} s\n`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
