/**
 * REST credentials: the operator token (`Authorization: Bearer`) for /v1/apps, an app's API key
 * (`API-Key`) for everything an app owns. Each middleware puts what it proved into the context.
 */
import { createMiddleware } from 'hono/factory';
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import { findActiveApiKeyByHash } from '../db/app.repository.ts';
import type { App } from '../db/schema.ts';
import { SwitchboardError } from '../errors.ts';
import type { AdminTokenSetup } from '../auth/admin-token.ts';
import { hashSecret, secretMatches } from '../auth/secrets.ts';

/** Context variables of routes behind `requireApp`. */
export type AppEnv = { Variables: { app: App } };

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
    if (!token) throw new SwitchboardError('unauthenticated', 'Send the operator token as Authorization: Bearer <token>.', undefined, BEARER);
    if (setup.kind === 'disabled' || !secretMatches(token, setup.hash)) throw new SwitchboardError('unauthenticated', 'The operator token is not valid.', undefined, BEARER);
    await next();
  });
}

/** Resolves the app of an `API-Key` header; every route after it is scoped to that app. */
export function requireApp(db: Kysely<Database>) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const key = c.req.header('api-key');
    if (!key) throw new SwitchboardError('unauthenticated', 'Send your API key in the API-Key header.', undefined, API_KEY);
    const found = key.length <= 200 ? await findActiveApiKeyByHash(db, hashSecret(key)) : undefined;
    if (!found) throw new SwitchboardError('unauthenticated', 'The API key is not valid or was revoked.', undefined, API_KEY);
    c.set('app', found.app);
    await next();
  });
}
