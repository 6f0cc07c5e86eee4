import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { mapUniqueViolation } from './errors.ts';
import type { ApiKey, App, Executor } from './schema.ts';

/** Creates an app. */
export async function createApp(db: Executor, input: { name: string }): Promise<App> {
  return db.insertInto('apps').values({ id: randomUUID(), name: input.name }).returningAll().executeTakeFirstOrThrow();
}

/** Every app, oldest first. */
export async function listApps(db: Executor): Promise<App[]> {
  return db.selectFrom('apps').selectAll().orderBy('created_at').orderBy('id').execute();
}

/** One app by id. */
export async function getApp(db: Executor, id: string): Promise<App | undefined> {
  return db.selectFrom('apps').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes an app with everything it owns; false when there was no such app. */
export async function deleteApp(db: Executor, id: string): Promise<boolean> {
  const result = await db.deleteFrom('apps').where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Stores a new API key by its hash; throws `UniqueViolation` (`api_keys_hash_key`) on a repeated hash. */
export async function addApiKey(db: Executor, input: { appId: string; prefix: string; hash: string }): Promise<ApiKey> {
  return mapUniqueViolation(() =>
    db
      .insertInto('api_keys')
      .values({ id: randomUUID(), app_id: input.appId, prefix: input.prefix, hash: input.hash })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/** An app's keys, revoked ones included, oldest first. */
export async function listApiKeys(db: Executor, appId: string): Promise<ApiKey[]> {
  return db.selectFrom('api_keys').selectAll().where('app_id', '=', appId).orderBy('created_at').orderBy('id').execute();
}

/** The unrevoked key with this hash and the app it belongs to. */
export async function findActiveApiKeyByHash(db: Executor, hash: string): Promise<{ key: ApiKey; app: App } | undefined> {
  const row = await db
    .selectFrom('api_keys')
    .innerJoin('apps', 'apps.id', 'api_keys.app_id')
    .selectAll('api_keys')
    .select(['apps.name as app_name', 'apps.created_at as app_created_at'])
    .where('api_keys.hash', '=', hash)
    .where('api_keys.revoked_at', 'is', null)
    .executeTakeFirst();
  if (row === undefined) return undefined;
  const { app_name, app_created_at, ...key } = row;
  return { key, app: { id: key.app_id, name: app_name, created_at: app_created_at } };
}

/** Revokes one of an app's keys; false when it does not exist or was already revoked. */
export async function revokeApiKey(db: Executor, appId: string, keyId: string): Promise<boolean> {
  const result = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`now()` })
    .where('id', '=', keyId)
    .where('app_id', '=', appId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return result.numUpdatedRows > 0n;
}
