/**
 * One timer per node pings every socket. A socket that sent neither a pong nor a frame since the
 * previous tick is closed with 4000: its peer is gone, and its buffers would be held forever.
 */
import type { Connection } from './connection.ts';

/** Starts the heartbeat over a live set of connections; returns a stop function. */
export function startHeartbeat(connections: ReadonlySet<Connection>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of connections) {
      if (!connection.alive) {
        connection.close('heartbeat_timeout');
        continue;
      }
      connection.alive = false;
      connection.ping();
    }
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
