/** An app's users: passwords (scrypt), access tokens, and who a token belongs to. */
import type { NotificationCreate, SignIn, User as WireUser, UserCreate } from '@switchboard/protocol';
import * as repo from '../db/user.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { IssuedToken } from '../auth/tokens.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import { revocationKey } from './credential-cache.ts';
import { toUser } from './wire.ts';

/** Users, their tokens and their notifications. */
export interface UserService {
  /** Creates a user; `conflict` when the username is taken in the app. */
  create(appId: string, input: UserCreate): Promise<WireUser>;
  /** The app's users. */
  list(appId: string): Promise<WireUser[]>;
  /** Deletes a user; their sockets are closed on every node. */
  delete(appId: string, userId: string): Promise<void>;
  /** Mints an access token for a user of the app; `not_found` for another app's user. */
  issueToken(appId: string, userId: string, expiresIn: number): Promise<IssuedToken>;
  /** Sends a notification to every socket of a user of the app. */
  notify(appId: string, userId: string, notification: NotificationCreate): Promise<void>;
  /** Checks a username and password; the same `unauthenticated` for an unknown user or a wrong password. */
  signIn(input: SignIn, expiresIn: number): Promise<IssuedToken>;
  /** The principal an access token stands for; `unauthenticated` if the token or its user is gone. */
  principalOf(token: string): Promise<UserPrincipal>;
  /** Whether the user or app was revoked since the principal was read (a race with a deletion). */
  revoked(principal: UserPrincipal): boolean;
}

/** Creates the user service. */
export function createUserService(ctx: ServiceContext): UserService {
  const { db, events, tokens, credentials } = ctx;
  const find = async (appId: string, userId: string) => {
    const user = await repo.getUser(db, appId, userId);
    if (!user) throw new SwitchboardError('not_found', 'No such user.');
    return user;
  };
  return {
    async create(appId, input) {
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      try {
        return toUser(await repo.createUser(db, { appId, username: input.username, passwordHash, staff: input.staff ?? false }));
      } catch (err) {
        if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `A user named ${input.username} already exists.`);
        throw err;
      }
    },
    list: async (appId) => (await repo.listUsers(db, appId)).map(toUser),
    async delete(appId, userId) {
      if (!(await repo.deleteUser(db, appId, userId))) throw new SwitchboardError('not_found', 'No such user.');
      await events.userDeleted(userId);
    },
    async issueToken(appId, userId, expiresIn) {
      const user = await find(appId, userId);
      return tokens.issue(user.id, user.app_id, expiresIn);
    },
    async notify(appId, userId, notification) {
      const user = await find(appId, userId);
      await events.notifyUser(user.id, { ...notification, at: new Date().toISOString() });
    },
    async signIn(input, expiresIn) {
      // A database error propagates (an outage is `unavailable`, never a wrong password).
      const user = await repo.getUserByUsername(db, input.app, input.username);
      // Verify against a dummy hash when there is no user, so timing does not reveal which usernames exist.
      const ok = await verifyPassword(input.password, user?.password_hash ?? DUMMY_PASSWORD_HASH);
      if (!user || !user.password_hash || !ok) throw new SwitchboardError('unauthenticated', 'Wrong app, username or password.');
      return tokens.issue(user.id, user.app_id, expiresIn);
    },
    async principalOf(token) {
      const claims = await tokens.verify(token);
      const found = await credentials.user(claims.appId, claims.userId);
      if (!found) throw new SwitchboardError('unauthenticated', 'The user of this token no longer exists.');
      const { user, app, verifiedAt } = found;
      return {
        kind: 'user',
        appId: app.id,
        appName: app.name,
        userId: user.id,
        username: user.username,
        staff: user.staff,
        expiresAt: claims.expiresAt,
        verifiedAt,
      };
    },
    revoked: (principal) =>
      credentials.revokedSince([revocationKey.user(principal.userId), revocationKey.app(principal.appId)], principal.verifiedAt),
  };
}
