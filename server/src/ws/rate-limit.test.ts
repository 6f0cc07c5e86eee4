/** The token bucket on an injected clock: a burst, then the refill rate, never above the burst. */
import { describe, expect, it } from 'vitest';
import { TokenBucket } from './rate-limit.ts';

/** Takes `count` tokens at `now`; returns how many were granted. */
function takeMany(bucket: TokenBucket, count: number, now: number): number {
  let granted = 0;
  for (let i = 0; i < count; i++) if (bucket.take(now)) granted++;
  return granted;
}

describe('TokenBucket', () => {
  it('grants a full burst at once, then refuses', () => {
    const bucket = new TokenBucket(10, 5, 0);
    expect(takeMany(bucket, 8, 0)).toBe(5);
    expect(bucket.take(0)).toBe(false);
  });

  it('refills at the rate per second', () => {
    const bucket = new TokenBucket(10, 5, 0);
    takeMany(bucket, 5, 0);
    // 10 a second: one token per 100 ms.
    expect(bucket.take(50)).toBe(false);
    expect(bucket.take(100)).toBe(true);
    expect(bucket.take(100)).toBe(false);
    expect(takeMany(bucket, 5, 400)).toBe(3);
  });

  it('never holds more than the burst, however long it idled', () => {
    const bucket = new TokenBucket(10, 5, 0);
    takeMany(bucket, 5, 0);
    expect(takeMany(bucket, 100, 60_000)).toBe(5);
  });

  it('keeps fractions of a token across calls, so a steady sender at the rate is never refused', () => {
    const bucket = new TokenBucket(100, 1, 0);
    let refused = 0;
    // One command every 10 ms is exactly 100 a second.
    for (let now = 0; now <= 10_000; now += 10) if (!bucket.take(now)) refused++;
    expect(refused).toBe(0);
    // One more in the same instant exceeds the rate.
    expect(bucket.take(10_000)).toBe(false);
  });

  it('grants credit beyond the burst for paused time, spent first and capped', () => {
    const bucket = new TokenBucket(100, 5, 0);
    takeMany(bucket, 5, 0);
    // Two seconds paused at 100 a second would allow 200; the cap is 50.
    bucket.credit(2_000, 50);
    expect(takeMany(bucket, 60, 0)).toBe(50);
    bucket.credit(100, 50);
    expect(takeMany(bucket, 20, 0)).toBe(10);
  });
});
