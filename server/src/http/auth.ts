/**
 * REST credentials: the operator token (`Authorization: Bearer`) for /v1/apps, an app's API key
 * (`API-Key`) for everything an app owns. Each middleware puts what it proved into the context.
 */
import { createMiddleware } from 'hono/factory';
import { SwitchboardError } from '../lib/errors.ts';
import type { AdminTokenSetup } from '../auth/admin-token.ts';
import { secretMatches } from '../auth/secrets.ts';
import type { AppRef, Services } from '../services/index.ts';

/** Context variables of routes behind `requireApp`. */
export type AppEnv = { Variables: { app: AppRef } };

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Lets only the operator through. */
export function requireAdmin(setup: AdminTokenSetup) {
  return createMiddleware(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token) throw new SwitchboardError('unauthenticated', 'Send the operator token as Authorization: Bearer <token>.');
    if (setup.kind === 'disabled' || !secretMatches(token, setup.hash)) throw new SwitchboardError('unauthenticated', 'The operator token is not valid.');
    await next();
  });
}

/** Resolves the app of an `API-Key` header; every route after it is scoped to that app. */
export function requireApp(services: Services) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('api-key');
    if (!key) throw new SwitchboardError('unauthenticated', 'Send your API key in the API-Key header.');
    c.set('app', await services.apps.authenticate(key));
    await next();
  });
}
