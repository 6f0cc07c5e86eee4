/**
 * `npm run bench`: runs the benchmark and writes docs/benchmarks.md with the latency chart next
 * to it. Flags: --smoke, --only=<scenarios>, --peers=<peers>, --rounds=<n>, --out=<file.md>,
 * --json=<file> (the raw results, for comparing runs).
 */
import { writeFile } from 'node:fs/promises';
import { runBenchmark } from './bench.ts';
import { parseArgs } from './options.ts';
import { writeReport } from './report/write.ts';

const argv = process.argv.slice(2);
const isJson = (arg: string) => arg.startsWith('--json=');
const json = argv.find(isJson)?.slice('--json='.length);
try {
  const options = parseArgs(argv.filter((arg) => !isJson(arg)), (line) => process.stderr.write(`${line}\n`));
  const results = await runBenchmark(options);
  const shown = argv.filter((arg) => !isJson(arg) && !arg.startsWith('--out='));
  const written = await writeReport(results, options.out, ['npm run bench', ...(shown.length > 0 ? ['--', ...shown] : [])].join(' '));
  if (json) await writeFile(json, JSON.stringify(results, null, 2));
  process.stderr.write(`\nwrote ${written.report} and ${written.chart} in ${Math.round(results.durationMs / 1000)} s\n`);
} catch (err) {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
}
