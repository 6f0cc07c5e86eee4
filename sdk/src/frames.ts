import type { ErrorObject, RequestId, UserInfo } from '@switchboard/protocol';
import { parseErrorObject } from './errors.ts';
import { isRecord, messageOf } from './json.ts';
import type { FrameCheck, FrameValidator } from './types.ts';

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

/** Reads an untrusted value as a user (`welcome`'s, `user.updated`'s), or returns undefined when it is not one. */
export function readUser(value: unknown): UserInfo | undefined {
  if (!isRecord(value)) return undefined;
  const { id, username, displayName, staff } = value;
  if (typeof id !== 'string' || typeof username !== 'string' || typeof staff !== 'boolean') return undefined;
  return typeof displayName === 'string' ? { id, username, displayName, staff } : { id, username, staff };
}

/** Checks a parsed frame with the client's validator, if it has one; a validator that throws fails the check. */
export function checkFrame(validator: FrameValidator | undefined, value: unknown): FrameCheck {
  if (!validator) return { ok: true };
  try {
    return validator(value);
  } catch (error) {
    // A broken validator must not take the socket handler down with it.
    return { ok: false, reason: `the validator threw: ${messageOf(error)}` };
  }
}
