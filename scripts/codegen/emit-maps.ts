/**
 * Emits the typed seams the server and SDK are generic over: frame types, REST operation types
 * (`BodyOf`, `ResponseOf`) and validator maps keyed by action and by operationId, each validator
 * a type predicate so nothing is cast after it checked a value.
 */
import type { ProtocolModel } from './model.ts';
import { refToName } from './model.ts';
import { BANNER, pascal } from './emit-ts.ts';
import { validatorName } from './emit-validators.ts';
import { schemaToTs } from './schema-to-ts.ts';

const tsOf = (schema: Parameters<typeof schemaToTs>[0]) => schemaToTs(schema, (r) => `T.${refToName(r)}`, 3);
const key = (status: string) => (/^(\d+|[A-Za-z_]\w*)$/.test(status) ? status : JSON.stringify(status));

/** `validator.ts`: the type of every generated validator. */
export const VALIDATOR_TYPE = `${BANNER}
/** One problem ajv found, as ajv reports it. */
export interface ValidatorError {
  instancePath: string;
  keyword: string;
  message?: string;
  params: Record<string, unknown>;
}

/** A precompiled validator and type predicate: true proves \`data\` is a \`T\`; otherwise \`errors\` says why. */
export interface Validator<T = unknown> {
  (data: unknown): data is T;
  errors?: ValidatorError[] | null;
}
`;

/** `frames.ts`: the wire envelopes, typed per action and event of a registry. */
export const FRAMES = `${BANNER}import type { ErrorFrame, ErrorObject, RequestId } from './types.ts';

/** The answer to a command of \`Actions[A]\`: its reply payload, or an error with one of its codes. */
export type ReplyFrameOf<Actions extends { [K in A]: { output: unknown; errors: string } }, A extends string> =
  | { action: A; ref?: RequestId; payload: Actions[A]['output'] }
  | { action: A; ref?: RequestId; error: ErrorObject & { code: Actions[A]['errors'] } };

/** The frame of event \`E\`: \`{ action, payload }\`, or the error frame for \`error\`. */
export type EventFrameOf<Events extends { [K in E]: unknown }, E extends string> = E extends 'error' ? ErrorFrame : { action: E; payload: Events[E] };
`;

/** `rest.ts`: every REST operation's body and responses by status, and the lookups over them. */
export function emitRestTypes(model: ProtocolModel): string {
  const out = [BANNER, "import type * as T from './types.ts';", ''];
  out.push('/** Every REST operation by operationId: its method, path, JSON body and JSON response per status (null: no body). */');
  out.push('export interface RestOperations {');
  for (const op of model.restOperations) {
    out.push(`  ${op.operationId}: {`);
    out.push(`    method: ${JSON.stringify(op.method)};`);
    out.push(`    path: ${JSON.stringify(op.path)};`);
    out.push(`    body: ${op.requestBody ? tsOf(op.requestBody) : 'never'};`);
    out.push('    responses: {');
    for (const r of op.responses) out.push(`      ${key(r.status)}: ${r.schema ? tsOf(r.schema) : 'null'};`);
    out.push('    };');
    out.push('  };');
  }
  out.push('}\n');
  out.push('/** The operationId of a REST operation. */');
  out.push('export type OperationId = keyof RestOperations;\n');
  out.push('/** The operations that take a JSON body. */');
  out.push(
    `export type OperationWithBody = ${model.restOperations
      .filter((o) => o.requestBody)
      .map((o) => JSON.stringify(o.operationId))
      .join(' | ')};\n`,
  );
  out.push("/** The JSON body of an operation, e.g. `BodyOf<'createRoom'>`. */");
  out.push("export type BodyOf<Op extends OperationWithBody> = RestOperations[Op]['body'];\n");
  out.push('/** The statuses an operation declares. */');
  out.push("export type StatusOf<Op extends OperationId> = keyof RestOperations[Op]['responses'];\n");
  out.push("/** The JSON response of an operation for one status, e.g. `ResponseOf<'createRoom', 201>`. */");
  out.push("export type ResponseOf<Op extends OperationId, Status extends StatusOf<Op>> = RestOperations[Op]['responses'][Status];\n");
  return out.join('\n');
}

