/**
 * Reads a JSON request body and checks it with the operation's generated validator, so a handler
 * only ever sees a body its OpenAPI schema allows, typed from the same spec.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { BodyOf, OperationWithBody, Validator } from '@switchboard/protocol';
import { restBodyValidators } from '@switchboard/protocol/validators';
import { findUnstorable } from '../lib/storable-json.ts';
import { SwitchboardError, validationIssues } from '../lib/errors.ts';

declare module 'hono' {
  interface ContextVariableMap {
    /** The largest request body `readBody` reads (`MAX_FRAME_BYTES`), set by `bodyLimit`. */
    maxBodyBytes: number;
  }
}

/**
 * Sets the body size limit for `readBody`. The limit is checked where a body is read, so an
 * operation that takes none never answers 413 (its spec declares no body, and a body it never
 * reads costs it nothing: Node discards it).
 */
export function bodyLimit(maxBytes: number): MiddlewareHandler {
  return async (c, next) => {
    c.set('maxBodyBytes', maxBytes);
    await next();
  };
}

function tooLarge(maxBytes: number): SwitchboardError {
  return new SwitchboardError('frame_too_large', 'The request body is too large.', { maxBytes });
}

/** The body as text, refused `frame_too_large` as soon as it passes `maxBytes` (by its Content-Length, or while it streams). */
async function readText(request: Request, maxBytes: number): Promise<string> {
  const declared = Number(request.headers.get('content-length') ?? '0');
  if (declared > maxBytes) throw tooLarge(maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge(maxBytes);
    }
    chunks.push(value);
  }
  return new TextDecoder().decode(Buffer.concat(chunks));
}

/** The validated body of `operationId`; `frame_too_large` past the limit, `bad_request` for non-JSON, `validation_failed` for a mismatch. */
export async function readBody<Op extends OperationWithBody>(c: Context, operationId: Op): Promise<BodyOf<Op>> {
  const text = await readText(c.req.raw, c.get('maxBodyBytes') ?? Number.POSITIVE_INFINITY);
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new SwitchboardError('bad_request', 'The request body is not valid JSON.');
  }
  return checkBody(operationId, body);
}

/** `body` as the operation's schema types it, or `validation_failed` naming each offending path (REST and the direct emitter). */
export function checkBody<Op extends OperationWithBody>(operationId: Op, body: unknown): BodyOf<Op> {
  const validate: Validator<BodyOf<Op>> = restBodyValidators[operationId];
  if (!validate(body)) throw new SwitchboardError('validation_failed', undefined, { issues: validationIssues(validate.errors) });
  // What a schema cannot say but Postgres needs (no U+0000, no lone surrogate, bounded depth).
  const unstorable = findUnstorable(body);
  if (unstorable) throw new SwitchboardError('validation_failed', undefined, { issues: [unstorable] });
  return body;
}

/** A non-negative integer query parameter, or `validation_failed` naming it. */
export function intQuery(c: Context, name: string, bounds: { min: number; max: number; fallback: number }): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return bounds.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new SwitchboardError('validation_failed', undefined, {
      issues: [{ path: `/${name}`, message: `must be an integer from ${bounds.min} to ${bounds.max}` }],
    });
  }
  return value;
}
