/**
 * Reads a JSON request body and checks it with the operation's generated validator, so a handler
 * only ever sees a body its OpenAPI schema allows, typed from the same spec.
 */
import type { Context } from 'hono';
import type { BodyOf, OperationWithBody, Validator } from '@switchboard/protocol';
import { restBodyValidators } from '@switchboard/protocol/validators';
import { findUnstorable } from '../lib/storable-json.ts';
import { SwitchboardError, validationIssues } from '../lib/errors.ts';

/** The validated body of `operationId`; `bad_request` for non-JSON, `validation_failed` for a mismatch. */
export async function readBody<Op extends OperationWithBody>(c: Context, operationId: Op): Promise<BodyOf<Op>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new SwitchboardError('bad_request', 'The request body is not valid JSON.');
  }
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
