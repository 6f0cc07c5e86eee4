/**
 * One timer per node pings every socket. A socket that sent neither a pong nor a frame since the
 * previous tick is closed with 4000: its peer is gone, and its buffers would be held forever.
 * Token expiry (4003) is not checked here: a tick is up to `heartbeatMs` late, and the spec
 * promises the close at expiry, so each authenticated socket holds its own deadline (closeAt).
 */
import type { Connection } from './connection.ts';

/** Starts the heartbeat over a live set of connections; returns a stop function. */
export function startHeartbeat(connections: ReadonlyMap<string, Connection>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    for (const connection of connections.values()) {
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
