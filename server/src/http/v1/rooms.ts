/** /v1/rooms: an app's rooms, their endpoints and their messages (API key). */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { JsonValue, Room } from '../../db/schema.ts';
import * as rooms from '../../services/rooms.ts';
import * as endpoints from '../../services/endpoints.ts';
import * as messages from '../../services/messages.ts';
import { toEndpoint, toRoom, toRoomMessage } from '../../wire.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import { intQuery, readBody } from '../body.ts';
import type { RestDeps } from './deps.ts';

/** The room, endpoint and message routes. */
export function roomRoutes(deps: RestDeps): Hono<AppEnv> {
  const { db, events, presence, sequences } = deps;
  const live = (room: Room) => messages.withLiveSeq(sequences, room);
  const routes = new Hono<AppEnv>();
  routes.use('/v1/rooms', requireApp(db));
  routes.use('/v1/rooms/*', requireApp(db));

  routes.post('/v1/rooms', async (c) => {
    const body = await readBody(c, 'createRoom');
    return c.json(toRoom(await rooms.createRoom(db, events, c.var.app.id, body)) satisfies ResponseOf<'createRoom', 201>, 201);
  });
  routes.get('/v1/rooms', async (c) => c.json({ items: (await Promise.all((await rooms.listRooms(db, c.var.app.id)).map(live))).map(toRoom) } satisfies ResponseOf<'listRooms', 200>));
  routes.get('/v1/rooms/:room', async (c) => c.json(toRoom(await live(await rooms.getRoom(db, c.var.app.id, c.req.param('room')))) satisfies ResponseOf<'getRoom', 200>));
  routes.patch('/v1/rooms/:room', async (c) => {
    const changes = await readBody(c, 'updateRoom');
    return c.json(toRoom(await live(await rooms.updateRoom(deps, c.var.app.id, c.req.param('room'), changes))) satisfies ResponseOf<'updateRoom', 200>);
  });
  routes.delete('/v1/rooms/:room', async (c) => {
    await rooms.deleteRoom(deps, c.var.app.id, c.req.param('room'));
    return c.body(null, 204);
  });

  routes.post('/v1/rooms/:room/endpoints', async (c) => {
    const input = await readBody(c, 'createEndpoint');
    const { endpoint, room, code } = await endpoints.createEndpoint(db, c.var.app.id, c.req.param('room'), input);
    const { connections: _, ...shown } = toEndpoint(endpoint, room.name, 0);
    return c.json({ ...shown, code, path: `/ws/endpoint/${code}` } satisfies ResponseOf<'createEndpoint', 201>, 201);
  });
  routes.get('/v1/rooms/:room/endpoints', async (c) => {
    const { room, endpoints: list } = await endpoints.listEndpoints(db, presence, c.var.app.id, c.req.param('room'));
    return c.json({ items: list.map(({ endpoint, connections }) => toEndpoint(endpoint, room.name, connections)) } satisfies ResponseOf<'listEndpoints', 200>);
  });
  routes.delete('/v1/rooms/:room/endpoints/:endpointId', async (c) => {
    await endpoints.deleteEndpoint(db, events, c.var.app.id, c.req.param('room'), c.req.param('endpointId'));
    return c.body(null, 204);
  });

  routes.post('/v1/rooms/:room/messages', async (c) => {
    const { data, identity } = await readBody(c, 'publishMessage');
    const app = c.var.app;
    const room = await rooms.getRoom(db, app.id, c.req.param('room'));
    const message = await messages.publishMessage(deps, room, { type: 'app', identity: identity ?? app.name }, { data: data as JsonValue });
    return c.json(toRoomMessage(room.name, message) satisfies ResponseOf<'publishMessage', 201>, 201);
  });
  routes.get('/v1/rooms/:room/messages', async (c) => {
    const after = intQuery(c, 'after', { min: 0, max: Number.MAX_SAFE_INTEGER, fallback: 0 });
    const limit = intQuery(c, 'limit', { min: 1, max: 500, fallback: 100 });
    const room = await rooms.getRoom(db, c.var.app.id, c.req.param('room'));
    const page = await messages.pageHistory(db, room, after, limit);
    const items = page.messages.map((m) => toRoomMessage(room.name, m));
    return c.json((page.next === undefined ? { items } : { items, next: page.next }) satisfies ResponseOf<'listMessages', 200>);
  });
  return routes;
}
