/** /v1/job-kinds: the job kinds an app declares and serves from its workers (API key). */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { Services } from '../../services/index.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import { readBody } from '../body.ts';
import type { RestLimits } from '../rate-limit.ts';

/** The job kind routes. */
export function jobKindRoutes(services: Services, limits: RestLimits): Hono<AppEnv> {
  const { jobKinds } = services;
  const routes = new Hono<AppEnv>();
  routes.use('/v1/job-kinds', requireApp(services, limits.rest.apiKey));
  routes.use('/v1/job-kinds/*', requireApp(services, limits.rest.apiKey));

  routes.get('/v1/job-kinds', async (c) => c.json({ kinds: await jobKinds.list(c.var.app.id) } satisfies ResponseOf<'listJobKinds', 200>));
  routes.put('/v1/job-kinds/:kind', async (c) => {
    const input = await readBody(c, 'putJobKind');
    return c.json((await jobKinds.put(c.var.app.id, c.req.param('kind'), input)) satisfies ResponseOf<'putJobKind', 200>);
  });
  routes.get('/v1/job-kinds/:kind', async (c) =>
    c.json((await jobKinds.get(c.var.app.id, c.req.param('kind'))) satisfies ResponseOf<'getJobKind', 200>),
  );
  routes.delete('/v1/job-kinds/:kind', async (c) => {
    await jobKinds.delete(c.var.app.id, c.req.param('kind'));
    return c.body(null, 204);
  });
  return routes;
}
