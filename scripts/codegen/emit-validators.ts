/**
 * Emits precompiled ajv validators (standalone code, so the server and SDK never compile
 * schemas at run time): inbound frames per socket action, outbound frames for the SDK's
 * `validate` option and the contract test, and REST request and response bodies.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import standaloneCode from 'ajv/dist/standalone/index.js';
import addFormats from 'ajv-formats';
import type { ChannelModel, ProtocolModel } from './model.ts';
import type { Schema } from './schema-to-ts.ts';
import { BANNER } from './emit-ts.ts';

const DEF = (name: string) => ({ $ref: `#/$defs/${name}` });

/** The identifier a validator export gets: `user` + `chat.join` → `user_chat_join`. */
export function validatorName(...parts: string[]): string {
  return parts.join('_').replace(/[^A-Za-z0-9_]/g, '_');
}

function replyFrame(channel: ChannelModel, model: ProtocolModel, action: ChannelModel['actions'][number]): Schema {
  const codes = [...new Set([...action.errors, ...model.commonErrors])];
  const base = { action: { const: action.name }, ref: DEF('RequestId') };
  return {
    oneOf: [
      { type: 'object', required: ['action', 'payload'], additionalProperties: false, properties: { ...base, payload: DEF(action.outputType) } },
      {
        type: 'object',
        required: ['action', 'error'],
        additionalProperties: false,
        properties: { ...base, error: { allOf: [DEF('ErrorObject'), { type: 'object', properties: { code: { enum: codes } } }] } },
      },
    ],
  };
}

function eventFrame(event: ChannelModel['events'][number]): Schema {
  if (event.name === 'error') {
    return {
      type: 'object',
      required: ['action', 'error'],
      additionalProperties: false,
      properties: { action: { const: 'error' }, ref: DEF('RequestId'), error: DEF('ErrorObject') },
    };
  }
  return {
    type: 'object',
    required: ['action', 'payload'],
    additionalProperties: false,
    properties: { action: { const: event.name }, payload: DEF(event.payloadType) },
  };
}

/** The validator sets, by output file: export name → schema (refs into the shared `$defs`). */
export function validatorSchemas(model: ProtocolModel): Record<'inbound' | 'outbound' | 'rest', Record<string, Schema>> {
  const inbound: Record<string, Schema> = { envelope: DEF('ClientEnvelope') };
  const outbound: Record<string, Schema> = {};
  for (const channel of model.channels) {
    for (const action of channel.actions) {
      inbound[validatorName(channel.id, action.name)] = DEF(action.inputType);
      outbound[validatorName(channel.id, 'reply', action.name)] = replyFrame(channel, model, action);
    }
    for (const event of channel.events) outbound[validatorName(channel.id, 'event', event.name)] = eventFrame(event);
  }
  const rest: Record<string, Schema> = {};
  for (const op of model.restOperations) {
    if (op.requestBody) rest[validatorName('body', op.operationId)] = op.requestBody;
    for (const r of op.responses) if (r.schema) rest[validatorName('response', op.operationId, r.status)] = r.schema;
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
export function emitValidatorModule(model: ProtocolModel, set: Record<string, Schema>): { js: string; dts: string } {
  const ajv = new Ajv2020({ code: { source: true, esm: true, lines: true }, allErrors: true, strict: true });
  addFormats.default(ajv);
  // One shared root for the named schemas, so a schema used by many validators compiles once.
  ajv.addSchema({ $id: 'defs', $defs: stripExtensions(model.defs) as Record<string, Schema> });
  const ids: Record<string, string> = {};
  for (const [name, schema] of Object.entries(set)) {
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
  const dts = [
    BANNER,
    "import type { Validator } from '../validator.ts';",
    ...Object.keys(set).map((name) => `export declare const ${name}: Validator;`),
    '',
  ].join('\n');
  return { js, dts };
}
