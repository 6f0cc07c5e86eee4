/**
 * What a credential resolves to (an endpoint code's endpoint and room, a token's user and app),
 * cached so that a connect storm costs no database read per socket. Every node hears every
 * revocation (an endpoint, room, app or user deleted) on one topic and drops what it concerns;
 * it also remembers recent revocations, so a socket authenticated from a read that raced a
 * revocation is closed once it is subscribed (see `revokedSince`).
 */
import type { Kysely } from 'kysely';
import type { App, Database, Endpoint, Room, User } from '../db/schema.ts';
import { findEndpointByCodeHash } from '../db/endpoint.repository.ts';
import { getUser } from '../db/user.repository.ts';
import { getApp } from '../db/app.repository.ts';
import { hashSecret } from '../auth/secrets.ts';

const TTL_MS = 60_000;
const MAX_ENTRIES = 10_000;
const REMEMBER_REVOCATIONS_MS = 120_000;

/** The keys revocations are announced under. */
export const revocationKey = {
  endpoint: (id: string) => `endpoint:${id}`,
  room: (id: string) => `room:${id}`,
  app: (id: string) => `app:${id}`,
  user: (id: string) => `user:${id}`,
} as const;

interface Entry<T> {
  value: T;
  keys: string[];
  /** When the database read behind it started (local clock). */
  readAt: number;
  expires: number;
}

/** A resolved credential and when it was read. */
export type Verified<T> = T & { verifiedAt: number };

/** Cached credential lookups with revocation. */
export interface CredentialCache {
  /** The endpoint and room an endpoint code opens, or undefined. */
  endpoint(code: string): Promise<Verified<{ endpoint: Endpoint; room: Room }> | undefined>;
  /** The user and app a token's claims name, or undefined. */
  user(appId: string, userId: string): Promise<Verified<{ user: User; app: App }> | undefined>;
  /** Whether any of `keys` was revoked at or after `since` (a local timestamp). */
  revokedSince(keys: readonly string[], since: number): boolean;
  /** Applies a revocation heard on the channel layer. */
  revoke(key: string): void;
}

/** Creates the cache over the database. */
export function createCredentialCache(db: Kysely<Database>): CredentialCache {
  const entries = new Map<string, Entry<unknown>>();
  const revoked = new Map<string, number>();

  const revokedSince = (keys: readonly string[], since: number) => keys.some((key) => (revoked.get(key) ?? -Infinity) >= since);

  async function cached<T>(
    cacheKey: string,
    load: () => Promise<{ value: T; keys: string[] } | undefined>,
  ): Promise<Verified<T> | undefined> {
    const now = Date.now();
    const hit = entries.get(cacheKey) as Entry<T> | undefined;
    if (hit && hit.expires > now) return { ...hit.value, verifiedAt: hit.readAt };
    const readAt = now;
    const loaded = await load();
    if (!loaded) return undefined;
    // Revoked while the read was in flight: the row read may already be gone.
    if (revokedSince(loaded.keys, readAt)) return undefined;
    if (entries.size >= MAX_ENTRIES) entries.clear();
    entries.set(cacheKey, { value: loaded.value, keys: loaded.keys, readAt, expires: readAt + TTL_MS });
    return { ...loaded.value, verifiedAt: readAt };
  }

  return {
    endpoint(code) {
      if (code.length === 0 || code.length > 200) return Promise.resolve(undefined);
      const hash = hashSecret(code);
      return cached(`code:${hash}`, async () => {
        const found = await findEndpointByCodeHash(db, hash);
        if (!found) return undefined;
        const { endpoint, room } = found;
        return {
          value: found,
          keys: [revocationKey.endpoint(endpoint.id), revocationKey.room(room.id), revocationKey.app(endpoint.app_id)],
        };
      });
    },
    user(appId, userId) {
      return cached(`user:${appId}:${userId}`, async () => {
        const [user, app] = await Promise.all([getUser(db, appId, userId), getApp(db, appId)]);
        if (!user || !app) return undefined;
        return { value: { user, app }, keys: [revocationKey.user(user.id), revocationKey.app(app.id)] };
      });
    },
    revokedSince,
    revoke(key) {
      const now = Date.now();
      if (revoked.size >= MAX_ENTRIES) for (const [k, at] of revoked) if (at < now - REMEMBER_REVOCATIONS_MS) revoked.delete(k);
      revoked.set(key, now);
      for (const [cacheKey, entry] of entries) if (entry.keys.includes(key)) entries.delete(cacheKey);
    },
  };
}
