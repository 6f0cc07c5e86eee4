/**
 * One structured logger (pino). Connections get child loggers carrying their id. Payloads and
 * secrets are never passed to it: log ids, codes and sizes, and `redact` catches the header
 * names that carry credentials should a request object ever be logged.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Creates the root logger writing JSON lines to stdout (or `destination`). */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream; base?: Record<string, unknown> }): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      redact: {
        paths: ['headers.authorization', 'headers["api-key"]', 'headers.cookie', '*.token', '*.apiKey', '*.code', '*.password'],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
