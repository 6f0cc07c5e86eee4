/**
 * Counts attempts per key in fixed one-minute windows, in memory and bounded in size. Enough to
 * make password guessing slow on each node; it is not a cluster-wide quota.
 */

/** A bounded per-key attempt counter. */
export class AttemptLimiter {
  readonly #perMinute: number;
  readonly #maxKeys: number;
  #window = 0;
  #counts = new Map<string, number>();

  constructor(options: { perMinute: number; maxKeys: number }) {
    this.#perMinute = options.perMinute;
    this.#maxKeys = options.maxKeys;
  }

  /** Counts one attempt; false when the key used up this minute's allowance. */
  take(key: string, now = Date.now()): boolean {
    const window = Math.floor(now / 60_000);
    if (window !== this.#window || this.#counts.size >= this.#maxKeys) {
      this.#window = window;
      this.#counts = new Map();
    }
    const count = (this.#counts.get(key) ?? 0) + 1;
    this.#counts.set(key, count);
    return count <= this.#perMinute;
  }

  /** Seconds until the current window ends and a refused key may try again. */
  retryAfter(now = Date.now()): number {
    return Math.ceil((60_000 - (now % 60_000)) / 1000);
  }
}
