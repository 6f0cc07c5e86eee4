/** /v1/rooms: an app's rooms, their endpoints and their messages (API key). */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { Services } from '../../services/index.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import type { RestLimits } from '../rate-limit.ts';
import { intQuery, readBody } from '../body.ts';

/** The room, endpoint and message routes. */
export function roomRoutes(services: Services, limits: RestLimits): Hono<AppEnv> {
  const { rooms, endpoints, messages } = services;
  const routes = new Hono<AppEnv>();
  routes.use('/v1/rooms', requireApp(services, limits.rest.apiKey));
  routes.use('/v1/rooms/*', requireApp(services, limits.rest.apiKey));

  routes.post('/v1/rooms', async (c) =>
    c.json((await rooms.create(c.var.app.id, await readBody(c, 'createRoom'))) satisfies ResponseOf<'createRoom', 201>, 201),
  );
  routes.get('/v1/rooms', async (c) => c.json({ items: await rooms.list(c.var.app.id) } satisfies ResponseOf<'listRooms', 200>));
  routes.get('/v1/rooms/:room', async (c) =>
    c.json((await rooms.get(c.var.app.id, c.req.param('room'))) satisfies ResponseOf<'getRoom', 200>),
  );
  routes.patch('/v1/rooms/:room', async (c) => {
    const changes = await readBody(c, 'updateRoom');
    return c.json((await rooms.update(c.var.app.id, c.req.param('room'), changes)) satisfies ResponseOf<'updateRoom', 200>);
  });
  routes.delete('/v1/rooms/:room', async (c) => {
    await rooms.delete(c.var.app.id, c.req.param('room'));
    return c.body(null, 204);
  });

  routes.get('/v1/rooms/:room/members', async (c) =>
    c.json({ items: await rooms.members(c.var.app.id, c.req.param('room')) } satisfies ResponseOf<'listRoomMembers', 200>),
  );

  routes.post('/v1/rooms/:room/endpoints', async (c) => {
    const input = await readBody(c, 'createEndpoint');
    const { endpoint, code } = await endpoints.create(c.var.app.id, c.req.param('room'), input);
    return c.json({ ...endpoint, code, path: `/ws/endpoint/${code}` } satisfies ResponseOf<'createEndpoint', 201>, 201);
  });
  routes.get('/v1/rooms/:room/endpoints', async (c) =>
    c.json({ items: await endpoints.list(c.var.app.id, c.req.param('room')) } satisfies ResponseOf<'listEndpoints', 200>),
  );
  routes.post('/v1/rooms/:room/endpoints/:endpointId/rotate', async (c) => {
    const input = await readBody(c, 'rotateEndpointCode');
    const { endpoint, code } = await endpoints.rotate(c.var.app.id, c.req.param('room'), c.req.param('endpointId'), input);
    return c.json({ ...endpoint, code, path: `/ws/endpoint/${code}` } satisfies ResponseOf<'rotateEndpointCode', 200>);
  });
  routes.delete('/v1/rooms/:room/endpoints/:endpointId', async (c) => {
    await endpoints.delete(c.var.app.id, c.req.param('room'), c.req.param('endpointId'));
    return c.body(null, 204);
  });

  routes.post('/v1/rooms/:room/messages', async (c) => {
    const { data, identity, clientId } = await readBody(c, 'publishMessage');
    const app = c.var.app;
    const message = await messages.publish(
      app.id,
      c.req.param('room'),
      { type: 'app', identity: identity ?? app.name },
      { data, clientId },
    );
    return c.json(message satisfies ResponseOf<'publishMessage', 201>, 201);
  });
  routes.get('/v1/rooms/:room/messages', async (c) => {
    const after = intQuery(c, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    const limit = intQuery(c, 'limit', { min: 1, max: 500, fallback: 100 });
    return c.json((await messages.page(c.var.app.id, c.req.param('room'), after, limit)) satisfies ResponseOf<'listMessages', 200>);
  });
  return routes;
}
