/**
 * Holds the server to its specs: every frame a test server sends is checked against the
 * AsyncAPI-generated validators, every close code against `x-close-codes`, every refused upgrade
 * and every REST response against the statuses its spec declares (`default` never stands in
 * for a status: an answer the spec does not name is a violation, even with a valid error body).
 * The only exceptions are the one-line entries of spec-gaps.ts. No vitest here: a server in a
 * child process (the benchmark's peers) runs the same checks through `createInspector`.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { parse } from 'yaml';
import { closeCodes, errorCatalog, socketRoutes, upgradeRefusals } from '@switchboard/protocol';
import type { Inspector } from '@switchboard/server';
import {
  endpointServerFrameValidators,
  restResponseValidators,
  userServerFrameValidators,
  workerServerFrameValidators,
  type Validator,
} from '@switchboard/protocol/validators';
import { restStatusGaps, upgradeRefusalGaps } from './spec-gaps.ts';
import { checkCompatFrame, isCompatRoute } from './compat-frames.ts';

type ValidatorsByName = Readonly<Record<string, Validator>>;
type FrameValidators = { readonly replies: ValidatorsByName; readonly events: ValidatorsByName };

const specText = (name: string) => readFileSync(new URL(`../../specs/${name}`, import.meta.url), 'utf8');
const socketValidators: Readonly<Record<string, FrameValidators>> = {
  user: userServerFrameValidators,
  endpoint: endpointServerFrameValidators,
  worker: workerServerFrameValidators,
};
const responseValidators: Readonly<Record<string, ValidatorsByName>> = restResponseValidators;

/** `map[name]` for an own key only, so `constructor` or `__proto__` never find a validator. */
function own(map: ValidatorsByName | undefined, name: string): Validator | undefined {
  return map && Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Why a frame breaks the AsyncAPI spec, or null when it matches. */
export function checkFrame(route: string, text: string): string | null {
  if (isCompatRoute(route)) return checkCompatFrame(route, text);
  let frame: { action?: unknown; ref?: unknown };
  try {
    frame = JSON.parse(text);
  } catch {
    return `not JSON: ${text.slice(0, 80)}`;
  }
  const action = typeof frame?.action === 'string' ? frame.action : '';
  const validators = Object.hasOwn(socketValidators, route) ? socketValidators[route] : undefined;
  if (!validators) return `no spec for socket route ${route}`;
  const validate = own(validators.replies, action) ?? own(validators.events, action);
  if (!validate) return `action ${JSON.stringify(action)} is not in the spec for ${route}`;
  return validate(frame) ? null : `${action}: ${JSON.stringify(validate.errors)}`;
}

const closeNames = new Map<number, string>(Object.entries(closeCodes).map(([name, { code }]) => [code, name]));

/** Why a close the server sent breaks `x-close-codes`, or null when the code is listed and the reason fits it. */
export function checkClose(route: string, code: number, reason: string): string | null {
  const name = closeNames.get(code);
  if (!name) return `${route} closed with ${code} (${JSON.stringify(reason)}), which x-close-codes does not list`;
  const other = (closeCodes as Record<string, { code: number } | undefined>)[reason];
  if (other && other.code !== code) return `${route} closed with ${code} but the reason names ${reason} (${other.code})`;
  if (reason === '' || Buffer.byteLength(reason) > 123)
    return `${route} closed with ${code} and a reason of ${Buffer.byteLength(reason)} bytes (1-123 allowed)`;
  return null;
}

const common = parse(specText('common.yaml')) as Record<string, unknown>;
const ajv = new Ajv2020({ allErrors: true, strict: false });
ajv.addSchema(common, 'common.yaml');
const validateErrorBody = ajv.compile({
  type: 'object',
  required: ['error'],
  additionalProperties: false,
  properties: { error: { $ref: 'common.yaml#/ErrorObject' } },
});

/** The catalog code of an error body, or why the body is not one. */
function errorBodyProblem(status: number, body: string): string | null {
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    return 'the body is not JSON';
  }
  if (!validateErrorBody(json)) return `the body is not the catalog's error shape: ${JSON.stringify(validateErrorBody.errors)}`;
  const code = (json as { error: { code: keyof typeof errorCatalog } }).error.code;
  return errorCatalog[code].status === status ? null : `${code} is ${errorCatalog[code].status} in the catalog, answered ${status}`;
}

// The refusals the spec declares (`x-upgrade-refusals`), by status; they apply to every socket route.
const declaredRefusals = new Set<number>(Object.values(upgradeRefusals).map((refusal) => refusal.status));
const routePatterns = Object.entries(socketRoutes).map(([channel, address]) => ({
  channel,
  pattern: new RegExp(`^${address.replace(/\{[^}]+\}/g, '[^/]+')}/?$`),
}));

