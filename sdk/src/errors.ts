import { errorCodes } from '@switchboard/protocol';
import type { ErrorCode, ErrorObject, UserActions } from '@switchboard/protocol';
import { isRecord } from './json.ts';

/**
 * Codes the server's `error` event may answer a request with when it cannot attribute the frame
 * to its action: a frame over `maxFrameBytes`, or an action this server does not know (yet).
 */
export type FrameErrorCode = 'bad_request' | 'frame_too_large' | 'unknown_action';

/**
 * Codes only the SDK produces, never a server: `aborted` when the caller's `AbortSignal` aborted a
 * request (its `cause` is the signal's reason).
 */
export type ClientErrorCode = 'aborted';

/** Every code a SwitchboardError can carry: the catalog's and the SDK's own. */
export type AnyErrorCode = ErrorCode | ClientErrorCode;

/** The codes the SDK adds to every socket request's own: the client's `timeout`, `aborted` and `unavailable`. */
export type CallErrorCode = FrameErrorCode | 'timeout' | 'aborted' | 'unavailable';

/** Every code a socket request for action `A` can reject with: its own, the frame-level ones, and the client's `timeout`, `aborted` and `unavailable`. */
export type RequestErrorCode<A extends keyof UserActions> = UserActions[A]['errors'] | CallErrorCode;

/** The error a socket request for action `A` rejects with. */
export type RequestError<A extends keyof UserActions> = SwitchboardError<RequestErrorCode<A>>;

/** What a SwitchboardError carries besides its code and message. */
export interface SwitchboardErrorOptions {
  /** Code-specific detail, e.g. `issues` for `validation_failed`. */
  details?: Record<string, unknown> | undefined;
  /** The socket action whose request failed. */
  action?: string | undefined;
  /** The HTTP status, when a REST call failed. */
  status?: number | undefined;
  /** The underlying error, when the failure came from the transport. */
  cause?: unknown;
}

/**
 * The one error the SDK throws or rejects with: a catalog code, a message, and details.
 *
 * @example
 * try {
 *   await client.echo({ text });
 * } catch (error) {
 *   if (isSwitchboardError(error, 'echo') && error.code === 'validation_failed') showIssues(error.details);
 * }
 */
export class SwitchboardError<C extends AnyErrorCode = AnyErrorCode> extends Error {
  override readonly name = 'SwitchboardError';
  /** The catalog code; compare it to narrow (`error.code === 'timeout'`). */
  readonly code: C;
  /** Code-specific detail, e.g. `issues` for `validation_failed`. */
  readonly details: Record<string, unknown> | undefined;
  /** The socket action whose request failed, if any. */
  readonly action: string | undefined;
  /** The HTTP status, when a REST call failed. */
  readonly status: number | undefined;

  constructor(code: C, message: string = code, options: SwitchboardErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.details = options.details;
    this.action = options.action;
    this.status = options.status;
  }

  /** The wire form, `{ code, message, details? }`. */
  toJSON(): { code: C; message: string; details?: Record<string, unknown> } {
    return this.details === undefined
      ? { code: this.code, message: this.message }
      : { code: this.code, message: this.message, details: this.details };
  }
}

/**
 * Narrows an unknown caught value to a SwitchboardError; given an action, to the codes that
 * action's request can reject with.
 *
 * @example
 * client.echo({ text }).catch((error: unknown) => {
 *   if (isSwitchboardError(error, 'echo') && error.code === 'timeout') retryLater();
 * });
 */
export function isSwitchboardError(error: unknown): error is SwitchboardError;
export function isSwitchboardError<A extends keyof UserActions>(error: unknown, action: A): error is RequestError<A>;
export function isSwitchboardError(error: unknown, action?: string): error is SwitchboardError {
  return error instanceof SwitchboardError && (action === undefined || error.action === action);
}

/** True for a code of the catalog. */
export function isErrorCode(value: unknown): value is ErrorCode {
  // The codes alone, not `errorCatalog` with its messages: they would weigh on the browser bundle.
  return (errorCodes as readonly unknown[]).includes(value);
}

/** Reads an untrusted value as a catalog error object, or undefined when it is not one. */
export function parseErrorObject(value: unknown): ErrorObject | undefined {
  if (!isRecord(value)) return undefined;
  const { code, message, details } = value;
  if (!isErrorCode(code) || typeof message !== 'string') return undefined;
  if (details === undefined) return { code, message };
  return isRecord(details) ? { code, message, details } : undefined;
}
