import createFetchClient from 'openapi-fetch';
import type { Client } from 'openapi-fetch';
import type { Health, Readiness } from '@switchboard/protocol';
import type { paths } from '@switchboard/protocol/openapi';
import { unwrap } from './rest-client-core.ts';
import { createResources, type RestResources } from './rest-resources.ts';

export { unwrap } from './rest-client-core.ts';

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
   * The operator token (for `apps`), sent as `Authorization: Bearer <token>`.
   * @default undefined
   */
  adminToken?: string;
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
export interface RestClient extends RestResources {
  /** The underlying openapi-fetch client, typed by the spec, for operations without a wrapper yet. */
  readonly raw: Client<paths>;
  /** Liveness: the node answering and its version. */
  health(): Promise<Health>;
  /** Readiness; throws `unavailable` (each check in `details`) when a dependency is down. */
  ready(): Promise<Readiness>;
}

/**
 * Creates a REST client for the Switchboard API.
 *
 * @example
 * const rest = createRestClient({ baseUrl: 'https://example.com', apiKey });
 * await rest.rooms.create({ name: 'lobby' });
 * const { code } = await rest.endpoints.create('lobby', { permissions: 'readwrite', identity: 'bot' });
 * await rest.messages.publish('lobby', { data: { hello: 'world' } });
 */
export function createRestClient(options: RestClientOptions): RestClient {
  const headers: Record<string, string> = {};
  if (options.apiKey !== undefined) headers['API-Key'] = options.apiKey;
  const bearer = options.adminToken ?? options.token;
  if (bearer !== undefined) headers.Authorization = `Bearer ${bearer}`;
  const raw = createFetchClient<paths>({
    baseUrl: options.baseUrl,
    headers,
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  return {
    raw,
    health: () => unwrap(raw.GET('/healthz')),
    ready: () => unwrap(raw.GET('/readyz')),
    ...createResources(raw),
  };
}
