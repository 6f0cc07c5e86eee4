/**
 * Reads the raw specs (refs intact, so component names survive) into the model every emitter
 * works from: the named schemas, each socket's actions and events, the error catalog and the
 * close codes. The spec tools have validated the files before this runs; what is checked here
 * are Switchboard's own conventions (x-action, x-errors, x-catalog ...).
 */
import { readFile } from 'node:fs/promises';
import { parse } from 'yaml';
import { specPaths } from './paths.ts';
import type { Schema } from './schema-to-ts.ts';

/** One client command: its payload, its reply and the codes it may answer with. */
export interface ActionModel {
  name: string;
  summary: string;
  public: boolean;
  input: Schema;
  inputType: string;
  output: Schema;
  outputType: string;
  errors: string[];
  /** The envelope schema the command travels in (its message's trait `x-frame`). */
  commandFrame: string;
  /** The envelope schema of its answer. */
  replyFrame: string;
}

/** One server-initiated frame. */
export interface EventModel {
  name: string;
  summary: string;
  payload: Schema;
  payloadType: string;
  /** The envelope schema the event travels in: the event frame, or the error frame. */
  frame: string;
}

/** One socket route (an AsyncAPI channel). */
export interface ChannelModel {
  id: string;
  address: string;
  actions: ActionModel[];
  events: EventModel[];
}

/** Everything codegen needs, in spec order. */
export interface ProtocolModel {
  /** Every named schema of both specs and common.yaml, refs rewritten to `#/$defs/Name`. */
  defs: Record<string, Schema>;
  channels: ChannelModel[];
  errorCatalog: Record<string, { status: number; message: string }>;
  commonErrors: string[];
  closeCodes: Record<string, CloseCodeModel>;
  /** How the server answers an upgrade it refuses, by error code. */
  upgradeRefusals: Record<string, { status: number; description: string }>;
  /** The bundled OpenAPI document's operations, for REST validators. */
  restOperations: RestOperationModel[];
}

/** One documented close code: the number, the close frame's reason text, why it happens. */
export interface CloseCodeModel {
  code: number;
  reason: string;
  description: string;
}

/** One REST operation's bodies. */
export interface RestOperationModel {
  operationId: string;
  method: string;
  path: string;
  requestBody?: Schema;
  responses: { status: string; schema?: Schema }[];
}

type Doc = Record<string, any>;

