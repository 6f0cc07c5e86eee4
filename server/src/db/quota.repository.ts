/** How many rooms, endpoints and users an app holds, for its quotas. */
import { sql, type Kysely } from 'kysely';
import type { Database } from './schema.ts';

/** The tables an app's count quotas count. */
export type CountedTable = 'rooms' | 'endpoints' | 'users';

/** The number of rows of `table` the app owns. */
export async function countOwned(db: Kysely<Database>, table: CountedTable, appId: string): Promise<number> {
  const row = await db
    .selectFrom(table)
    .select(sql<number>`count(*)::int`.as('n'))
    .where('app_id', '=', appId)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
