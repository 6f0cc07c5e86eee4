import { randomUUID } from 'node:crypto';
import { mapUniqueViolation } from './errors.ts';
import type { Executor, User } from './schema.ts';

/** What a user is created with; `passwordHash` is already an scrypt hash (or null). */
export interface CreateUserInput {
  appId: string;
  username: string;
  passwordHash?: string | null;
  staff?: boolean;
  displayName?: string | null;
}

/** Fields of a user that can change; omitted ones stay as they are. */
export interface UserPatch {
  passwordHash?: string | null;
  staff?: boolean;
  displayName?: string | null;
  tokensValidAfter?: Date;
}

/** Creates a user; throws `UniqueViolation` (`users_app_id_username_key`) when the name is taken in the app. */
export async function createUser(db: Executor, input: CreateUserInput): Promise<User> {
  return mapUniqueViolation(() =>
    db
      .insertInto('users')
      .values({
        id: randomUUID(),
        app_id: input.appId,
        username: input.username,
        password_hash: input.passwordHash ?? null,
        display_name: input.displayName ?? null,
        ...(input.staff === undefined ? {} : { staff: input.staff }),
      })
      .returningAll()
      .executeTakeFirstOrThrow(),
  );
}

/** One of an app's users by username. */
export async function getUserByUsername(db: Executor, appId: string, username: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('app_id', '=', appId).where('username', '=', username).executeTakeFirst();
}

/** One of an app's users by id. */
export async function getUser(db: Executor, appId: string, id: string): Promise<User | undefined> {
  return db.selectFrom('users').selectAll().where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
}

/** An app's users by username. */
export async function listUsers(db: Executor, appId: string): Promise<User[]> {
  return db.selectFrom('users').selectAll().where('app_id', '=', appId).orderBy('username').execute();
}

/** Changes a user and returns it; undefined when missing. */
export async function updateUser(db: Executor, appId: string, id: string, patch: UserPatch): Promise<User | undefined> {
  const changes = {
    ...(patch.passwordHash === undefined ? {} : { password_hash: patch.passwordHash }),
    ...(patch.staff === undefined ? {} : { staff: patch.staff }),
    ...(patch.displayName === undefined ? {} : { display_name: patch.displayName }),
    ...(patch.tokensValidAfter === undefined ? {} : { tokens_valid_after: patch.tokensValidAfter }),
  };
  if (Object.keys(changes).length === 0) return getUser(db, appId, id);
  return db.updateTable('users').set(changes).where('app_id', '=', appId).where('id', '=', id).returningAll().executeTakeFirst();
}

/** Deletes one of an app's users; false when there was no such user. */
export async function deleteUser(db: Executor, appId: string, id: string): Promise<boolean> {
  const result = await db.deleteFrom('users').where('app_id', '=', appId).where('id', '=', id).executeTakeFirst();
  return result.numDeletedRows > 0n;
}
