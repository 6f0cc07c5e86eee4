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
  /** Not a revocation: a room's settings changed, so every node drops its cached row (services/room-cache.ts). */
  roomRow: (id: string) => `room-row:${id}`,
  /** The user changed (staff flag, display name): cached rows go, but nothing is revoked. */
  userChanged: (id: string) => `${CHANGED}user:${id}`,
} as const;

/** The prefix of a change (not a revocation): the keys it names are dropped from the cache only. */
const CHANGED = 'changed:';

/** The room id of a `roomRow` key, or undefined for any other key. */
export function roomRowOf(key: string): string | undefined {
  return key.startsWith('room-row:') ? key.slice('room-row:'.length) : undefined;
}

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
  /** The app an app-signed token names, or undefined. */
  app(appId: string): Promise<Verified<{ app: App }> | undefined>;
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
    // Changed while the read was in flight: the row may be the old one; used once, never cached
    // (the socket built from it sees the change through `revokedSince` and re-reads).
    if (
      revokedSince(
        loaded.keys.map((key) => CHANGED + key),
        readAt,
      )
    )
      return { ...loaded.value, verifiedAt: readAt };
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
    app(appId) {
      return cached(`app:${appId}`, async () => {
        const app = await getApp(db, appId);
        return app && { value: { app }, keys: [revocationKey.app(app.id)] };
      });
    },
    revokedSince,
    revoke(key) {
      const now = Date.now();
      if (revoked.size >= MAX_ENTRIES) for (const [k, at] of revoked) if (at < now - REMEMBER_REVOCATIONS_MS) revoked.delete(k);
      // Remembered under its own key (a change is never a revocation of `user:<id>`), so
      // `revokedSince([userChanged(id)], …)` tells a socket that read the row before the change.
      revoked.set(key, now);
      const dropped = key.startsWith(CHANGED) ? key.slice(CHANGED.length) : key;
      for (const [cacheKey, entry] of entries) if (entry.keys.includes(dropped)) entries.delete(cacheKey);
    },
  };
}
