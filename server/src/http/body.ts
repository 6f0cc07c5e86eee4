/**
 * Reads a JSON request body and checks it with the operation's generated validator, so a handler
 * only ever sees a body its OpenAPI schema allows, typed from the same spec.
 */
import type { Context } from 'hono';
import type { operations } from '@switchboard/protocol/openapi';
import * as rest from '@switchboard/protocol/validators/rest';
import type { Validator } from '@switchboard/protocol';
import { SwitchboardError, validationIssues } from '../lib/errors.ts';

type JsonBody<Op extends keyof operations> = NonNullable<operations[Op]['requestBody']> extends { content: { 'application/json': infer B } } ? B : never;
type WithBody = { [K in keyof operations]: [JsonBody<K>] extends [never] ? never : K }[keyof operations];

/** The JSON body type of an operation. */
export type BodyOf<Op extends WithBody> = JsonBody<Op>;

const validators = rest as unknown as Record<string, Validator | undefined>;

/** The validated body of `operationId`; `bad_request` for non-JSON, `validation_failed` for a mismatch. */
export async function readBody<Op extends WithBody>(c: Context, operationId: Op): Promise<BodyOf<Op>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new SwitchboardError('bad_request', 'The request body is not valid JSON.');
  }
  const validate = validators[`body_${operationId}`];
  if (!validate) throw new Error(`no generated validator for the body of ${operationId}`);
  if (!validate(body)) throw new SwitchboardError('validation_failed', undefined, { issues: validationIssues(validate.errors) });
  return body as BodyOf<Op>;
}

/** A non-negative integer query parameter, or `validation_failed` naming it. */
export function intQuery(c: Context, name: string, bounds: { min: number; max: number; fallback: number }): number {
  const raw = c.req.query(name);
  if (raw === undefined || raw === '') return bounds.fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < bounds.min || value > bounds.max) {
    throw new SwitchboardError('validation_failed', undefined, { issues: [{ path: `/${name}`, message: `must be an integer from ${bounds.min} to ${bounds.max}` }] });
  }
  return value;
}
