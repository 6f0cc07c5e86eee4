/**
 * A token bucket per connection: `rate` tokens a second refill up to `burst`. Cheap enough for
 * the per-frame path: one clock read and a little arithmetic, no timers.
 */

/** Limits how many commands a connection may send. */
export class TokenBucket {
  #tokens: number;
  /** Tokens beyond the burst, granted for time the server itself was not reading (see `credit`). */
  #credit = 0;
  #last: number;
  readonly #rate: number;
  readonly #burst: number;

  constructor(rate: number, burst: number, now = performance.now()) {
    this.#rate = rate / 1000;
    this.#burst = burst;
    this.#tokens = burst;
    this.#last = now;
  }

  /** Takes one token; false when the bucket is empty. */
  take(now = performance.now()): boolean {
    if (this.#credit >= 1) {
      this.#credit -= 1;
      return true;
    }
    this.#tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    this.#last = now;
    if (this.#tokens < 1) return false;
    this.#tokens -= 1;
    return true;
  }

  /**
   * Grants what `ms` at the full rate would have allowed, beyond the burst and at most `most`
   * tokens in all. For time the server paused the socket's reads: the frames a client sent at an
   * honest rate meanwhile wait in TCP buffers and arrive together when reads resume, and must not
   * count as a burst the client made.
   */
  credit(ms: number, most: number): void {
    this.#credit = Math.min(most, this.#credit + ms * this.#rate);
  }

  /** Milliseconds until the next token (0 when one is there): the retry hint of a refusal. */
  msUntilToken(now = performance.now()): number {
    const tokens = Math.min(this.#burst, this.#tokens + (now - this.#last) * this.#rate);
    return tokens >= 1 ? 0 : Math.ceil((1 - tokens) / this.#rate);
  }
}
