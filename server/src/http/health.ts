/** GET /healthz (liveness) and GET /readyz (the database and channel layer both answer). */
import { Hono } from 'hono';
import type { ResponseOf } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { Logger } from '../lib/logger.ts';

/** What the probes look at. */
export interface HealthDeps {
  node: string;
  version: string;
  /** The database's engine, and a round trip to it. */
  database: { kind: 'postgres' | 'pglite'; ping(): Promise<void> };
  channels: ChannelLayer;
  log: Logger;
}

/** The probe routes. */
export function healthRoutes(deps: HealthDeps): Hono {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok', node: deps.node, version: deps.version } satisfies ResponseOf<'getHealth', 200>));
  routes.get('/readyz', async (c) => {
    const [database, channels] = await Promise.allSettled([deps.database.ping(), deps.channels.publish('health', '')]);
    if (database.status === 'rejected' || channels.status === 'rejected') {
      deps.log.warn({ database: database.status, channels: channels.status }, 'not ready');
      throw new SwitchboardError('unavailable', 'A dependency is not available.', {
        database: database.status === 'fulfilled' ? 'ok' : 'failed',
        channels: channels.status === 'fulfilled' ? 'ok' : 'failed',
      });
    }
    return c.json({ status: 'ready', checks: { database: deps.database.kind, channels: deps.channels.kind } } satisfies ResponseOf<
      'getReadiness',
      200
    >);
  });
  return routes;
}