/** Loads and checks the three spec files. */
export async function loadModel(): Promise<ProtocolModel> {
  const asyncapi = parse(await readFile(specPaths.asyncapi, 'utf8')) as Doc;
  const openapi = parse(await readFile(specPaths.openapi, 'utf8')) as Doc;
  const common = parse(await readFile(specPaths.common, 'utf8')) as Doc;

  const defs: Record<string, Schema> = {};
  const addDefs = (from: string, schemas: Doc) => {
    for (const [name, schema] of Object.entries(schemas)) {
      if (defs[name]) throw new Error(`schema ${name} is defined twice (second time in ${from}); names are shared across specs`);
      defs[name] = rewriteRefs(schema) as Schema;
    }
  };
  addDefs('common.yaml', common);
  addDefs('asyncapi.yaml', asyncapi.components?.schemas ?? {});
  addDefs('openapi.yaml', openapi.components?.schemas ?? {});

  const errorCode = common.ErrorCode as Doc;
  const errorCatalog: ProtocolModel['errorCatalog'] = Object.fromEntries(
    Object.entries(errorCode['x-catalog'] as Doc).map(([code, entry]) => {
      if (entry.example?.code !== code) throw new Error(`common.yaml: catalog entry ${code} needs an example ErrorObject with that code`);
      return [code, { status: entry.status, message: entry.message }];
    }),
  );
  const enumCodes = errorCode.enum as string[];
  if (JSON.stringify(Object.keys(errorCatalog)) !== JSON.stringify(enumCodes)) {
    throw new Error('common.yaml: ErrorCode.enum and ErrorCode.x-catalog must list the same codes in the same order');
  }
  const knownCode = (code: string, where: string) => {
    if (!errorCatalog[code]) throw new Error(`${where}: error code ${code} is not in the catalog`);
    return code;
  };
  const commonErrors = (asyncapi['x-common-errors'] as string[]).map((c) => knownCode(c, 'x-common-errors'));

  // A compatibility channel (`x-compat`) speaks an origin system's frames, not the envelope: it
  // has no registry; its route and its checks are hand-written (server/src/sockets/compat-*.ts).
  const channels: ChannelModel[] = Object.entries(asyncapi.channels as Doc)
    .filter(([, channel]) => channel['x-compat'] === undefined)
    .map(([id, channel]) => ({
      id,
      address: channel.address,
      actions: [],
      events: [],
    }));
  const message = (ref: string) => resolveMessage(asyncapi, ref);
  for (const [opId, op] of Object.entries(asyncapi.operations as Doc)) {
    // An origin system's own frame (`x-compat`), accepted as it is: no envelope, no registry entry;
    // its route translates it (server/src/sockets/compat-*.ts).
    if (op['x-compat'] !== undefined) continue;
    const channelId = String(op.channel.$ref).replace('#/channels/', '');
    const channel = channels.find((c) => c.id === channelId);
    if (!channel) throw new Error(`operation ${opId}: unknown channel ${channelId}`);
    if (typeof op.description !== 'string' || op.description.trim() === '')
      throw new Error(`operation ${opId}: a description is required (the summary is one line; say what happens)`);
    if (op.action === 'receive') {
      const name = op['x-action'];
      if (typeof name !== 'string') throw new Error(`operation ${opId}: x-action is required on receive operations`);
      const request = message(op.messages[0].$ref);
      const reply = message(op.reply?.messages?.[0]?.$ref);
      if (request.name !== name || reply.name !== name) throw new Error(`operation ${opId}: its messages must be named ${name}`);
      if (request.trait !== 'command' || reply.trait !== 'reply')
        throw new Error(`operation ${opId}: its message must have the command trait and its reply the reply trait`);
      channel.actions.push({
        name,
        summary: op.summary ?? '',
        public: op['x-public'] === true,
        input: rewriteRefs(request.payload) as Schema,
        inputType: typeName(request.payload, request.key),
        output: rewriteRefs(reply.payload) as Schema,
        outputType: typeName(reply.payload, reply.key),
        errors: ((op['x-errors'] ?? []) as string[]).map((c) => knownCode(c, `operation ${opId}`)),
        commandFrame: request.frame,
        replyFrame: reply.frame,
      });
    } else {
      const name = op['x-event'];
      if (typeof name !== 'string') throw new Error(`operation ${opId}: x-event is required on send operations`);
      const event = message(op.messages[0].$ref);
      if (event.trait !== (name === 'error' ? 'error' : 'event'))
        throw new Error(`operation ${opId}: its message must have the ${name === 'error' ? 'error' : 'event'} trait`);
      channel.events.push({
        name,
        summary: op.summary ?? '',
        payload: rewriteRefs(event.payload) as Schema,
        payloadType: typeName(event.payload, event.key),
        frame: event.frame,
      });
    }
  }
  for (const channel of channels) {
    const names = new Set(channel.actions.map((a) => a.name));
    for (const e of channel.events)
      if (names.has(e.name)) throw new Error(`channel ${channel.id}: ${e.name} is both an action and an event`);
  }

  return {
    defs,
    channels,
    errorCatalog,
    commonErrors,
    closeCodes: closeCodes(asyncapi['x-close-codes'] as Doc),
    upgradeRefusals: upgradeRefusals(asyncapi['x-upgrade-refusals'] as Doc, knownCode),
    restOperations: restOperations(openapi),
  };
}

