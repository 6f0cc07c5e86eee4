/** /v1/tokens: app-signed access tokens for an app's own users (see services/app-tokens.ts). */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { Services } from '../../services/index.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import type { RestLimits } from '../rate-limit.ts';
import { readBody } from '../body.ts';

/** The app-token route. */
export function tokenRoutes(services: Services, limits: RestLimits): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  routes.use('/v1/tokens', requireApp(services, limits.rest.apiKey));
  routes.post('/v1/tokens', async (c) => {
    const token = await services.appTokens.issue(c.var.app.id, await readBody(c, 'createAppToken'));
    return c.json(token satisfies ResponseOf<'createAppToken', 201>, 201);
  });
  return routes;
}
