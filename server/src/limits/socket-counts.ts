/**
 * Sockets open at once, per user, per endpoint code, per app and per client address, counted on
 * this node and checked once per socket, at the upgrade (nothing on the per-frame path). The
 * counts are per node on purpose: an open socket is a file descriptor and memory on this node,
 * and a count shared through Redis would outlive a node that crashed with its sockets open and
 * shut their owners out until someone cleaned it up. Behind a load balancer a client's sockets
 * spread over the nodes; the limit bounds what one node gives one client.
 */

/** Which limit a socket would pass. */
export type SocketScope = 'user' | 'endpoint' | 'app' | 'address';

/** The limits, from `MAX_SOCKETS_PER_*`. */
export type SocketLimits = Readonly<Record<SocketScope, number>>;

/** The keys one socket counts under (an anonymous socket has no user, a user socket no endpoint). */
export type SocketKeys = Partial<Record<SocketScope, string>>;

/** The outcome of opening one socket. */
export type SocketAdmission =
  { readonly admitted: true; release(): void } | { readonly admitted: false; readonly scope: SocketScope; readonly limit: number };

/** The counts of one node. */
export interface SocketCounts {
  /** Counts a socket under each of its keys, or names the first limit it would pass (and counts nothing). */
  admit(keys: SocketKeys): SocketAdmission;
  /** How many sockets are counted under a key (for tests and metrics). */
  count(scope: SocketScope, key: string): number;
}

const SCOPES: readonly SocketScope[] = ['address', 'app', 'user', 'endpoint'];

/** Builds one node's socket counts. */
export function createSocketCounts(limits: SocketLimits): SocketCounts {
  const counts = new Map<string, number>();
  const name = (scope: SocketScope, key: string) => `${scope}\u0000${key}`;
  return {
    admit(keys) {
      const names: string[] = [];
      for (const scope of SCOPES) {
        const key = keys[scope];
        if (key === undefined) continue;
        const counted = name(scope, key);
        if ((counts.get(counted) ?? 0) >= limits[scope]) return { admitted: false, scope, limit: limits[scope] };
        names.push(counted);
      }
      for (const counted of names) counts.set(counted, (counts.get(counted) ?? 0) + 1);
      let released = false;
      return {
        admitted: true,
        release() {
          if (released) return;
          released = true;
          for (const counted of names) {
            const left = (counts.get(counted) ?? 1) - 1;
            // Dropped at zero, so the map holds only keys with sockets open.
            if (left <= 0) counts.delete(counted);
            else counts.set(counted, left);
          }
        },
      };
    },
    count: (scope, key) => counts.get(name(scope, key)) ?? 0,
  };
}
