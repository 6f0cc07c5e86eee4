/** /v1/apps: operator-only management of apps and their API keys. */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { AdminTokenSetup } from '../../auth/admin-token.ts';
import type { Services } from '../../services/index.ts';
import { requireAdmin } from '../auth.ts';
import { readBody } from '../body.ts';

/** The app routes. */
export function appRoutes({ apps }: Services, adminToken: AdminTokenSetup): Hono {
  const routes = new Hono();
  routes.use('/v1/apps', requireAdmin(adminToken));
  routes.use('/v1/apps/*', requireAdmin(adminToken));

  routes.post('/v1/apps', async (c) => {
    const { name } = await readBody(c, 'createApp');
    return c.json((await apps.create(name)) satisfies ResponseOf<'createApp', 201>, 201);
  });
  routes.get('/v1/apps', async (c) => c.json({ items: await apps.list() } satisfies ResponseOf<'listApps', 200>));
  routes.delete('/v1/apps/:appId', async (c) => {
    await apps.delete(c.req.param('appId'));
    return c.body(null, 204);
  });
  routes.post('/v1/apps/:appId/keys', async (c) =>
    c.json((await apps.addKey(c.req.param('appId'))) satisfies ResponseOf<'createApiKey', 201>, 201),
  );
  routes.delete('/v1/apps/:appId/keys/:keyId', async (c) => {
    await apps.revokeKey(c.req.param('appId'), c.req.param('keyId'));
    return c.body(null, 204);
  });
  return routes;
}
