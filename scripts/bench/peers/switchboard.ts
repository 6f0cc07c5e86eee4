/**
 * Switchboard in its own process, configured from the environment exactly as `npm start` is
 * (PORT=0, DATA_DIR, DATABASE_URL, REDIS_URL, REDIS_PREFIX, ADMIN_TOKEN, limits), so the runner
 * can read this process's CPU time apart from the load generator's.
 */
import { parseConfig, startServer } from '@switchboard/server';
import { runPeer, type RunningPeer } from './harness.ts';

async function start(): Promise<RunningPeer> {
  const server = await startServer({ config: parseConfig(process.env) });
  return { port: server.port, close: () => server.close() };
}

await runPeer('switchboard', start);
