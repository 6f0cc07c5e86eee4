/** A latency histogram with log buckets (about 2 % wide): constant memory, no allocation per sample. */

const PER_DOUBLING = 32;
const BUCKETS = PER_DOUBLING * 32;

/** Latency percentiles, in milliseconds. */
export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** Records latencies in microseconds; reports percentiles in milliseconds. */
export class LatencyHistogram {
  readonly #counts = new Uint32Array(BUCKETS);
  #count = 0;
  #max = 0;

  /** Adds one sample. */
  record(us: number): void {
    const bucket = us <= 0 ? 0 : Math.min(BUCKETS - 1, Math.floor(Math.log2(us + 1) * PER_DOUBLING));
    this.#counts[bucket] = (this.#counts[bucket] ?? 0) + 1;
    this.#count++;
    if (us > this.#max) this.#max = us;
  }

  /** Forgets every sample. */
  reset(): void {
    this.#counts.fill(0);
    this.#count = 0;
    this.#max = 0;
  }

  /** The value under which a fraction `q` of the samples fall, in ms (NaN without samples). */
  quantile(q: number): number {
    if (this.#count === 0) return Number.NaN;
    const rank = Math.max(1, Math.ceil(q * this.#count));
    let seen = 0;
    for (let bucket = 0; bucket < BUCKETS; bucket++) {
      seen += this.#counts[bucket] ?? 0;
      // The bucket's geometric middle, capped by the largest sample actually seen.
      if (seen >= rank) return Math.min(2 ** ((bucket + 0.5) / PER_DOUBLING) - 1, this.#max) / 1000;
    }
    return this.#max / 1000;
  }

  /** p50, p90, p99 and max. */
  summary(): LatencySummary {
    return {
      p50: this.quantile(0.5),
      p90: this.quantile(0.9),
      p99: this.quantile(0.99),
      max: this.#count === 0 ? Number.NaN : this.#max / 1000,
    };
  }
}
