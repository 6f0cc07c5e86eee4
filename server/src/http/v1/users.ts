/** /v1/users and /v1/auth/token: an app's users, their tokens and their notifications. */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { Logger } from '../../lib/logger.ts';
import type { Services } from '../../services/index.ts';
import { requireApp, type AppEnv } from '../auth.ts';
import type { RestLimits } from '../rate-limit.ts';
import { readBody } from '../body.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { clientAddress } from '../client-address.ts';
import { rateLimited } from '../rate-limit.ts';

/** How long a signed-in token lives. */
const SIGN_IN_EXPIRES_IN = 3600;

/** The message of each sign-in refusal, by the limit that refused it. */
const REFUSALS = {
  address: 'Too many sign-in attempts from this address; retry later.',
  account_address: 'Too many failed sign-ins for this user from this address; retry later.',
  account: 'Too many slowed sign-ins for this user are waiting; retry later.',
  node: 'Too many slowed sign-ins are waiting on this server; retry later.',
} as const;

/** The user, token and notification routes. */
export function userRoutes(services: Services, limits: RestLimits, log: Logger): Hono<AppEnv> {
  const { users, rooms } = services;
  const routes = new Hono<AppEnv>();
  const { signIn } = limits;

  // Password guessing is refused per address and per (username, address), and only slowed per
  // username, so that no one can lock a user out (limits/sign-in-guard.ts).
  routes.post('/v1/auth/token', async (c) => {
    const body = await readBody(c, 'signIn');
    const address = clientAddress(c);
    const account = `${body.app}:${body.username}`;
    const verdict = await signIn.check(account, address);
    if (verdict.kind === 'refused') {
      throw rateLimited(verdict.scope, { allowed: false, consumed: 0, retryAfterMs: verdict.retryAfterMs }, REFUSALS[verdict.scope]);
    }
    let signedIn: Awaited<ReturnType<typeof users.signIn>>;
    try {
      if (verdict.delayMs > 0) {
        // A sprayed username: each attempt from an address it never signed in from waits.
        log.info({ delayMs: verdict.delayMs, address }, 'sign-in slowed: many failed attempts for this username');
        await delay(verdict.delayMs);
      }
      signedIn = await users.signIn(body, SIGN_IN_EXPIRES_IN);
    } finally {
      verdict.release();
    }
    const { token, expiresAt } = signedIn;
    await signIn.succeeded(account, address);
    return c.json({ accessToken: token, tokenType: 'Bearer', expiresIn: Math.round((expiresAt - Date.now()) / 1000) } satisfies ResponseOf<
      'signIn',
      200
    >);
  });

  routes.use('/v1/users', requireApp(services, limits.rest.apiKey));
  routes.use('/v1/users/*', requireApp(services, limits.rest.apiKey));
  routes.use('/v1/rooms/:room/notifications', requireApp(services, limits.rest.apiKey));

  routes.post('/v1/users', async (c) =>
    c.json((await users.create(c.var.app.id, await readBody(c, 'createUser'))) satisfies ResponseOf<'createUser', 201>, 201),
  );
  routes.get('/v1/users', async (c) => c.json({ items: await users.list(c.var.app.id) } satisfies ResponseOf<'listUsers', 200>));
  routes.get('/v1/users/:userId', async (c) =>
    c.json((await users.get(c.var.app.id, c.req.param('userId'))) satisfies ResponseOf<'getUser', 200>),
  );
  routes.patch('/v1/users/:userId', async (c) => {
    const changes = await readBody(c, 'updateUser');
    return c.json((await users.update(c.var.app.id, c.req.param('userId'), changes)) satisfies ResponseOf<'updateUser', 200>);
  });
  routes.post('/v1/users/:userId/revoke-tokens', async (c) =>
    c.json((await users.revokeTokens(c.var.app.id, c.req.param('userId'))) satisfies ResponseOf<'revokeUserTokens', 200>),
  );
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
