#!/usr/bin/env node
/**
 * The Celery half of the notifications origin, as a Switchboard backend worker: it takes jobs
 * from a Redis list and pushes each to a user's sockets through the REST emitter. Any producer in
 * any language enqueues with `RPUSH <queue> '{"userId":"…","message":"…","level":"info"}'`.
 *
 *   SWITCHBOARD_URL=http://127.0.0.1:8080 SWITCHBOARD_API_KEY=sk_… REDIS_URL=redis://127.0.0.1:6379 \
 *     node scripts/examples/notifications-worker.mjs
 *
 * Plain JavaScript on the built packages (`npm run build`), so it runs with plain `node`.
 */
import { createClient } from 'redis';
import { createEmitter } from '@switchboard/sdk';

const { SWITCHBOARD_URL = 'http://127.0.0.1:8080', SWITCHBOARD_API_KEY, REDIS_URL = 'redis://127.0.0.1:6379' } = process.env;
const queue = process.env.QUEUE ?? 'switchboard:notifications';
if (!SWITCHBOARD_API_KEY) {
  console.error('Set SWITCHBOARD_API_KEY to an API key of the app whose users you notify.');
  process.exit(2);
}

const emitter = createEmitter({ baseUrl: SWITCHBOARD_URL, apiKey: SWITCHBOARD_API_KEY });
const redis = await createClient({ url: REDIS_URL }).connect();
let stopping = false;
const stop = () => {
  stopping = true;
  // Wakes the blocking pop so the loop sees `stopping`.
  void redis.disconnect().catch(() => {});
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
console.log(JSON.stringify({ msg: 'worker ready', queue }));

while (!stopping) {
  let item;
  try {
    item = await redis.blPop(queue, 5);
  } catch (error) {
    if (stopping) break;
    throw error;
  }
  if (!item) continue;
  let job;
  try {
    job = JSON.parse(item.element);
  } catch {
    console.log(JSON.stringify({ msg: 'job dropped: not JSON' }));
    continue;
  }
  const { userId, ...notification } = job ?? {};
  try {
    // The emitter checks the notification against the spec before it leaves this process.
    await emitter.toUser(String(userId)).notify(notification);
    // Ids only: a job's text is the user's business, not the log's.
    console.log(JSON.stringify({ msg: 'notified', userId }));
  } catch (error) {
    console.log(JSON.stringify({ msg: 'job failed', userId, code: error?.code ?? 'error' }));
  }
}
