/** GET /healthz (liveness) and GET /readyz (the database and channel layer both answer). */
import { Hono } from 'hono';
import { sql, type Kysely } from 'kysely';
import type { ResponseOf } from '@switchboard/protocol';
import type { ChannelLayer } from '../channels/index.ts';
import type { Database } from '../db/schema.ts';
import { SwitchboardError } from '../errors.ts';
import type { Logger } from '../logger.ts';

/** What the probes look at. */
export interface HealthDeps {
  node: string;
  version: string;
  db: Kysely<Database>;
  databaseKind: 'postgres' | 'pglite';
  channels: ChannelLayer;
  log: Logger;
}

/** The probe routes. */
export function healthRoutes(deps: HealthDeps): Hono {
  const routes = new Hono();
  routes.get('/healthz', (c) => c.json({ status: 'ok', node: deps.node, version: deps.version } satisfies ResponseOf<'getHealth', 200>));
  routes.get('/readyz', async (c) => {
    const [database, channels] = await Promise.allSettled([
      sql`select 1`.execute(deps.db),
      deps.channels.publish('health', ''),
    ]);
    if (database.status === 'rejected' || channels.status === 'rejected') {
      deps.log.warn({ database: database.status, channels: channels.status }, 'not ready');
      throw new SwitchboardError('unavailable', 'A dependency is not available.', {
        database: database.status === 'fulfilled' ? 'ok' : 'failed',
        channels: channels.status === 'fulfilled' ? 'ok' : 'failed',
      });
    }
    return c.json({ status: 'ready', checks: { database: deps.databaseKind, channels: deps.channels.kind } } satisfies ResponseOf<'getReadiness', 200>);
  });
  return routes;
}
