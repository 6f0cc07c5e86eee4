/** Writes the report and its chart side by side. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import type { BenchResults } from '../results.ts';
import { benchFile } from '../runner/paths.ts';
import { latencyChart } from './latency-chart.ts';
import { renderReport } from './markdown.ts';

/** The chart's file name, next to the report: `benchmarks.md` gets `benchmarks-latency.svg`, `jobs.md` `jobs-latency.svg`. */
export function chartName(out: string): string {
  return `${basename(out, '.md')}-latency.svg`;
}

/** Writes `out` (Markdown) and the SVG chart next to it; returns both paths. */
export async function writeReport(results: BenchResults, out: string, command: string): Promise<{ report: string; chart: string }> {
  const name = chartName(out);
  const chart = join(dirname(out), name);
  const tuningLog = await readFile(benchFile('tuning-log.md'), 'utf8');
  await mkdir(dirname(out), { recursive: true });
  await writeFile(chart, latencyChart(results));
  await writeFile(out, renderReport({ results, chartName: name, command, tuningLog }));
  return { report: out, chart };
}
