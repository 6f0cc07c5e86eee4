/**
 * Holds the server to its specs: every frame a test server sends is checked against the
 * AsyncAPI-generated validators and every REST response against the OpenAPI ones. A violation
 * is recorded and fails the test that started the server.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { endpointServerFrameValidators, restResponseValidators, userServerFrameValidators, type Validator } from '@switchboard/protocol/validators';

type ValidatorsByName = Readonly<Record<string, Validator>>;
type FrameValidators = { readonly replies: ValidatorsByName; readonly events: ValidatorsByName };

const socketValidators: Readonly<Record<string, FrameValidators>> = { user: userServerFrameValidators, endpoint: endpointServerFrameValidators };
const responseValidators: Readonly<Record<string, ValidatorsByName>> = restResponseValidators;

/** `map[name]` for an own key only, so `constructor` or `__proto__` never find a validator. */
function own(map: ValidatorsByName | undefined, name: string): Validator | undefined {
  return map && Object.hasOwn(map, name) ? map[name] : undefined;
}

/** Why a frame breaks the AsyncAPI spec, or null when it matches. */
export function checkFrame(route: string, text: string): string | null {
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

interface Route {
  method: string;
  pattern: RegExp;
  operationId: string;
  /** Declared statuses whose response has no body (204). */
  empty: Set<string>;
}

const routes: Route[] = (() => {
  const spec = parse(readFileSync(new URL('../../specs/openapi.yaml', import.meta.url), 'utf8')) as {
    paths: Record<string, Record<string, { operationId: string; responses?: Record<string, { content?: unknown; $ref?: string }> }>>;
  };
  const out: Route[] = [];
  for (const [path, item] of Object.entries(spec.paths)) {
    const pattern = new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}/?$`);
    for (const [method, op] of Object.entries(item)) {
      if (!op.operationId) continue;
      const empty = new Set(Object.entries(op.responses ?? {}).filter(([, r]) => !r.content && !r.$ref).map(([status]) => status));
      out.push({ method: method.toUpperCase(), pattern, operationId: op.operationId, empty });
    }
  }
  return out;
})();

/** Why a REST response breaks the OpenAPI spec, or null when it matches. */
export function checkResponse(method: string, path: string, status: number, body: string): string | null {
  const route = routes.find((r) => r.method === method && r.pattern.test(path));
  if (!route) {
    // Unknown routes must still answer in the catalog's error shape.
    return status === 404 && /"code":"not_found"/.test(body) ? null : `${method} ${path}: no such operation, answered ${status}`;
  }
  if (route.empty.has(String(status))) return body === '' ? null : `${route.operationId} ${status}: the spec declares no body`;
  const byStatus = responseValidators[route.operationId];
  // Every status an operation can answer is declared on it; `default` stands only for 500 (`internal`).
  const validate = own(byStatus, String(status)) ?? (status === 500 ? own(byStatus, 'default') : undefined);
  if (!validate) return `${route.operationId}: status ${status} is not in the spec`;
  let json: unknown;
  try {
    json = body === '' ? undefined : JSON.parse(body);
  } catch {
    return `${route.operationId} ${status}: body is not JSON`;
  }
  return validate(json) ? null : `${route.operationId} ${status}: ${JSON.stringify(validate.errors)}`;
}
