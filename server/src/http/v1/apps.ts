/** /v1/apps: operator-only management of apps and their API keys. */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import * as apps from '../../services/apps.ts';
import { toApiKey, toApp } from '../../wire.ts';
import { requireAdmin } from '../auth.ts';
import { readBody } from '../body.ts';
import type { RestDeps } from './deps.ts';

/** The app routes. */
export function appRoutes({ db, events, adminToken }: RestDeps): Hono {
  const routes = new Hono();
  routes.use('/v1/apps', requireAdmin(adminToken));
  routes.use('/v1/apps/*', requireAdmin(adminToken));

  routes.post('/v1/apps', async (c) => {
    const { name } = await readBody(c, 'createApp');
    const { app, key, apiKey } = await apps.createApp(db, name);
    const { keys: _none, ...shown } = toApp(app, []);
    return c.json({ ...shown, apiKey, keyId: key.id } satisfies ResponseOf<'createApp', 201>, 201);
  });
  routes.get('/v1/apps', async (c) => {
    const all = await apps.listApps(db);
    return c.json({ items: all.map(({ app, keys }) => toApp(app, keys)) } satisfies ResponseOf<'listApps', 200>);
  });
  routes.delete('/v1/apps/:appId', async (c) => {
    await apps.deleteApp(db, events, c.req.param('appId'));
    return c.body(null, 204);
  });
  routes.post('/v1/apps/:appId/keys', async (c) => {
    const { key, apiKey } = await apps.addKey(db, c.req.param('appId'));
    return c.json({ ...toApiKey(key), apiKey } satisfies ResponseOf<'createApiKey', 201>, 201);
  });
  routes.delete('/v1/apps/:appId/keys/:keyId', async (c) => {
    await apps.revokeKey(db, c.req.param('appId'), c.req.param('keyId'));
    return c.body(null, 204);
  });
  return routes;
}
