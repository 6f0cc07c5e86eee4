/**
 * REST credentials: the operator token (`Authorization: Bearer`) for /v1/apps, an app's API key
 * (`API-Key`) for everything an app owns. Each middleware puts what it proved into the context.
 */
import { createMiddleware } from 'hono/factory';
import { SwitchboardError } from '../lib/errors.ts';
import type { AdminTokenSetup } from '../auth/admin-token.ts';
import { secretMatches } from '../auth/secrets.ts';
import type { AppRef, Services } from '../services/index.ts';
import { hashSecret } from '../auth/secrets.ts';
import type { Counter } from '../limits/index.ts';
import { takeApiKeyAllowance } from './rate-limit.ts';

/** Context variables of routes behind `requireApp`. */
export type AppEnv = { Variables: { app: AppRef } };

const BEARER = { challenge: 'Bearer' } as const;
const API_KEY = { challenge: 'API-Key' } as const;

function bearer(header: string | undefined): string | undefined {
  const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

/** Lets only the operator through. */
export function requireAdmin(setup: AdminTokenSetup) {
  return createMiddleware(async (c, next) => {
    const token = bearer(c.req.header('authorization'));
    if (!token)
      throw new SwitchboardError('unauthenticated', 'Send the operator token as Authorization: Bearer <token>.', undefined, BEARER);
    if (setup.kind === 'disabled' || !secretMatches(token, setup.hash))
      throw new SwitchboardError('unauthenticated', 'The operator token is not valid.', undefined, BEARER);
    await next();
  });
}

/**
 * Resolves the app of an `API-Key` header; every route after it is scoped to that app. With
 * `perKey`, a request the key opened counts against that key's allowance (`REST_PER_API_KEY`).
 */
export function requireApp(services: Services, perKey?: Counter) {
  return createMiddleware<AppEnv>(async (c, next) => {
    // Two route groups may both guard one path: the first one did the work (and the counting).
    if (c.get('app') !== undefined) return next();
    const key = c.req.header('api-key');
    if (!key) throw new SwitchboardError('unauthenticated', 'Send your API key in the API-Key header.', undefined, API_KEY);
    c.set(
      'app',
      await services.apps.authenticate(key).catch((err: unknown) => {
        // The service refuses the key; the 401 must still name the scheme (WWW-Authenticate).
        if (err instanceof SwitchboardError && err.code === 'unauthenticated')
          throw new SwitchboardError(err.code, err.message, err.details, { ...API_KEY, cause: err });
        throw err;
      }),
    );
    if (perKey) await takeApiKeyAllowance(perKey, hashSecret(key));
    await next();
  });
}
