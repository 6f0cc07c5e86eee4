import type { Validator, ValidatorError } from '@switchboard/protocol';
import { endpointServerFrameValidators, userServerFrameValidators, workerServerFrameValidators } from '@switchboard/protocol/validators';
import { isRecord } from './json.ts';
import type { FrameCheck, FrameValidator } from './types.ts';

/** Precompiled validators of one socket's server frames: replies by action, events by name. */
export interface ServerFrameValidators {
  readonly replies: { readonly [action: string]: Validator | undefined };
  readonly events: { readonly [event: string]: Validator | undefined };
}

function describe(errors: readonly ValidatorError[] | null | undefined): string {
  if (!errors?.length) return 'does not match the spec';
  // The deepest paths first: "/payload/text must be string" says more than "must match oneOf".
  const sorted = [...errors].sort((a, b) => b.instancePath.length - a.instancePath.length);
  return sorted
    .slice(0, 3)
    .map((e) => `${e.instancePath || '/'} ${e.message ?? e.keyword}`)
    .join('; ');
}

function lookup(map: ServerFrameValidators['replies'], name: string): Validator | undefined {
  return Object.hasOwn(map, name) ? map[name] : undefined;
}

/**
 * Builds a frame checker from a socket's generated validators.
 *
 * @example
 * const check = createFrameValidator(userServerFrameValidators);
 * check({ action: 'echo', ref: '1', payload: { text: 'hi' } }); // { ok: true }
 */
export function createFrameValidator(validators: ServerFrameValidators): FrameValidator {
  return (frame: unknown): FrameCheck => {
    if (!isRecord(frame)) return { ok: false, reason: 'not a JSON object' };
    const { action } = frame;
    if (typeof action !== 'string') return { ok: false, reason: 'no string `action`' };
    const reply = lookup(validators.replies, action);
    const event = lookup(validators.events, action);
    // A frame with `ref` is most likely a reply (the `error` event may carry one too); without,
    // an event (or the reply to a command sent without `id`). Either schema may accept it.
    const candidates = ('ref' in frame ? [reply, event] : [event, reply]).filter((v) => v !== undefined);
    const first = candidates[0];
    if (!first) return { ok: false, reason: `"${action}" is neither an action nor an event of this socket` };
    if (candidates.some((validator) => validator(frame))) return { ok: true };
    return { ok: false, reason: describe(first.errors) };
  };
}

/**
 * Checks one parsed frame from the user socket (`/ws`) against the spec. The Node entry uses it
 * when `validate` is on; the contract tests use it on every frame the server sends.
 *
 * @example
 * const result = validateServerFrame(JSON.parse(text));
 * if (!result.ok) throw new Error(result.reason);
 */
export const validateServerFrame: FrameValidator = createFrameValidator(userServerFrameValidators);

/** Checks one parsed frame from an endpoint socket (`/ws/endpoint/{code}`) against the spec. */
export const validateEndpointFrame: FrameValidator = createFrameValidator(endpointServerFrameValidators);

/** Checks one parsed frame from a worker socket (`/ws/worker`) against the spec. */
export const validateWorkerFrame: FrameValidator = createFrameValidator(workerServerFrameValidators);
