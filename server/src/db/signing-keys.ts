/**
 * The generated access-token signing keys every node shares (used when `JWT_SECRET` is unset):
 * the current key, which signs, and after a rotation the previous one, which still verifies
 * until every token it signed has expired (the longest token lifetime past the rotation).
 */
import type { Kysely } from 'kysely';
import type { Database, Executor } from './schema.ts';
import { getOrCreateSetting } from './setting.repository.ts';

/** The setting keys; all are left out of backups (db/backup.ts). */
export const SIGNING_KEY_SETTINGS = ['jwt_secret', 'jwt_secret_previous', 'jwt_secret_previous_until'] as const;

/** The longest an access token lives (createUserToken's `expiresIn` maximum, 30 days), plus clock slack. */
export const MAX_TOKEN_LIFETIME_MS = 30 * 24 * 3600 * 1000 + 3600 * 1000;

/** The keys in force. */
export interface SigningKeys {
  current: string;
  /** Verifies only, until `previousUntil` (ms since the epoch). */
  previous?: string;
  previousUntil?: number;
}

async function setting(db: Executor, key: string): Promise<string | undefined> {
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst();
  return row?.value;
}

async function put(db: Executor, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** The keys in force, generating the first one (with `generate`) on a fresh database. */
export async function loadSigningKeys(db: Executor, generate: () => string): Promise<SigningKeys> {
  const current = await getOrCreateSetting(db, 'jwt_secret', generate);
  const [previous, until] = await Promise.all([setting(db, 'jwt_secret_previous'), setting(db, 'jwt_secret_previous_until')]);
  const previousUntil = Number(until);
  if (previous === undefined || !(previousUntil > Date.now())) return { current };
  return { current, previous, previousUntil };
}

/** Makes a new key the current one and keeps the old one for verifying; returns when the old one stops verifying. */
export async function rotateSigningKey(db: Kysely<Database>, generate: () => string): Promise<{ previousUntil: number }> {
  return db.transaction().execute(async (trx) => {
    const current = await getOrCreateSetting(trx, 'jwt_secret', generate);
    const previousUntil = Date.now() + MAX_TOKEN_LIFETIME_MS;
    await put(trx, 'jwt_secret_previous', current);
    await put(trx, 'jwt_secret_previous_until', String(previousUntil));
    await put(trx, 'jwt_secret', generate());
    return { previousUntil };
  });
}
