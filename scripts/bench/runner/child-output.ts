/** Keeps the last lines a child process printed, to explain its failure without flooding the run's output. */
import type { Readable } from 'node:stream';

const KEEP = 40;

/** The tail of a child's stdout and stderr. */
export class OutputTail {
  readonly #lines: string[] = [];

  /** Follows a stream of the child. */
  follow(stream: Readable | null): void {
    stream?.setEncoding('utf8');
    stream?.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) {
        if (line.trim() === '') continue;
        this.#lines.push(line.slice(0, 500));
        if (this.#lines.length > KEEP) this.#lines.shift();
      }
    });
  }

  /** What was kept, one line each. */
  toString(): string {
    return this.#lines.join('\n');
  }
}
