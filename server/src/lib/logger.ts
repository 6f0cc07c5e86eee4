/**
 * One structured logger (pino). Connections get child loggers carrying their id. Payloads and
 * secrets are never passed to it: log ids, codes and sizes. Two nets catch what slips through:
 * errors are logged through `safeError`, which keeps what names a failure (type, message, stack,
 * codes, the constraint, bound query text) and drops what carries data (a driver's `params`,
 * `detail` and `where`, a Redis command's arguments); `redact` censors the header and field
 * names that carry credentials should an object holding them ever be logged.
 */
import { pino, type Logger } from 'pino';

export type { Logger };

/** Fields of an error that name the failure without carrying the data involved. */
const KEPT_FIELDS = ['code', 'constraint', 'table', 'column', 'schema', 'dataType', 'severity', 'routine', 'errno', 'syscall', 'status'];
/** How deep `cause` chains (and AggregateError members) are followed. */
const MAX_DEPTH = 4;

/** An error as it may appear in a log line. */
export interface SafeError {
  type: string;
  message: string;
  stack?: string;
  /** The SQL text, which holds placeholders (`$1`) only: queries are always compiled with bound parameters. */
  query?: string;
  /** The name of the Redis command that failed, without its arguments. */
  command?: string;
  cause?: SafeError | string;
  errors?: (SafeError | string)[];
  [field: string]: unknown;
}

/**
 * The loggable form of any thrown value. A database error's message may quote a value it could
 * not store (`invalid input syntax for type uuid: "…"`), so quoted text in it is censored; the
 * constraint, table and column it names are kept as fields.
 */
export function safeError(value: unknown, depth = 0): SafeError | string {
  if (!(value instanceof Error)) return `[thrown ${value === null ? 'null' : typeof value}]`;
  const fields = value as unknown as Record<string, unknown>;
  const fromDatabase = typeof fields.severity === 'string' || 'params' in fields || 'parameters' in fields;
  const clean = (text: string) => (fromDatabase ? text.replace(/"[^"\n]*"/g, '"[redacted]"') : text);
  const out: SafeError = { type: value.name, message: clean(value.message) };
  if (value.stack !== undefined) out.stack = clean(value.stack);
  for (const field of KEPT_FIELDS) {
    const kept = fields[field];
    if (typeof kept === 'string' || typeof kept === 'number') out[field] = kept;
  }
  if (typeof fields.query === 'string') out.query = fields.query.slice(0, 2_000);
  const command = fields.command as { name?: unknown } | undefined;
  if (typeof command?.name === 'string') out.command = command.name;
  if (depth < MAX_DEPTH) {
    if (value.cause !== undefined) out.cause = safeError(value.cause, depth + 1);
    if (value instanceof AggregateError) out.errors = value.errors.slice(0, 10).map((e: unknown) => safeError(e, depth + 1));
  }
  return out;
}

/** Creates the root logger writing JSON lines to stdout (or `destination`). */
export function createLogger(options: { level: string; destination?: NodeJS.WritableStream; base?: Record<string, unknown> }): Logger {
  return pino(
    {
      level: options.level,
      base: options.base ?? {},
      serializers: { err: safeError, error: safeError, cause: safeError },
      redact: {
        paths: [
          'headers.authorization',
          'headers["api-key"]',
          'headers.cookie',
          '*.token',
          '*.accessToken',
          '*.apiKey',
          '*.password',
          'params',
          'parameters',
          'payload',
          'frame',
          '*.params',
          '*.parameters',
          '*.payload',
        ],
        censor: '[redacted]',
      },
    },
    options.destination ?? process.stdout,
  );
}
