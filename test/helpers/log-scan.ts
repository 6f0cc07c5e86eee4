/**
 * Collects every log line of the servers a test file starts (at trace level, the most a server
 * ever says) and, at the end of the file, fails if any secret or message body the file used
 * appears in them. Tests register what must never be logged with `remember`.
 */
import { Writable } from 'node:stream';
import { afterAll, expect } from 'vitest';
import { createLogger, type Logger } from '@switchboard/server';

/** A file-wide log collector. */
export interface LogScan {
  /** A trace-level logger writing into the collection; give it to every server of the file. */
  readonly logger: Logger;
  /** Secrets and bodies that must not appear in any line (strings shorter than 8 characters are ignored: too common to mean anything). */
  remember(...values: (string | undefined)[]): void;
  /** How many lines and remembered values so far. */
  counts(): { lines: number; values: number };
}

/** Creates the collector and registers the file-end check. */
export function createLogScan(): LogScan {
  let text = '';
  let lines = 0;
  const values = new Set<string>();
  const destination = new Writable({
    write(chunk, _encoding, done) {
      const s = String(chunk);
      text += s;
      lines += s.split('\n').length - 1;
      done();
    },
  });
  afterAll(() => {
    expect(lines, 'the servers logged nothing: the scan would prove nothing').toBeGreaterThan(0);
    // A value may be logged escaped as JSON: look for both forms.
    const leaked = [...values].filter((v) => text.includes(v) || text.includes(JSON.stringify(v).slice(1, -1)));
    const where = leaked.slice(0, 3).map((v) =>
      text
        .split('\n')
        .find((line) => line.includes(v))
        ?.slice(0, 300),
    );
    expect(leaked, `secrets or bodies in ${lines} log lines, e.g. ${JSON.stringify(where)}`).toEqual([]);
  });
  return {
    logger: createLogger({ level: 'trace', destination }),
    remember: (...found) => {
      for (const value of found) if (value !== undefined && value.length >= 8) values.add(value);
    },
    counts: () => ({ lines, values: values.size }),
  };
}
