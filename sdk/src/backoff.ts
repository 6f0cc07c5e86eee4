/**
 * Full-jitter exponential backoff (as in centrifuge-js): a random delay in
 * `[minDelayMs, min(maxDelayMs, minDelayMs + minDelayMs * 2 ** step)]`.
 *
 * @example
 * backoff(0, 250, 10_000); // between 250 and 500 ms
 * backoff(10, 250, 10_000); // between 250 and 10_000 ms
 */
export function backoff(step: number, minDelayMs: number, maxDelayMs: number, random: () => number = Math.random): number {
  // The jitter spreads the clients of a node that went down over the whole window, so they do
  // not all come back in the same instant; the cap on `step` keeps 2 ** step finite.
  const window = Math.min(maxDelayMs, minDelayMs * 2 ** Math.min(step, 31));
  return Math.min(maxDelayMs, minDelayMs + Math.floor(random() * (window + 1)));
}
