/**
 * The `rest.request` kind: one operation of Switchboard's own REST API, run through the server's
 * Hono app (`app.fetch`, no network hop) with the socket user's credentials, answered with the
 * status and JSON body REST answers. The path pattern of the spec keeps it to the REST API.
 */
import type { RestRequestJobParams, RestRequestJobResult } from '@switchboard/protocol';
import { schemaValidators } from '@switchboard/protocol/validators';
import type { UserPrincipal } from '../auth/principal.ts';
import type { JobKind } from './kinds.ts';
import { whenAborted } from './kinds.ts';

/** Options of the rest.request kind. */
export interface RestRequestKindOptions {
  /** The server's own HTTP app. */
  fetch(request: Request, env: unknown): Response | Promise<Response>;
  /** The socket's credential as REST takes it: an access token for the same user, expiring no later. */
  credential(principal: UserPrincipal): Promise<string>;
}

/** Creates the rest.request kind. */
export function createRestRequestKind(options: RestRequestKindOptions): JobKind<RestRequestJobParams, RestRequestJobResult> {
  return {
    name: 'rest.request',
    validate: schemaValidators.RestRequestJobParams,
    async run({ method, path, body }, { signal, principal, address }) {
      const headers: Record<string, string> = { authorization: `Bearer ${await credential(principal)}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      const request = new Request(new URL(path, 'http://switchboard.internal'), {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
      // The Node adapter's env: routes that read the client's address see the socket's, so a job
      // spends the same per-address allowance (sign-in, REST) as a request from that client would.
      const env = { incoming: { socket: { remoteAddress: address, remotePort: 0, remoteFamily: 'job' } } };
      const aborted = whenAborted(signal);
      try {
        const response = await Promise.race([options.fetch(request, env), aborted.promise]);
        const text = await Promise.race([response.text(), aborted.promise]);
        return { status: response.status, body: text === '' ? null : (JSON.parse(text) as unknown) };
      } finally {
        aborted.release();
      }
    },
  };
  function credential(principal: UserPrincipal) {
    return options.credential(principal);
  }
}
