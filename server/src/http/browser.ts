/**
 * What makes browsers safe clients: which origins may call the server (CORS on REST, the `Origin`
 * check of the `/ws` upgrade), the security headers of every response, and `no-store` on REST
 * answers, some of which carry secrets (tokens, API keys, endpoint codes).
 */
import type { MiddlewareHandler } from 'hono';
import { cors } from 'hono/cors';
import { secureHeaders } from 'hono/secure-headers';
import { isAllowedOrigin } from '../auth/origin.ts';

/** The middleware every response goes through: security headers, then CORS and `no-store` on `/v1/*`. */
export function browserMiddleware(allowedOrigins: readonly string[]): MiddlewareHandler[] {
  const headers = secureHeaders({
    // Pages set their own policy; every other response (JSON) loads nothing and is never framed.
    contentSecurityPolicy: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] },
    xFrameOptions: 'DENY',
    overwrite: false,
  });
  const corsForApi = cors({
    origin: (origin, c) => (isAllowedOrigin(origin, c.req.header('host'), allowedOrigins) ? origin : null),
    allowMethods: ['GET', 'POST', 'PATCH', 'DELETE'],
    allowHeaders: ['content-type', 'authorization', 'api-key'],
    maxAge: 600,
  });
  const api: MiddlewareHandler = async (c, next) => {
    if (!c.req.path.startsWith('/v1/')) return next();
    const answer = await corsForApi(c, next);
    c.header('Cache-Control', 'no-store');
    return answer;
  };
  return [headers, api];
}
