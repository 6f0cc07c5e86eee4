import type { ErrorObject, RequestId } from '@switchboard/protocol';
import { parseErrorObject } from './errors.ts';
import { isRecord } from './json.ts';

/**
 * A server frame classified by its envelope. Only the envelope is checked here; payloads are
 * checked against the spec when the client's `validate` option is on.
 */
export type ServerFrame =
  | { kind: 'reply'; action: string; ref: RequestId; payload: unknown }
  | { kind: 'failure'; action: string; ref: RequestId | undefined; error: ErrorObject }
  | { kind: 'event'; action: string; payload: unknown };

/** Classifies an untrusted parsed frame, or returns undefined when its envelope is malformed. */
export function readServerFrame(value: unknown): ServerFrame | undefined {
  if (!isRecord(value) || typeof value.action !== 'string') return undefined;
  const { action, ref } = value;
  if (ref !== undefined && typeof ref !== 'string' && typeof ref !== 'number') return undefined;
  if ('error' in value) {
    // An error reply and the `error` event look alike: both settle the request named by `ref`.
    const error = parseErrorObject(value.error);
    return error && { kind: 'failure', action, ref, error };
  }
  if (ref !== undefined) return { kind: 'reply', action, ref, payload: value.payload };
  return { kind: 'event', action, payload: value.payload };
}
