/**
 * The contract tap's view of the compatibility routes (`x-compat` channels of the AsyncAPI spec):
 * they speak an origin's frames, not the envelope, so their frames are checked against the
 * payload schemas of the channel's send operations, compiled here from the spec.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import { parse } from 'yaml';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- a parsed YAML document
const read = (name: string) => parse(readFileSync(new URL(`../../specs/${name}`, import.meta.url), 'utf8')) as Doc;
const BASE = 'https://switchboard.invalid/specs/';

function compile(): Map<string, ValidateFunction> {
  const asyncapi = read('asyncapi.yaml');
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  ajv.addSchema({ ...read('common.yaml'), $id: `${BASE}common.yaml` });
  const validators = new Map<string, ValidateFunction>();
  for (const [id, channel] of Object.entries(asyncapi.channels as Doc)) {
    if (channel['x-compat'] === undefined) continue;
    const sent = Object.values(asyncapi.operations as Doc).filter((op) => op.action === 'send' && op.channel.$ref === `#/channels/${id}`);
    const payloads = sent.flatMap((op) =>
      (op.messages as { $ref: string }[]).map((m) => {
        const key = m.$ref.split('/').pop()!;
        return asyncapi.components.messages[key].payload as Doc;
      }),
    );
    validators.set(id, ajv.compile({ $id: `${BASE}${id}.json`, oneOf: payloads }));
  }
  return validators;
}

let compiled: Map<string, ValidateFunction> | undefined;

/** Whether `route` is a compatibility route. */
export function isCompatRoute(route: string): boolean {
  return (compiled ??= compile()).has(route);
}

/** Why a frame of a compatibility route breaks the spec, or null. */
export function checkCompatFrame(route: string, text: string): string | null {
  const validate = (compiled ??= compile()).get(route);
  if (!validate) return `no spec for socket route ${route}`;
  let frame: unknown;
  try {
    frame = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  return validate(frame) ? null : `${route}: ${JSON.stringify(validate.errors)}`;
}
