/**
 * Path parameters name rooms, users, apps, keys and endpoints, none of which can hold a NUL or
 * a lone surrogate (Postgres text cannot store them, and a query binding one fails as an
 * `internal` error). A path carrying one names nothing: it is answered `not_found` before any
 * route reads it. The fuzzer found this (test/security/fuzz.test.ts).
 */
import type { MiddlewareHandler } from 'hono';
import { SwitchboardError } from '../lib/errors.ts';

/** Refuses paths whose segments decode to NUL, a lone surrogate or bytes that are not UTF-8. */
export function pathGuard(): MiddlewareHandler {
  return async (c, next) => {
    const raw = new URL(c.req.url).pathname;
    if (raw.includes('%')) {
      for (const segment of raw.split('/')) {
        let decoded: string;
        try {
          decoded = decodeURIComponent(segment);
        } catch {
          throw new SwitchboardError('not_found', 'No such resource.');
        }
        // decodeURIComponent already refuses bytes that are not UTF-8, lone surrogates included.
        if (decoded.includes('\u0000')) throw new SwitchboardError('not_found', 'No such resource.');
      }
    }
    await next();
  };
}
