import createFetchClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import { errorCatalog } from '@switchboard/protocol';
import type { Health, Readiness } from '@switchboard/protocol';
import type { paths } from '@switchboard/protocol/openapi';
import { SwitchboardError, parseErrorObject } from './errors.ts';
import { isRecord, messageOf } from './json.ts';

/** Options of `createRestClient`. */
export interface RestClientOptions {
  /** The server's origin, e.g. `https://example.com`. */
  baseUrl: string;
  /**
   * An app's API key, sent as the `API-Key` header.
   * @default undefined
   */
  apiKey?: string;
  /**
   * A user's access token, sent as `Authorization: Bearer <token>`.
   * @default undefined
   */
  token?: string;
  /**
   * The fetch implementation.
   * @default globalThis.fetch
   */
  fetch?: (input: Request) => Promise<Response>;
}

/** The REST API: typed calls that return the body or throw a SwitchboardError. */
export interface RestClient {
  /** The underlying openapi-fetch client, typed by the spec, for operations without a wrapper yet. */
  readonly raw: Client<paths>;
  /** Liveness: the node answering and its version. */
  health(): Promise<Health>;
  /** Readiness; throws `unavailable` (each check in `details`) when a dependency is down. */
  ready(): Promise<Readiness>;
}

/** What an openapi-fetch call resolves with: the success body, or the error body (parsed JSON, else text). */
interface FetchResult<T> {
  data?: T;
  error?: unknown;
  response: Response;
}

function restError(body: unknown, response: Response): SwitchboardError {
  const error = isRecord(body) ? parseErrorObject(body.error) : undefined;
  const status = response.status;
  if (error) return new SwitchboardError(error.code, error.message, { details: error.details, status });
  // Not the spec's error body: a proxy or a crash answered. Gateway statuses mean "try again".
  const code = status === 502 || status === 503 || status === 504 ? 'unavailable' : 'internal';
  return new SwitchboardError(code, `HTTP ${status}: ${errorCatalog[code].message}`, { status });
}

/**
 * Awaits an openapi-fetch call and returns its body, or throws its error as a SwitchboardError;
 * each resource method of the REST client is one line on top of it.
 *
 * @example
 * const room = await unwrap(rest.raw.POST('/rooms', { body: { name: 'lobby' } }));
 */
export async function unwrap<T>(call: Promise<FetchResult<T>>): Promise<T> {
  let result: FetchResult<T>;
  try {
    result = await call;
  } catch (cause) {
    throw new SwitchboardError('unavailable', `the request failed: ${messageOf(cause)}`, { cause });
  }
  // `response.ok` decides: openapi-fetch leaves `error` undefined for an empty error body.
  if (!result.response.ok) throw restError(result.error, result.response);
  // On success `data` is the typed body; openapi-fetch leaves it undefined only for a body-less
  // response (204), which the spec then declares without content.
  return result.data as T;
}

/**
 * Creates a REST client for the Switchboard API.
 *
 * @example
 * const rest = createRestClient({ baseUrl: 'https://example.com', apiKey });
 * const { node, version } = await rest.health();
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['API-Key'] = options.apiKey;
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const raw = createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    raw,
    health: () => unwrap(raw.GET('/healthz')),
    ready: () => unwrap(raw.GET('/readyz')),
  };
}
