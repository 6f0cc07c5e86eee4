/**
 * The Hono application: REST routes, the socket routes, and the one edge that turns any error
 * into the catalog's wire shape `{ error: { code, message, details? } }` with its status.
 */
import { Hono, type Context } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { bodyLimit } from 'hono/body-limit';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { SwitchboardError, toSwitchboardError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';
import { healthRoutes, type HealthDeps } from './health.ts';
import { appRoutes } from './v1/apps.ts';
import { roomRoutes } from './v1/rooms.ts';
import { userRoutes } from './v1/users.ts';
import type { AdminTokenSetup } from '../auth/admin-token.ts';
import type { Services } from '../services/index.ts';

/** What the app is built from. */
export interface AppDeps extends HealthDeps {
  services: Services;
  adminToken: AdminTokenSetup;
  log: Logger;
  maxBodyBytes: number;
  /** Sees every REST response (the contract test's tap). */
  onResponse?: (method: string, path: string, status: number, body: string) => void;
}

/** The body and status of an error, in the catalog's shape. */
export function errorResponse(c: Context, error: SwitchboardError): Response {
  return c.json({ error: error.toWire() }, error.status as ContentfulStatusCode);
}

/** Builds the Hono app. */
export function createApp(deps: AppDeps): Hono {
  const app = new Hono();
  app.use(async (c, next) => {
    const started = performance.now();
    await next();
    // The endpoint socket's path is its secret code: log the route's shape, never the code.
    const path = c.req.path.startsWith('/ws/endpoint/') ? '/ws/endpoint/:code' : c.req.path;
    deps.log.debug({ method: c.req.method, path, status: c.res.status, ms: Math.round(performance.now() - started) }, 'request');
  });
  if (deps.onResponse) {
    const onResponse = deps.onResponse;
    app.use(async (c, next) => {
      await next();
      if (c.res.status === 101 || c.req.header('upgrade')) return;
      onResponse(c.req.method, new URL(c.req.url).pathname, c.res.status, await c.res.clone().text());
    });
  }
  app.use(
    bodyLimit({
      maxSize: deps.maxBodyBytes,
      onError: () => {
        throw new SwitchboardError('frame_too_large', 'The request body is too large.', { maxBytes: deps.maxBodyBytes });
      },
    }),
  );
  app.route('/', healthRoutes(deps));
  app.route('/', appRoutes(deps.services, deps.adminToken));
  app.route('/', roomRoutes(deps.services));
  app.route('/', userRoutes(deps.services));
  app.notFound((c) => errorResponse(c, new SwitchboardError('not_found', `No route ${c.req.method} ${new URL(c.req.url).pathname}.`)));
  app.onError((err, c) => {
    if (err instanceof HTTPException && !(err.cause instanceof SwitchboardError)) {
      const code = err.status === 401 ? 'unauthenticated' : err.status === 413 ? 'frame_too_large' : 'bad_request';
      return errorResponse(c, new SwitchboardError(code, err.message || undefined));
    }
    const error = toSwitchboardError(err instanceof HTTPException ? err.cause : err, (e) =>
      deps.log.error({ err: e, method: c.req.method, path: c.req.path }, 'request failed'),
    );
    return errorResponse(c, error);
  });
  return app;
}
