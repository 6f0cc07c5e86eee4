/** Reads a node's /metrics as numbers by series name. */
import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.ts';

/** The bearer token the metrics suites configure. */
export const METRICS_TOKEN = 'metrics-token-0123456789abcdef';

/** Scrapes `/metrics` (with METRICS_TOKEN) and returns a reader: a series' value, 0 when absent. */
export async function scrape(server: TestServer): Promise<(series: string) => number> {
  const response = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  const text = await response.text();
  return (series) => {
    const line = text.split('\n').find((l) => l.startsWith(`${series} `));
    return line === undefined ? 0 : Number(line.slice(series.length + 1));
  };
}

/** One series' value now. */
export async function metric(server: TestServer, series: string): Promise<number> {
  return (await scrape(server))(series);
}
