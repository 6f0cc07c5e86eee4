/**
 * Emits precompiled ajv validators (standalone code, so the server and SDK never compile
 * schemas at run time): inbound frames per socket action, outbound frames for the SDK's
 * `validate` option and the contract test, and REST request and response bodies.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import type { ChannelModel, ProtocolModel } from './model.ts';
import { oneLine, schemaToTs, type Schema } from './schema-to-ts.ts';
import { refToName } from './model.ts';
import { BANNER, pascal } from './emit-ts.ts';

const DEF = (name: string) => ({ $ref: `#/$defs/${name}` });

/** The identifier a validator export gets: `user` + `chat.join` → `user_chat_join`. */
export function validatorName(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

/** A validator to emit: the schema it checks and the TypeScript type it proves. */
export interface ValidatorSpec {
  schema: Schema;
  type: string;
}

const tsOf = (schema: Schema) => schemaToTs(schema, (r) => `T.${refToName(r)}`);

/** One action's reply: the spec's reply envelope, narrowed to this action's payload and codes. */
function replyFrame(channel: ChannelModel, model: ProtocolModel, action: ChannelModel['actions'][number]): ValidatorSpec {
  const codes = [...new Set([...action.errors, ...model.commonErrors])];
  return {
    schema: {
      allOf: [
        DEF(action.replyFrame),
        {
          type: 'object',
          properties: {
            action: { const: action.name },
            payload: DEF(action.outputType),
            error: { type: 'object', properties: { code: { enum: codes } } },
          },
        },
      ],
    },
    type: `ReplyFrameOf<${pascal(channel.id)}Actions, ${JSON.stringify(action.name)}>`,
  };
}

/** One event: the spec's event envelope narrowed to its name and payload, or the error frame. */
function eventFrame(channel: ChannelModel, event: ChannelModel['events'][number]): ValidatorSpec {
  const type = `EventFrameOf<${pascal(channel.id)}Events, ${JSON.stringify(event.name)}>`;
  if (event.name === 'error') return { schema: DEF(event.frame), type };
  return {
    schema: {
      allOf: [DEF(event.frame), { type: 'object', properties: { action: { const: event.name }, payload: DEF(event.payloadType) } }],
    },
    type,
  };
}

/** The validator sets, by output file: export name → schema (refs into the shared `$defs`) and type. */
export function validatorSchemas(model: ProtocolModel): Record<'inbound' | 'outbound' | 'rest', Record<string, ValidatorSpec>> {
  const commandFrames = new Set(model.channels.flatMap((c) => c.actions.map((a) => a.commandFrame)));
  if (commandFrames.size !== 1) throw new Error(`every command must travel in one envelope; found ${[...commandFrames].join(', ')}`);
  const [commandFrame] = commandFrames as Set<string>;
  const inbound: Record<string, ValidatorSpec> = { envelope: { schema: DEF(commandFrame!), type: `T.${commandFrame}` } };
  const outbound: Record<string, ValidatorSpec> = {};
  for (const channel of model.channels) {
    for (const action of channel.actions) {
      inbound[validatorName(channel.id, action.name)] = { schema: DEF(action.inputType), type: `T.${action.inputType}` };
      outbound[validatorName(channel.id, 'reply', action.name)] = replyFrame(channel, model, action);
    }
    for (const event of channel.events) outbound[validatorName(channel.id, 'event', event.name)] = eventFrame(channel, event);
  }
  // Named schemas marked `x-validate: true` that no action carries (e.g. a job kind's params), checked by the server itself.
  for (const [name, schema] of Object.entries(model.defs)) {
    if (schema['x-validate'] === true) inbound[validatorName('schema', name)] = { schema: DEF(name), type: `T.${name}` };
  }
  const rest: Record<string, ValidatorSpec> = {};
  for (const op of model.restOperations) {
    if (op.requestBody) rest[validatorName('body', op.operationId)] = { schema: op.requestBody, type: tsOf(op.requestBody) };
    for (const r of op.responses)
      if (r.schema) rest[validatorName('response', op.operationId, r.status)] = { schema: r.schema, type: tsOf(r.schema) };
  }
  return { inbound, outbound, rest };
}

function stripExtensions(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripExtensions);
  if (!node || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([k]) => !k.startsWith('x-'))
      .map(([k, v]) => [k, stripExtensions(v)]),
  );
}

/**
 * One standalone ESM module for a set of validators. ajv's output calls `require` for its
 * runtime helpers even in ESM mode; those calls become static imports so the module loads in
 * Node and in browser bundles alike.
 */
export function emitValidatorModule(model: ProtocolModel, set: Record<string, ValidatorSpec>): { js: string; dts: string } {
  const ajv = new Ajv2020({ code: { source: true, esm: true, lines: true }, allErrors: true, strict: true });
  addFormats.default(ajv);
  // One shared root for the named schemas, so a schema used by many validators compiles once.
  ajv.addSchema({ $id: 'defs', $defs: stripExtensions(model.defs) as Record<string, Schema> });
  const ids: Record<string, string> = {};
  for (const [name, { schema }] of Object.entries(set)) {
    const rooted = JSON.parse(JSON.stringify(stripExtensions(schema)).replaceAll('"#/$defs/', '"defs#/$defs/'));
    ajv.addSchema({ $id: name, ...rooted });
    ids[name] = name;
  }
  let code = standaloneCode(ajv, ids);
  const imports: string[] = [];
  const seen = new Map<string, string>();
  code = code.replace(/require\("([^"]+)"\)/g, (_, spec: string) => {
    let local = seen.get(spec);
    if (!local) {
      local = `runtime${seen.size}`;
      seen.set(spec, local);
      const file = JSON.stringify(spec.endsWith('.js') ? spec : `${spec}.js`);
      imports.push(`import * as ${local}Namespace from ${file};`, `const ${local} = commonjs(${local}Namespace);`);
    }
    return local;
  });
  code = code.replace(/^"use strict";/, '');
  // Node hands a CommonJS module to `import *` as { default: module.exports }; Vite and some
  // bundlers unwrap __esModule modules instead. This picks the exports object either way.
  const interop = 'function commonjs(ns) { return ns.default && ns.default.__esModule ? ns.default : ns; }';
  const js = `${BANNER}/* eslint-disable */\n${interop}\n${imports.join('\n')}\n${code}\n`;
  const types = Object.values(set)
    .map((v) => v.type)
    .join(' ');
  const used = (names: string[]) => names.filter((n) => new RegExp(`\\b${n}\\b`).test(types));
  const registry = used(model.channels.flatMap((c) => [`${pascal(c.id)}Actions`, `${pascal(c.id)}Events`]));
  const frames = used(['EventFrameOf', 'ReplyFrameOf']);
  const dts = [
    BANNER,
    "import type { Validator } from '../validator.ts';",
    ...(/\bT\./.test(types) ? ["import type * as T from '../types.ts';"] : []),
    ...(registry.length ? [`import type { ${registry.join(', ')} } from '../registry.ts';`] : []),
    ...(frames.length ? [`import type { ${frames.join(', ')} } from '../frames.ts';`] : []),
    '',
    ...Object.entries(set).map(
      ([name, { type }]) =>
        `/** Checks a value against its schema; a true result proves it is a \`${oneLine(type)}\`. */\nexport declare const ${name}: Validator<${type}>;`,
    ),
    '',
  ].join('\n');
  return { js, dts };
}
