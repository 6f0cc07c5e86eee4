/**
 * The client address of a REST request, resolved once per request through `TRUST_PROXY` (see
 * lib/client-address.ts) so that every limit keyed by address counts the client, not the proxy.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AddressResolver } from '../lib/client-address.ts';

declare module 'hono' {
  interface ContextVariableMap {
    clientAddress: string;
  }
}

/** Sets the request's client address for `clientAddress(c)`. */
export function clientAddressMiddleware(resolve: AddressResolver): MiddlewareHandler {
  return async (c, next) => {
    c.set('clientAddress', resolve(getConnInfo(c).remote.address, c.req.header('x-forwarded-for')));
    await next();
  };
}

/** The address of the client that sent this request (after trusted proxies). */
export function clientAddress(c: Context): string {
  return c.get('clientAddress') ?? getConnInfo(c).remote.address ?? 'unknown';
}
