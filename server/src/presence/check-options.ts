import { PresenceStoreError } from './presence-store-error.ts';

/** Refuses an empty node id or one with a tab: Redis stores each entry as `<node>\t<value>`. */
export function checkNode(node: string): void {
  if (node === '' || node.includes('\t')) {
    throw new PresenceStoreError('invalid-option', 'A presence node id must be non-empty and contain no tab');
  }
}

/** Refuses a liveness TTL that ordinary pauses (GC, a slow Redis reply) would outlast. */
export function checkTtl(ttlMs: number): void {
  if (!Number.isInteger(ttlMs) || ttlMs < 1_000) {
    throw new PresenceStoreError('invalid-option', `A presence TTL must be a whole number of milliseconds, at least 1000 (got ${ttlMs})`);
  }
}
