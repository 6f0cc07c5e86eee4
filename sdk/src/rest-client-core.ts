/** Turns an openapi-fetch result into its body or a SwitchboardError: the one REST error edge. */
import { errorCatalog } from '@switchboard/protocol';
import { SwitchboardError, parseErrorObject } from './errors.ts';
import { isRecord, messageOf } from './json.ts';

/** What an openapi-fetch call resolves with: the success body, or the error body (parsed JSON, else text). */
export interface FetchResult<T> {
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
