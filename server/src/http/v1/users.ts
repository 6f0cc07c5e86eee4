/** /v1/users and /v1/auth/token: an app's users, their tokens and their notifications. */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import { getConnInfo } from '@hono/node-server/conninfo';
import { SwitchboardError } from '../../lib/errors.ts';
import type { Services } from '../../services/index.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import { readBody } from '../body.ts';
import { AttemptLimiter } from '../attempt-limiter.ts';

/** How long a signed-in token lives. */
const SIGN_IN_EXPIRES_IN = 3600;

/** The user, token and notification routes. */
export function userRoutes(services: Services): Hono<AppEnv> {
  const { users, rooms } = services;
  const routes = new Hono<AppEnv>();
  // Password guessing is slowed per client address and per account, whichever runs out first.
  const attempts = new AttemptLimiter({ perMinute: 10, maxKeys: 100_000 });

  routes.post('/v1/auth/token', async (c) => {
    const body = await readBody(c, 'signIn');
    const address = getConnInfo(c).remote.address ?? 'unknown';
    if (!attempts.take(`ip:${address}`) || !attempts.take(`user:${body.app}:${body.username}`)) {
      throw new SwitchboardError('rate_limited', 'Too many sign-in attempts; wait a minute.', undefined, {
        retryAfter: attempts.retryAfter(),
      });
    }
    const { token, expiresAt } = await users.signIn(body, SIGN_IN_EXPIRES_IN);
    return c.json({ accessToken: token, tokenType: 'Bearer', expiresIn: Math.round((expiresAt - Date.now()) / 1000) } satisfies ResponseOf<
      'signIn',
      200
    >);
  });

  routes.use('/v1/users', requireApp(services));
  routes.use('/v1/users/*', requireApp(services));
  routes.use('/v1/rooms/:room/notifications', requireApp(services));

  routes.post('/v1/users', async (c) =>
    c.json((await users.create(c.var.app.id, await readBody(c, 'createUser'))) satisfies ResponseOf<'createUser', 201>, 201),
  );
  routes.get('/v1/users', async (c) => c.json({ items: await users.list(c.var.app.id) } satisfies ResponseOf<'listUsers', 200>));
  routes.delete('/v1/users/:userId', async (c) => {
    await users.delete(c.var.app.id, c.req.param('userId'));
    return c.body(null, 204);
  });
  routes.post('/v1/users/:userId/tokens', async (c) => {
    const body = c.req.header('content-length') === '0' || !c.req.header('content-type') ? {} : await readBody(c, 'createUserToken');
    const expiresIn = body.expiresIn ?? 3600;
    const { token } = await users.issueToken(c.var.app.id, c.req.param('userId'), expiresIn);
    return c.json({ accessToken: token, tokenType: 'Bearer', expiresIn } satisfies ResponseOf<'createUserToken', 201>, 201);
  });
  routes.post('/v1/users/:userId/notifications', async (c) => {
    await users.notify(c.var.app.id, c.req.param('userId'), await readBody(c, 'notifyUser'));
    return c.json({ status: 'sent' } satisfies ResponseOf<'notifyUser', 202>, 202);
  });
  routes.post('/v1/rooms/:room/notifications', async (c) => {
    await rooms.notify(c.var.app.id, c.req.param('room'), await readBody(c, 'notifyRoom'));
    return c.json({ status: 'sent' } satisfies ResponseOf<'notifyRoom', 202>, 202);
  });
  return routes;
}
