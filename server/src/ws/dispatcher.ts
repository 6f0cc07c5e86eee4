/**
 * Turns one raw text frame into one answer: size limit → JSON parse → generated envelope
 * validator → action lookup → rate limit → authentication → generated payload validator →
 * the handler typed by the registry. Every failure is answered with a catalog code and the
 * frame's `ref`; nothing thrown escapes, and the socket stays open.
 */
import type { ActionInfo, ErrorCode, RequestId, Validator } from '@switchboard/protocol';
import { validateEnvelope } from '@switchboard/protocol/validators';
import { SwitchboardError, toSwitchboardError, validationIssues } from '../lib/errors.ts';
import { findUnstorable } from '../lib/storable-json.ts';
import type { Logger } from '../lib/logger.ts';
import type { Refusal } from './connection.ts';

/** One action of a generated action map. */
export type ActionSpec = { input: unknown; output: unknown; errors: ErrorCode };

/** The shape every generated action map (an interface, so no index signature) has. */
export type ActionMap<Actions> = { [A in keyof Actions]: ActionSpec };

/** One handler per action, typed from the registry; a missing one fails to compile (`satisfies`). */
export type Handlers<Actions extends ActionMap<Actions>, Ctx> = {
  [A in keyof Actions]: (input: Actions[A]['input'], ctx: Ctx) => Actions[A]['output'] | Promise<Actions[A]['output']>;
};

/** What the dispatcher needs of a connection (ws/connection.ts has it; a unit test fakes it). */
export interface DispatchPeer {
  /** Writes one encoded frame. */
  send(frame: string): boolean;
  /** Counts a malformed frame (the connection closes a socket that sends too many). */
  malformed(): void;
  /** Runs what a handler queued to follow its answer. */
  flushAfterReply(): void;
  readonly log: Logger;
}

/** What a dispatcher needs: the generated registry pieces of one socket route and its handlers. */
export interface DispatcherOptions<Actions extends ActionMap<Actions>, Ctx> {
  maxFrameBytes: number;
  actions: { readonly [A in keyof Actions]: ActionInfo };
  validators: { readonly [action: string]: Validator | undefined };
  commonErrors: readonly ErrorCode[];
  handlers: Handlers<Actions, Ctx>;
  /** Whether the socket behind a handler context may use non-public actions. */
  authenticated: (ctx: Ctx) => boolean;
  /** Sees every error answer (the metrics count them by code). */
  onError?: (error: SwitchboardError) => void;
}

/** Why the connection refused a frame on arrival (over the rate limit, inbox full), with a retry hint: the connection's own type. */
export type FrameRefusal = Refusal;

/**
 * Handles one frame of a connection with its handler context; never throws. A frame the
 * connection refused on arrival is answered with `refusal` (or as malformed), before any await.
 */
export type Dispatch<Ctx> = (peer: DispatchPeer, ctx: Ctx, text: string, refusal?: FrameRefusal) => Promise<void>;

/** Builds the frame handler of one socket route. */
export function createDispatcher<Actions extends ActionMap<Actions>, Ctx>(options: DispatcherOptions<Actions, Ctx>): Dispatch<Ctx> {
  const { maxFrameBytes, actions, validators, commonErrors, handlers, authenticated } = options;
  const allowed = new Map<string, ReadonlySet<ErrorCode>>();
  for (const [name, info] of Object.entries(actions) as [string, ActionInfo][]) {
    allowed.set(name, new Set([...info.errors, ...commonErrors]));
  }

  const sendError = (connection: DispatchPeer, action: string, ref: RequestId | undefined, error: SwitchboardError) => {
    options.onError?.(error);
    connection.send(JSON.stringify({ action, ref, error: error.toWire() }));
  };

  return async function dispatch(connection, ctx, text, refusal) {
    // Characters understate bytes by at most 3x; count bytes only when it could matter.
    if (text.length * 3 > maxFrameBytes && Buffer.byteLength(text) > maxFrameBytes) {
      connection.malformed();
      sendError(connection, 'error', peekId(text), new SwitchboardError('frame_too_large', undefined, { maxBytes: maxFrameBytes }));
      return;
    }
    let frame: unknown;
    try {
      frame = JSON.parse(text);
    } catch {
      connection.malformed();
      sendError(connection, 'error', undefined, new SwitchboardError('bad_request', 'The frame is not valid JSON.'));
      return;
    }
    if (!validateEnvelope(frame)) {
      connection.malformed();
      const issues = validationIssues(validateEnvelope.errors);
      sendError(
        connection,
        'error',
        readableId(frame),
        new SwitchboardError('bad_request', 'The frame is not a valid envelope.', { issues }),
      );
      return;
    }
    const { action, id, payload } = frame;
    const codes = allowed.get(action);
    const handler = (handlers as Record<string, ((input: unknown, ctx: Ctx) => unknown) | undefined>)[action];
    if (!codes || !handler) {
      connection.malformed();
      sendError(connection, 'error', id, new SwitchboardError('unknown_action', `No action ${JSON.stringify(action)} on this socket.`));
      return;
    }
    try {
      if (refusal) throw refused(refusal);
      const info = (actions as Record<string, ActionInfo>)[action]!;
      if (!info.public && !authenticated(ctx)) throw new SwitchboardError('unauthenticated', 'Authorize the socket first.');
      const input = payload ?? {};
      const validate = validators[action]!;
      if (!validate(input)) throw new SwitchboardError('validation_failed', undefined, { issues: validationIssues(validate.errors) });
      // What a schema cannot say but Postgres needs (no U+0000, no lone surrogate, bounded depth).
      const unstorable = findUnstorable(input);
      if (unstorable) throw new SwitchboardError('validation_failed', undefined, { issues: [unstorable] });
      const output = await handler(input, ctx);
      connection.send(JSON.stringify({ action, ref: id, payload: output }));
      connection.flushAfterReply();
    } catch (err) {
      let error = toSwitchboardError(err, (e) => connection.log.error({ err: e, action }, 'handler failed'));
      if (!codes.has(error.code)) {
        // The spec lists what each action may answer; an undeclared code is a server bug.
        connection.log.error({ action, code: error.code }, 'handler answered an error code its spec does not declare');
        error = new SwitchboardError('internal');
      }
      sendError(connection, action, id, error);
    }
  };
}

/** The error a frame refused on arrival is answered with, its retry hint in `details` and `Retry-After`. */
export function refused({ code, retryAfterMs }: FrameRefusal): SwitchboardError {
  const message = code === 'rate_limited' ? undefined : "The server is busy with this socket's earlier frames; retry later.";
  return new SwitchboardError(code, message, { retryAfterMs }, { retryAfter: retryAfterMs / 1000 });
}

const ID_NEAR_START = /"id"\s*:\s*(?:"([^"\\]{1,64})"|(-?\d{1,15})\b)/;

/**
 * The `id` of a frame too large to parse, when it stands near the start (as SDKs write it), so
 * the caller's pending request can still be answered. Reads at most 256 characters.
 */
function peekId(text: string): RequestId | undefined {
  const match = ID_NEAR_START.exec(text.slice(0, 256));
  if (!match) return undefined;
  return match[1] ?? Number(match[2]);
}

/** The `id` of an invalid envelope, when it is still a usable ref. */
function readableId(frame: unknown): RequestId | undefined {
  if (!frame || typeof frame !== 'object') return undefined;
  const id = (frame as { id?: unknown }).id;
  if (typeof id === 'string' && id.length > 0 && id.length <= 64) return id;
  if (typeof id === 'number' && Number.isInteger(id)) return id;
  return undefined;
}
