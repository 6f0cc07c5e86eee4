/** Apps and their API keys: operator-only rules. */
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.ts';
import * as repo from '../db/app.repository.ts';
import { API_KEY_PREFIX, hashSecret, keyPrefix, randomSecret } from '../auth/secrets.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { DomainEvents } from './events.ts';

/** Creates an app with its first key; the key is returned in clear this once. */
export async function createApp(db: Kysely<Database>, name: string) {
  const key = randomSecret(API_KEY_PREFIX);
  return db.transaction().execute(async (trx) => {
    const app = await repo.createApp(trx, { name });
    const stored = await repo.addApiKey(trx, { appId: app.id, prefix: keyPrefix(key), hash: hashSecret(key) });
    return { app, key: stored, apiKey: key };
  });
}

/** Every app with its live keys. */
export async function listApps(db: Kysely<Database>) {
  const apps = await repo.listApps(db);
  // Revoked keys stay in the table for audit, but the list shows what still opens the API.
  return Promise.all(apps.map(async (app) => ({ app, keys: (await repo.listApiKeys(db, app.id)).filter((key) => !key.revoked_at) })));
}

/** Deletes an app and everything it owns, then closes its sockets on every node. */
export async function deleteApp(db: Kysely<Database>, events: DomainEvents, appId: string): Promise<void> {
  if (!(await repo.deleteApp(db, appId))) throw new SwitchboardError('not_found', 'No such app.');
  await events.appDeleted(appId);
}

/** Adds a key to an app (for rotation); returned in clear this once. */
export async function addKey(db: Kysely<Database>, appId: string) {
  if (!(await repo.getApp(db, appId))) throw new SwitchboardError('not_found', 'No such app.');
  const apiKey = randomSecret(API_KEY_PREFIX);
  const key = await repo.addApiKey(db, { appId, prefix: keyPrefix(apiKey), hash: hashSecret(apiKey) });
  return { key, apiKey };
}

/** Revokes one key of an app. */
export async function revokeKey(db: Kysely<Database>, appId: string, keyId: string): Promise<void> {
  if (!(await repo.revokeApiKey(db, appId, keyId))) throw new SwitchboardError('not_found', 'No such key.');
}