/** Why a refused upgrade breaks the specs, or null when its status is declared and its body is a catalog error. */
export function checkRefusal(path: string, status: number, body: string): string | null {
  const route = routePatterns.find((r) => r.pattern.test(path));
  const channel = route?.channel ?? 'none';
  if (!declaredRefusals.has(status) && !upgradeRefusalGaps.has(`${channel} ${status}`)) {
    return `upgrade of ${channel === 'none' ? 'an unknown path' : channel} refused with ${status}, which the spec does not declare`;
  }
  const problem = errorBodyProblem(status, body);
  return problem ? `upgrade of ${channel} refused with ${status}: ${problem}` : null;
}

interface Route {
  method: string;
  pattern: RegExp;
  operationId: string;
  /** The statuses the operation declares (never `default`). */
  declared: Set<string>;
  /** Declared statuses whose response has no body (204). */
  empty: Set<string>;
  /** Whether the operation declares `default` (a 500). */
  hasDefault: boolean;
  /** Declared statuses whose body is plain text (the Prometheus exposition), not JSON. */
  text: Set<string>;
}

const isTextOnly = (content: unknown) =>
  typeof content === 'object' &&
  content !== null &&
  Object.keys(content).length > 0 &&
  Object.keys(content).every((type) => type.startsWith('text/'));

const routes: Route[] = (() => {
  const spec = parse(specText('openapi.yaml')) as {
    paths: Record<string, Record<string, { operationId: string; responses?: Record<string, { content?: unknown; $ref?: string }> }>>;
  };
  const out: Route[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
    for (const [method, op] of Object.entries(item)) {
      if (!op.operationId) continue;
      const responses = Object.entries(op.responses ?? {}).filter(([status]) => status !== 'default');
      const empty = new Set(responses.filter(([, r]) => !r.content && !r.$ref).map(([status]) => status));
      const hasDefault = Object.hasOwn(op.responses ?? {}, 'default');
      out.push({
        method: method.toUpperCase(),
        pattern,
        operationId: op.operationId,
        declared: new Set(responses.map(([status]) => status)),
        empty,
        hasDefault,
        text: new Set(responses.filter(([, r]) => isTextOnly(r.content)).map(([status]) => status)),
      });
    }
  }
  return out;
})();

/** Why a REST response breaks the OpenAPI spec, or null when it matches. */
export function checkResponse(method: string, path: string, status: number, body: string): string | null {
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) {
    // Unknown routes must still answer in the catalog's error shape.
    return status === 404 && errorBodyProblem(status, body) === null ? null : `${method} ${path}: no such operation, answered ${status}`;
  }
  // `default` stands for 500 (`internal`) only; every other status is declared by number.
  const declared = route.declared.has(String(status)) || (status === 500 && route.hasDefault);
  if (!declared && !restStatusGaps.has(`${route.operationId} ${status}`))
    return `${route.operationId}: status ${status} is not declared in the spec`;
  if (route.empty.has(String(status))) return body === '' ? null : `${route.operationId} ${status}: the spec declares no body`;
  if (route.text.has(String(status)))
    return body.startsWith('{') ? `${route.operationId} ${status}: JSON where the spec declares text` : null;
  if (status >= 400 && body.startsWith('{"error"')) {
    const problem = errorBodyProblem(status, body);
    if (problem) return `${route.operationId} ${status}: ${problem}`;
  }
  // An answer listed in spec-gaps.ts is held to the operation's `default` (the catalog's error shape).
  const validate = own(responseValidators[route.operationId], declared && status !== 500 ? String(status) : 'default');
  if (!validate) return `${route.operationId}: no generated validator for status ${status}`;
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    return `${route.operationId} ${status}: body is not JSON`;
  }
  return validate(json) ? null : `${route.operationId} ${status}: ${JSON.stringify(validate.errors)}`;
}

/**
 * A server's `inspect` hooks that run every check above and hand each violation to `report`;
 * `checked` counts what was seen. A broadcast writes the same frame to every member, so a frame
 * equal to the one before is not checked again.
 */
export function createInspector(report: (violation: string) => void): Required<Inspector> & { readonly checked: number } {
  let checked = 0;
  let lastFrame = { route: '', text: '' };
  const record = (problem: string | null, what: string) => {
    checked++;
    if (problem !== null) report(`${what}: ${problem}`);
  };
  return {
    get checked() {
      return checked;
    },
    frame(route, text) {
      if (route === lastFrame.route && text === lastFrame.text) return void checked++;
      lastFrame = { route, text };
      record(checkFrame(route, text), `frame on ${route}`);
    },
    close: (route, code, reason) => record(checkClose(route, code, reason), 'close'),
    refusal: (path, status, body) => record(checkRefusal(path, status, body), 'refused upgrade'),
    response: (method, path, status, body) => record(checkResponse(method, path, status, body), 'response'),
  };
}
