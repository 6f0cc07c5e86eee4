/**
 * The examples the specs carry, read from the YAML: every message's, every REST request body's
 * and response's, the error catalog's, the close codes' and the upgrade refusals'. The example
 * tests check them against the schemas and drive a real server with them.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

type Doc = { [key: string]: unknown };

const read = (file: string): Doc => parse(readFileSync(new URL(`../../specs/${file}`, import.meta.url), 'utf8')) as Doc;

/** The three spec files, parsed. */
export const specs = { asyncapi: read('asyncapi.yaml'), openapi: read('openapi.yaml'), common: read('common.yaml') };

function isDoc(value: unknown): value is Doc {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The node at a local `#/a/b` ref of `doc`. */
export function lookup(doc: Doc, ref: string): Doc {
  let node: unknown = doc;
  for (const part of ref.replace(/^#\//, '').split('/')) node = isDoc(node) ? node[part] : undefined;
  if (!isDoc(node)) throw new Error(`unresolved ref ${ref}`);
  return node;
}

const resolve = (doc: Doc, node: Doc): Doc => (typeof node.$ref === 'string' ? lookup(doc, node.$ref) : node);
const docs = (value: unknown): Doc[] => (Array.isArray(value) ? value.filter(isDoc) : []);
const entries = (value: unknown): [string, Doc][] =>
  isDoc(value) ? Object.entries(value).filter((e): e is [string, Doc] => isDoc(e[1])) : [];

/** One socket message with its examples, as a receive or send operation uses it. */
export interface MessageExamples {
  channel: string;
  /** The action or event name. */
  name: string;
  role: 'command' | 'reply' | 'event';
  payloads: unknown[];
}

/** Every message example of every socket operation. */
export function messageExamples(): MessageExamples[] {
  const { asyncapi } = specs;
  const out: MessageExamples[] = [];
  for (const [, op] of entries(asyncapi.operations)) {
    // The origins' own frames (x-compat) are outside the envelope and the generated validators;
    // test/compat drives the server with those examples and the tap checks them (helpers/compat-frames.ts).
    if (op['x-compat'] !== undefined) continue;
    const channel = String((op.channel as Doc).$ref).replace('#/channels/', '');
    const payloadsOf = (ref: unknown) =>
      docs(resolve(asyncapi, lookup(asyncapi, String((ref as Doc).$ref))).examples).map((e) => e.payload);
    if (op.action === 'receive') {
      const name = String(op['x-action']);
      out.push({ channel, name, role: 'command', payloads: payloadsOf(docs(op.messages)[0]) });
      out.push({ channel, name, role: 'reply', payloads: payloadsOf(docs((op.reply as Doc).messages)[0]) });
    } else {
      out.push({ channel, name: String(op['x-event']), role: 'event', payloads: payloadsOf(docs(op.messages)[0]) });
    }
  }
  return out;
}

/** One REST operation with the example of its body and of each response. */
export interface OperationExamples {
  operationId: string;
  method: string;
  path: string;
  security: 'adminToken' | 'apiKey' | 'none';
  /** The request body's example; undefined when the operation takes none. */
  body: unknown;
  hasBody: boolean;
  /** Status → the response's example (undefined for a response without a body). */
  responses: Map<string, unknown>;
  /** The first 2xx status. */
  success: string;
  /** Path parameter name → its example. */
  parameters: Map<string, string>;
}

function firstExample(media: Doc | undefined): unknown {
  if (!media) return undefined;
  if ('example' in media) return media.example;
  const [first] = entries(media.examples);
  return first?.[1].value;
}

/** Every REST operation's examples, in spec order. */
export function operationExamples(): OperationExamples[] {
  const { openapi } = specs;
  const out: OperationExamples[] = [];
  for (const [path, item] of entries(openapi.paths)) {
    const shared = docs(item.parameters).map((p) => resolve(openapi, p));
    for (const method of ['get', 'post', 'put', 'patch', 'delete']) {
      const op = item[method];
      if (!isDoc(op)) continue;
      const parameters = new Map<string, string>();
      for (const p of [...shared, ...docs(op.parameters).map((q) => resolve(openapi, q))])
        if (p.in === 'path') parameters.set(String(p.name), String(p.example));
      // JSON first; an operation that answers another type (getMetrics: text/plain) has its example there.
      const json = (node: Doc | undefined) =>
        isDoc(node?.content) ? ((node.content['application/json'] ?? Object.values(node.content)[0]) as Doc | undefined) : undefined;
      const requestBody = isDoc(op.requestBody) ? resolve(openapi, op.requestBody) : undefined;
      const responses = new Map<string, unknown>();
      for (const [status, response] of entries(op.responses)) responses.set(status, firstExample(json(resolve(openapi, response))));
      const scheme = docs(op.security).flatMap((s) => Object.keys(s))[0];
      out.push({
        operationId: String(op.operationId),
        method,
        path,
        security: scheme === 'adminToken' || scheme === 'apiKey' ? scheme : 'none',
        body: firstExample(json(requestBody)),
        hasBody: requestBody !== undefined,
        responses,
        success: [...responses.keys()].find((s) => /^2\d\d$/.test(s)) ?? '',
        parameters,
      });
    }
  }
  return out;
}

/** Whether a REST response declares a JSON body. */
export function responseHasBody(operationId: string, status: string): boolean {
  const { openapi } = specs;
  for (const [, item] of entries(openapi.paths)) {
    for (const [, op] of entries(item)) {
      if (op.operationId !== operationId) continue;
      const response = resolve(openapi, (op.responses as Doc)[status] as Doc);
      return isDoc(response.content);
    }
  }
  throw new Error(`no operation ${operationId}`);
}

/** The media type of a REST response's body (`application/json` for all but getMetrics). */
export function responseMediaType(operationId: string, status: string): string | undefined {
  const { openapi } = specs;
  for (const [, item] of entries(openapi.paths)) {
    for (const [, op] of entries(item)) {
      if (op.operationId !== operationId) continue;
      const response = resolve(openapi, (op.responses as Doc)[status] as Doc);
      return isDoc(response.content) ? Object.keys(response.content)[0] : undefined;
    }
  }
  throw new Error(`no operation ${operationId}`);
}

/** The error catalog's examples, by code. */
export function catalogExamples(): [string, unknown][] {
  return entries((specs.common.ErrorCode as Doc)['x-catalog']).map(([code, entry]) => [code, entry.example]);
}

/** The close codes with their examples. */
export function closeCodeExamples(): [string, Doc][] {
  return entries(specs.asyncapi['x-close-codes']);
}

/** The upgrade refusals with their examples. */
export function upgradeRefusalExamples(): [string, Doc][] {
  return entries(specs.asyncapi['x-upgrade-refusals']);
}