function closeCodes(spec: Doc): Record<string, CloseCodeModel> {
  return Object.fromEntries(
    Object.entries(spec).map(([name, entry]) => {
      const { code, reason, description, example } = entry as Doc;
      if (!Number.isInteger(code) || code < 4000 || code > 4999)
        throw new Error(`x-close-codes.${name}: code must be an integer from 4000 to 4999`);
      if (typeof reason !== 'string' || typeof description !== 'string')
        throw new Error(`x-close-codes.${name}: reason and description are required`);
      if (example?.code !== code || example?.reason !== reason)
        throw new Error(`x-close-codes.${name}: example must be { code: ${code}, reason: ${reason} }`);
      return [name, { code, reason, description }];
    }),
  );
}

function upgradeRefusals(spec: Doc, knownCode: (code: string, where: string) => string): ProtocolModel['upgradeRefusals'] {
  return Object.fromEntries(
    Object.entries(spec).map(([code, entry]) => {
      const { status, description, example } = entry as Doc;
      knownCode(code, `x-upgrade-refusals.${code}`);
      if (typeof status !== 'number' || typeof description !== 'string')
        throw new Error(`x-upgrade-refusals.${code}: status and description are required`);
      if (example?.error?.code !== code) throw new Error(`x-upgrade-refusals.${code}: example must be an error body with that code`);
      return [code, { status, description }];
    }),
  );
}

function restOperations(openapi: Doc): RestOperationModel[] {
  const ops: RestOperationModel[] = [];
  for (const [path, item] of Object.entries(openapi.paths as Doc)) {
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!op) continue;
      const body = op.requestBody?.content?.['application/json']?.schema;
      const responses = Object.entries(op.responses as Doc).map(([status, response]) => {
        const resolved = response.$ref ? lookup(openapi, response.$ref) : response;
        const schema = resolved.content?.['application/json']?.schema;
        return { status, schema: schema ? (rewriteRefs(schema) as Schema) : undefined };
      });
      ops.push({ operationId: op.operationId, method, path, requestBody: body ? (rewriteRefs(body) as Schema) : undefined, responses });
    }
  }
  return ops;
}

interface ResolvedMessage {
  key: string;
  name: string;
  payload: Doc;
  /** Its one trait (command, reply, event or error), which names the envelope it travels in. */
  trait: string;
  frame: string;
}

function resolveMessage(doc: Doc, ref: string | undefined): ResolvedMessage {
  if (!ref) throw new Error('an operation is missing its message or reply message');
  let target = lookup(doc, ref);
  let key = ref.split('/').pop()!;
  if (target.$ref) {
    key = String(target.$ref).split('/').pop()!;
    target = lookup(doc, target.$ref);
  }
  if (!Array.isArray(target.examples) || target.examples.length === 0) throw new Error(`message ${key}: at least one example is required`);
  const traits = (target.traits ?? []) as Doc[];
  if (traits.length !== 1 || typeof traits[0]?.$ref !== 'string')
    throw new Error(`message ${key}: it must have exactly one trait (command, reply, event or error)`);
  const trait = refToName(traits[0].$ref);
  const frameRef = lookup(doc, traits[0].$ref)?.['x-frame']?.$ref;
  if (typeof frameRef !== 'string') throw new Error(`message trait ${trait}: x-frame must $ref the envelope schema`);
  return { key, name: target.name, payload: target.payload, trait, frame: refToName(frameRef) };
}

function lookup(doc: Doc, ref: string): Doc {
  return ref
    .replace(/^#\//, '')
    .split('/')
    .reduce((node: Doc, part) => node?.[part], doc);
}

/** The name a payload's type gets: payloads reference a named schema, so types keep spec names. */
function typeName(payload: Doc, messageKey: string): string {
  if (typeof payload?.$ref !== 'string') throw new Error(`message ${messageKey}: its payload must $ref a named schema`);
  return refToName(payload.$ref);
}

/** `#/components/schemas/X` and `./common.yaml#/X` both name X. */
export function refToName(ref: string): string {
  return ref.split('/').pop()!;
}

/** A deep copy with every $ref pointing into the shared `$defs`. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (!node || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' ? `#/$defs/${refToName(value)}` : rewriteRefs(value);
  }
  return out;
}
