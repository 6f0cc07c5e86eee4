import { SwitchboardError } from '../lib/errors.ts';
import type { PresenceStore } from '../presence/index.ts';

/**
 * The presence store as the services use it: a Redis that is down, frozen (each call is bounded
 * by the store) or a cluster still electing answers `unavailable` with the cause for the log, so
 * a client retries a join instead of giving the room up as it would on `internal`.
 */
export function answerOutages(store: PresenceStore): PresenceStore {
  if (store.kind === 'memory') return store;
  const outage = (error: unknown): never => {
    if (error instanceof SwitchboardError) throw error;
    throw new SwitchboardError('unavailable', 'Presence is not available.', undefined, { cause: error, dependency: 'redis' });
  };
  return {
    kind: store.kind,
    node: store.node,
    add: (key, member, value) => store.add(key, member, value).catch(outage),
    remove: (key, member) => store.remove(key, member).catch(outage),
    members: (key) => store.members(key).catch(outage),
    count: (key) => store.count(key).catch(outage),
    counts: (keys) => store.counts(keys).catch(outage),
    sweep: () => store.sweep().catch(outage),
    close: () => store.close(),
    [Symbol.asyncDispose]: () => store[Symbol.asyncDispose](),
  };
}
