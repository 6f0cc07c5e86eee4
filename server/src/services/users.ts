/** An app's users: passwords (scrypt), access tokens, and who a token belongs to. */
import type { Kysely } from 'kysely';
import type { Database, User } from '../db/schema.ts';
import * as repo from '../db/user.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { TokenIssuer } from '../auth/tokens.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { DomainEvents } from './events.ts';
import { revocationKey, type CredentialCache } from './credential-cache.ts';

/** Creates a user; `conflict` when the username is taken in the app. */
export async function createUser(db: Kysely<Database>, appId: string, input: { username: string; password?: string; staff?: boolean }): Promise<User> {
  const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
  try {
    return await repo.createUser(db, { appId, username: input.username, passwordHash, staff: input.staff ?? false });
  } catch (err) {
    if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `A user named ${input.username} already exists.`);
    throw err;
  }
}

/** The app's users. */
export function listUsers(db: Kysely<Database>, appId: string): Promise<User[]> {
  return repo.listUsers(db, appId);
}

/** One user of the app, or `not_found`. */
export async function getUser(db: Kysely<Database>, appId: string, userId: string): Promise<User> {
  const user = await repo.getUser(db, appId, userId);
  if (!user) throw new SwitchboardError('not_found', 'No such user.');
  return user;
}

/** Deletes a user; their sockets are closed on every node. */
export async function deleteUser(db: Kysely<Database>, events: DomainEvents, appId: string, userId: string): Promise<void> {
  if (!(await repo.deleteUser(db, appId, userId))) throw new SwitchboardError('not_found', 'No such user.');
  await events.userDeleted(userId);
}

/** Checks a username and password; the same `unauthenticated` for an unknown user or a wrong password. */
export async function signIn(db: Kysely<Database>, tokens: TokenIssuer, input: { app: string; username: string; password: string }, expiresIn: number) {
  const user = await repo.getUserByUsername(db, input.app, input.username).catch(() => undefined);
  // Verify against a dummy hash when there is no user, so timing does not reveal which usernames exist.
  const ok = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
  if (!user || !user.password_hash || !ok) throw new SwitchboardError('unauthenticated', 'Wrong app, username or password.');
  return tokens.issue(user.id, user.app_id, expiresIn);
}

/** The principal an access token stands for; `unauthenticated` if the token or its user is gone. */
export async function principalOf(credentials: CredentialCache, tokens: TokenIssuer, token: string): Promise<UserPrincipal> {
  const claims = await tokens.verify(token);
  const found = await credentials.user(claims.appId, claims.userId);
  if (!found) throw new SwitchboardError('unauthenticated', 'The user of this token no longer exists.');
  const { user, app, verifiedAt } = found;
  return { kind: 'user', appId: app.id, appName: app.name, userId: user.id, username: user.username, staff: user.staff, expiresAt: claims.expiresAt, verifiedAt };
}

/** The revocation keys that end a user principal. */
export function userRevocationKeys(principal: UserPrincipal): string[] {
  return [revocationKey.user(principal.userId), revocationKey.app(principal.appId)];
}
