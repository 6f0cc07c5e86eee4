/**
 * The Hono application: REST routes, the socket routes, and the one edge that turns any error
 * into the catalog's wire shape `{ error: { code, message, details? } }` with its status.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SwitchboardError, toSwitchboardError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import type { Metrics } from '../lib/metrics.ts';
import { metricsRoutes, type MetricsRouteDeps } from './metrics.ts';
import { healthRoutes, type HealthDeps } from './health.ts';
import { appRoutes } from './v1/apps.ts';
import { roomRoutes } from './v1/rooms.ts';
import { userRoutes } from './v1/users.ts';
import { jobKindRoutes } from './v1/job-kinds.ts';
import { tokenRoutes } from './v1/tokens.ts';
import type { AdminTokenSetup } from '../auth/admin-token.ts';
import type { Services } from '../services/index.ts';
import { browserMiddleware } from './browser.ts';
import { pageRoutes } from './pages.ts';
import { pathGuard } from './path-guard.ts';
import type { AddressResolver } from '../lib/client-address.ts';
import { clientAddressMiddleware } from './client-address.ts';
import { bodyLimit } from './body.ts';
import { restAddressLimit, type RestLimits } from './rate-limit.ts';

/** What the app is built from. */
export interface AppDeps extends HealthDeps {
  services: Services;
  adminToken: AdminTokenSetup;
  log: Logger;
  maxBodyBytes: number;
  /** Browser origins besides the server's own allowed by CORS (see `ALLOWED_ORIGINS`). */
  allowedOrigins: readonly string[];
  /** The node's Prometheus metrics (GET /metrics), the token it asks for, and the port REST errors are counted on. */
  metrics: MetricsRouteDeps & { port: Metrics };
  /** The client address of a request behind trusted proxies (see `TRUST_PROXY`). */
  resolveAddress: AddressResolver;
  limits: RestLimits;
  /** Sees every REST response (the contract test's tap). */
  onResponse?: (method: string, path: string, status: number, body: string) => void;
}

/** The body and status of an error, in the catalog's shape, with the headers its status calls for. */
export function errorResponse(c: Context, error: SwitchboardError): Response {
  const headers: Record<string, string> = {};
  // RFC 9110: a 401 names the scheme to authenticate with; a 429 may say when to come back.
  if (error.status === 401 && error.challenge) headers['WWW-Authenticate'] = `${error.challenge} realm="switchboard"`;
  if (error.retryAfter !== undefined) headers['Retry-After'] = String(Math.max(1, Math.ceil(error.retryAfter)));
  return c.json({ error: error.toWire() }, error.status as ContentfulStatusCode, headers);
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(clientAddressMiddleware(deps.resolveAddress));
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The endpoint socket's path is its secret code: log the route's shape, never the code.
    const path = c.req.path.startsWith('/ws/endpoint/') ? '/ws/endpoint/:code' : c.req.path;
    deps.log.debug({ method: c.req.method, path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  app.use(...browserMiddleware(deps.allowedOrigins));
  // Before the contract tap: pages and assets are not operations of the REST spec.
  app.route('/', pageRoutes());
  if (deps.onResponse) {
    const onResponse = deps.onResponse;
    app.use(async (c, next) => {
      await next();
      if (c.res.status === 101 || c.req.header('upgrade')) return;
      onResponse(c.req.method, new URL(c.req.url).pathname, c.res.status, await c.res.clone().text());
    });
  }
  app.use(bodyLimit(deps.maxBodyBytes));
  app.use(pathGuard());
  app.use(restAddressLimit(deps.limits.rest.address));
  app.route('/', healthRoutes(deps));
  app.route('/', metricsRoutes(deps.metrics));
  app.route('/', appRoutes(deps.services, deps.adminToken));
  app.route('/', roomRoutes(deps.services, deps.limits));
  app.route('/', userRoutes(deps.services, deps.limits, deps.log));
  app.route('/', jobKindRoutes(deps.services, deps.limits));
  app.route('/', tokenRoutes(deps.services, deps.limits));
  app.notFound((c) => errorResponse(c, new SwitchboardError('not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`)));
  app.onError((err, c) => {
    if (err instanceof HTTPException && !(err.cause instanceof SwitchboardError)) {
      const code = err.status === 401 ? 'unauthenticated' : err.status === 413 ? 'frame_too_large' : 'bad_request';
      return errorResponse(c, new SwitchboardError(code, err.message || undefined));
    }
    const error = toSwitchboardError(err instanceof HTTPException ? err.cause : err, (e) =>
      deps.log.error({ err: e, method: c.req.method, path: c.req.path }, 'request failed'),
    );
    deps.metrics.port.error('rest', error.code, error);
    return errorResponse(c, error);
  });
  return app;
}
