/** GET /metrics: the node's Prometheus metrics, behind `METRICS_TOKEN` when one is set. */
import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { SwitchboardError } from '../lib/errors.ts';

/** What the route serves. */
export interface MetricsRouteDeps {
  /** The exposition text and its content type. */
  metrics: { contentType: string; render(): Promise<string> };
  /** The bearer token to ask for; undefined leaves the route open. */
  token: string | undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** The metrics route. */
export function metricsRoutes(deps: MetricsRouteDeps): Hono {
  const routes = new Hono();
  routes.get('/metrics', async (c) => {
    if (deps.token !== undefined) {
      const given = /^Bearer\s+(\S+)$/i.exec(c.req.header('authorization') ?? '')?.[1];
      if (given === undefined || !sameSecret(given, deps.token)) {
        throw new SwitchboardError('unauthenticated', 'Send the metrics token as Authorization: Bearer <token>.', undefined, {
          challenge: 'Bearer',
        });
      }
    }
    return c.body(await deps.metrics.render(), 200, { 'content-type': deps.metrics.contentType });
  });
  return routes;
}
