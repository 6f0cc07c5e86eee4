/** Presence: who is connected where, shared by every server node, in memory or through Redis. */
export type { PresenceDeparture, PresenceErrorContext, PresenceErrorHandler, PresenceStore } from './presence-store.ts';
export { PresenceStoreError } from './presence-store-error.ts';
export type { PresenceStoreErrorCode } from './presence-store-error.ts';
export { createPresenceStore } from './create-presence-store.ts';
export type { PresenceStoreOptions } from './create-presence-store.ts';
export { createMemoryPresenceState } from './memory-presence-state.ts';
export type { MemoryPresenceEntry, MemoryPresenceState } from './memory-presence-state.ts';
export { createMemoryPresenceStore } from './memory-presence-store.ts';
export type { MemoryPresenceStoreOptions } from './memory-presence-store.ts';
export { createRedisPresenceStore } from './redis-presence-store.ts';
export type { RedisPresenceStore, RedisPresenceStoreOptions } from './redis-presence-store.ts';
