import type { Executor } from './schema.ts';

/**
 * The value of a setting, created with `initial` by whichever node asks first: concurrent
 * starts agree on one value because the insert yields to an existing row.
 */
export async function getOrCreateSetting(db: Executor, key: string, initial: () => string): Promise<string> {
  await db
    .insertInto('settings')
    .values({ key, value: initial() })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
  const row = await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow();
  return row.value;
}
