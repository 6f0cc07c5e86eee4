/** /v1/users and /v1/auth/token: an app's users, their tokens and their notifications. */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import { getConnInfo } from '@hono/node-server/conninfo';
import * as users from '../../services/users.ts';
import { getRoom } from '../../services/rooms.ts';
import { SwitchboardError } from '../../errors.ts';
import { toUser } from '../../wire.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import { readBody } from '../body.ts';
import { AttemptLimiter } from '../attempt-limiter.ts';
import type { RestDeps } from './deps.ts';

/** How long a signed-in token lives. */
const SIGN_IN_EXPIRES_IN = 3600;

/** The user, token and notification routes. */
export function userRoutes({ db, events, tokens }: RestDeps): Hono<AppEnv> {
  const routes = new Hono<AppEnv>();
  // Password guessing is slowed per client address and per account, whichever runs out first.
  const attempts = new AttemptLimiter({ perMinute: 10, maxKeys: 100_000 });

  routes.post('/v1/auth/token', async (c) => {
    const body = await readBody(c, 'signIn');
    const address = getConnInfo(c).remote.address ?? 'unknown';
    if (!attempts.take(`ip:${address}`) || !attempts.take(`user:${body.app}:${body.username}`)) {
      throw new SwitchboardError('rate_limited', 'Too many sign-in attempts; wait a minute.', undefined, { retryAfter: attempts.retryAfter() });
    }
    const { token, expiresAt } = await users.signIn(db, tokens, body, SIGN_IN_EXPIRES_IN);
    return c.json({ accessToken: token, tokenType: 'Bearer', expiresIn: Math.round((expiresAt - Date.now()) / 1000) } satisfies ResponseOf<'signIn', 200>);
  });

  routes.use('/v1/users', requireApp(db));
  routes.use('/v1/users/*', requireApp(db));
  routes.use('/v1/rooms/:room/notifications', requireApp(db));

  routes.post('/v1/users', async (c) => {
    const body = await readBody(c, 'createUser');
    return c.json(toUser(await users.createUser(db, c.var.app.id, body)) satisfies ResponseOf<'createUser', 201>, 201);
  });
  routes.get('/v1/users', async (c) => c.json({ items: (await users.listUsers(db, c.var.app.id)).map(toUser) } satisfies ResponseOf<'listUsers', 200>));
  routes.delete('/v1/users/:userId', async (c) => {
    await users.deleteUser(db, events, c.var.app.id, c.req.param('userId'));
    return c.body(null, 204);
  });
  routes.post('/v1/users/:userId/tokens', async (c) => {
    const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : await readBody(c, 'createUserToken');
    const user = await users.getUser(db, c.var.app.id, c.req.param('userId'));
    const expiresIn = body.expiresIn ?? 3600;
    const { token } = await tokens.issue(user.id, user.app_id, expiresIn);
    return c.json({ accessToken: token, tokenType: 'Bearer', expiresIn } satisfies ResponseOf<'createUserToken', 201>, 201);
  });
  routes.post('/v1/users/:userId/notifications', async (c) => {
    const body = await readBody(c, 'notifyUser');
    const user = await users.getUser(db, c.var.app.id, c.req.param('userId'));
    await events.notifyUser(user.id, { ...body, at: new Date().toISOString() });
    return c.json({ status: 'sent' } satisfies ResponseOf<'notifyUser', 202>, 202);
  });
  routes.post('/v1/rooms/:room/notifications', async (c) => {
    const body = await readBody(c, 'notifyRoom');
    const room = await getRoom(db, c.var.app.id, c.req.param('room'));
    await events.notifyRoom(room, { ...body, at: new Date().toISOString() });
    return c.json({ status: 'sent' } satisfies ResponseOf<'notifyRoom', 202>, 202);
  });
  return routes;
}
