/**
 * One timer per node pings every socket. A socket that sent neither a pong nor a frame since the
 * previous tick is closed with 4000: its peer is gone, and its buffers would be held forever. The
 * same tick closes sockets whose access token expired (4003), so expiry costs no timer per socket.
 */
import type { Connection } from './connection.ts';

/** Starts the heartbeat over a live set of connections; returns a stop function. */
export function startHeartbeat(connections: ReadonlyMap<string, Connection>, intervalMs: number): () => void {
  const timer = setInterval(() => {
    const now = Date.now();
    for (const connection of connections.values()) connection.heartbeat(now);
  }, intervalMs);
  timer.unref();
  return () => clearInterval(timer);
}
