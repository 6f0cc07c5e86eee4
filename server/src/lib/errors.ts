/**
 * Errors are values with codes from the generated catalog (trpc's TRPCError, hono's
 * HTTPException): services throw `SwitchboardError`; one edge per transport turns any throwable
 * into the wire shape, and an unknown throwable becomes `internal` after its stack is logged.
 */
import { errorCatalog, type ErrorCode, type ErrorObject } from '@switchboard/protocol';

/** Hints a transport edge may turn into headers; never part of the wire body. */
export interface SwitchboardErrorOptions {
  cause?: unknown;
  /** Seconds after which a retry may succeed (`Retry-After` on 429). */
  retryAfter?: number;
  /** The credential scheme to ask for (`WWW-Authenticate` on 401), e.g. `Bearer` or `API-Key`. */
  challenge?: string;
  /** The dependency an `unavailable` error comes from, for the metrics (its timeouts are counted by dependency). */
  dependency?: 'postgres' | 'redis';
}

/** An error that owns its wire form: a catalog code, a message safe to show, optional details. */
export class SwitchboardError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  readonly retryAfter: number | undefined;
  readonly challenge: string | undefined;
  readonly dependency: 'postgres' | 'redis' | undefined;

  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>, options?: SwitchboardErrorOptions) {
    super(message ?? errorCatalog[code].message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'SwitchboardError';
    this.code = code;
    this.details = details;
    this.retryAfter = options?.retryAfter;
    this.challenge = options?.challenge;
    this.dependency = options?.dependency;
  }

  /** The HTTP status of this error's code. */
  get status(): number {
    return errorCatalog[this.code].status;
  }

  /** The `{ code, message, details? }` object both transports send. */
  toWire(): ErrorObject {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Normalizes any throwable; `onUnknown` sees (and should log) what was not a SwitchboardError,
 * and the cause of an `unavailable` one (an outage's driver error is worth a log line too).
 */
export function toSwitchboardError(err: unknown, onUnknown: (err: unknown) => void): SwitchboardError {
  if (err instanceof SwitchboardError) {
    if (err.code === 'unavailable' && err.cause !== undefined) onUnknown(err.cause);
    return err;
  }
  onUnknown(err);
  return new SwitchboardError('internal');
}

/** The `issues` detail of validation_failed, from ajv's errors; each path points at the offending (or missing, or extra) property. */
export function validationIssues(
  errors: readonly { instancePath: string; message?: string; params: Record<string, unknown> }[] | null | undefined,
) {
  const named = (e: { params: Record<string, unknown> }) =>
    typeof e.params.missingProperty === 'string'
      ? e.params.missingProperty
      : typeof e.params.additionalProperty === 'string'
        ? e.params.additionalProperty
        : undefined;
  return (errors ?? []).slice(0, 20).map((e) => {
    const property = named(e);
    return {
      path: property === undefined ? e.instancePath : `${e.instancePath}/${pointerToken(property)}`,
      message: e.params.additionalProperty ? `${e.message ?? 'invalid'}: ${String(e.params.additionalProperty)}` : (e.message ?? 'invalid'),
    };
  });
}

/** A property name as one JSON Pointer token (RFC 6901). */
function pointerToken(name: string): string {
  return name.replaceAll('~', '~0').replaceAll('/', '~1');
}