/** `validator-maps.ts`: validators by action (per socket) and by operationId (REST). */
export function emitValidatorMaps(model: ProtocolModel): string {
  const registry = model.channels.flatMap((c) => [`${pascal(c.id)}Actions`, `${pascal(c.id)}Events`]);
  const out = [
    BANNER,
    "import * as inbound from './validators/inbound.js';",
    "import * as outbound from './validators/outbound.js';",
    "import * as rest from './validators/rest.js';",
    "import type { Validator } from './validator.ts';",
    "import type { EventFrameOf, ReplyFrameOf } from './frames.ts';",
    `import type { ${registry.join(', ')} } from './registry.ts';`,
    "import type { BodyOf, OperationId, OperationWithBody, RestOperations } from './rest.ts';",
    '',
    "export type { Validator, ValidatorError } from './validator.ts';",
    '',
    '/** Validates the envelope of any client frame. */',
    'export const validateEnvelope = inbound.envelope;',
    '',
  ];
  for (const channel of model.channels) {
    const P = pascal(channel.id);
    out.push(`/** Payload validators of the ${channel.address} actions, by action. */`);
    out.push(`export const ${channel.id}PayloadValidators: { readonly [A in keyof ${P}Actions]: Validator<${P}Actions[A]['input']> } = {`);
    for (const a of channel.actions) out.push(`  ${JSON.stringify(a.name)}: inbound.${validatorName(channel.id, a.name)},`);
    out.push('};\n');
    out.push(`/** Validators of every frame the ${channel.address} socket sends: replies by action, events by name. */`);
    out.push(`export const ${channel.id}ServerFrameValidators: {`);
    out.push(`  readonly replies: { readonly [A in keyof ${P}Actions & string]: Validator<ReplyFrameOf<${P}Actions, A>> };`);
    out.push(`  readonly events: { readonly [E in keyof ${P}Events & string]: Validator<EventFrameOf<${P}Events, E>> };`);
    out.push('} = {');
    out.push('  replies: {');
    for (const a of channel.actions) out.push(`    ${JSON.stringify(a.name)}: outbound.${validatorName(channel.id, 'reply', a.name)},`);
    out.push('  },');
    out.push('  events: {');
    for (const e of channel.events) out.push(`    ${JSON.stringify(e.name)}: outbound.${validatorName(channel.id, 'event', e.name)},`);
    out.push('  },');
    out.push('};\n');
  }
  const marked = Object.entries(model.defs).filter(([, schema]) => schema['x-validate'] === true);
  if (marked.length > 0) {
    out.push("/** Validators of named schemas marked `x-validate` that the server checks itself (a job kind's params), by schema name. */");
    out.push('export const schemaValidators = {');
    for (const [name] of marked) out.push(`  ${name}: inbound.${validatorName('schema', name)},`);
    out.push('} as const;\n');
  }
  out.push(
    "/** Request body validators, by operationId: `restBodyValidators.createRoom(body)` proves `body` is a `BodyOf<'createRoom'>`. */",
  );
  out.push('export const restBodyValidators: { readonly [Op in OperationWithBody]: Validator<BodyOf<Op>> } = {');
  for (const op of model.restOperations)
    if (op.requestBody) out.push(`  ${op.operationId}: rest.${validatorName('body', op.operationId)},`);
  out.push('};\n');
  out.push('/** Response body validators, by operationId then status (statuses without a body have none). */');
  out.push('export const restResponseValidators = {');
  for (const op of model.restOperations) {
    const entries = op.responses
      .filter((r) => r.schema)
      .map((r) => `${key(r.status)}: rest.${validatorName('response', op.operationId, r.status)}`);
    out.push(`  ${op.operationId}: { ${entries.join(', ')} },`);
  }
  out.push(
    "} as const satisfies { readonly [Op in OperationId]: { readonly [S in keyof RestOperations[Op]['responses']]?: Validator<RestOperations[Op]['responses'][S]> } };\n",
  );
  return out.join('\n');
}
