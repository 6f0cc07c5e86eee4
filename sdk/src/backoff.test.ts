/** Full-jitter backoff: the window doubles per step up to the cap, and every delay stays inside it. */
import { describe, expect, it } from 'vitest';
import { backoff } from './backoff.ts';

/** A seeded PRNG (mulberry32), so the sampled delays are the same on every run. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('backoff', () => {
  const min = 250;
  const max = 10_000;

  it('stays within [min, min(max, min + min * 2^step)] at the extremes of the random source', () => {
    for (let step = 0; step < 40; step++) {
      const upper = Math.min(max, min + min * 2 ** step);
      expect(backoff(step, min, max, () => 0)).toBe(min);
      expect(backoff(step, min, max, () => 0.999_999_999)).toBe(upper);
    }
  });

  it('grows: the largest and the average delay rise with each step until the cap', () => {
    const random = seeded(42);
    const samples = (step: number) => Array.from({ length: 400 }, () => backoff(step, min, max, random));
    let previousMean = 0;
    for (let step = 0; step <= 5; step++) {
      const delays = samples(step);
      const mean = delays.reduce((sum, delay) => sum + delay, 0) / delays.length;
      expect(mean).toBeGreaterThan(previousMean);
      previousMean = mean;
    }
    expect(Math.max(...samples(20))).toBeLessThanOrEqual(max);
  });

  it('is jittered: delays of one step spread over the window instead of repeating', () => {
    const random = seeded(7);
    const delays = Array.from({ length: 200 }, () => backoff(4, min, max, random));
    expect(new Set(delays).size).toBeGreaterThan(150);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual(min);
      expect(delay).toBeLessThanOrEqual(min + min * 2 ** 4);
    }
    // Spread over the window: some in its lower half and some in its upper half.
    const middle = min + (min * 2 ** 4) / 2;
    expect(delays.some((delay) => delay < middle)).toBe(true);
    expect(delays.some((delay) => delay > middle)).toBe(true);
  });

  it('stays finite for huge steps', () => {
    expect(backoff(1_000_000, min, max, () => 0.5)).toBeLessThanOrEqual(max);
    expect(Number.isFinite(backoff(Number.MAX_SAFE_INTEGER, min, max, () => 0.5))).toBe(true);
  });
});
