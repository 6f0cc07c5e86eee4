/** An app's users: passwords (scrypt), access tokens, and who a token belongs to. */
import { setTimeout as delay } from 'node:timers/promises';
import type { NotificationCreate, SignIn, User as WireUser, UserCreate, UserInfo, UserUpdate } from '@switchboard/protocol';
import type { User } from '../db/schema.ts';
import * as repo from '../db/user.repository.ts';
import { UniqueViolation } from '../db/errors.ts';
import { DUMMY_PASSWORD_HASH, hashPassword, verifyPassword } from '../auth/passwords.ts';
import type { IssuedToken } from '../auth/tokens.ts';
import type { UserPrincipal } from '../auth/principal.ts';
import { externalPrincipal } from './app-tokens.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import { revocationKey } from './credential-cache.ts';
import { toUser, toUserInfo } from './wire.ts';
import { checkCountQuota } from './quotas.ts';

/** Users, their tokens and their notifications. */
export interface UserService {
  /** Creates a user; `conflict` when the username is taken in the app. */
  create(appId: string, input: UserCreate): Promise<WireUser>;
  /** The app's users. */
  list(appId: string): Promise<WireUser[]>;
  /** One user of the app; `not_found` for another app's user, as for one that does not exist. */
  get(appId: string, userId: string): Promise<WireUser>;
  /** Changes a user's display name, staff flag or password. */
  update(appId: string, userId: string, changes: UserUpdate): Promise<WireUser>;
  /** Signs a user out everywhere: tokens issued so far are refused and their sockets closed on every node. */
  revokeTokens(appId: string, userId: string): Promise<WireUser>;
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
  /** Whether the user was changed (updateUser) since the principal was read: the socket may have missed `user.updated`. */
  changed(principal: UserPrincipal): boolean;
  /** The user as they are now (for a socket that missed a change); undefined if they are gone. */
  current(principal: UserPrincipal): Promise<UserInfo | undefined>;
}

/** Creates the user service. */
export function createUserService(ctx: ServiceContext): UserService {
  const { db, events, tokens, credentials } = ctx;
  const find = async (appId: string, userId: string) => {
    const user = await repo.getUser(db, appId, userId);
    if (!user) throw new SwitchboardError('not_found', 'No such user.');
    return user;
  };
  // Tokens carry a whole-second `iat`: one issued within the second a revocation rounds up to would
  // be refused, so it waits for that second to pass (under a second, only right after a revocation).
  const issueFor = async (user: User, expiresIn: number) => {
    const wait = (user.tokens_valid_after?.getTime() ?? 0) - Date.now();
    if (wait > 0) await delay(wait);
    return tokens.issue(user.id, user.app_id, expiresIn);
  };
  return {
    async create(appId, input) {
      await checkCountQuota(ctx, 'users', appId);
      const passwordHash = input.password === undefined ? null : await hashPassword(input.password);
      try {
        return toUser(
          await repo.createUser(db, {
            appId,
            username: input.username,
            passwordHash,
            staff: input.staff ?? false,
            displayName: input.displayName ?? null,
          }),
        );
      } catch (err) {
        if (err instanceof UniqueViolation) throw new SwitchboardError('conflict', `A user named ${input.username} already exists.`);
        throw err;
      }
    },
    list: async (appId) => (await repo.listUsers(db, appId)).map(toUser),
    get: async (appId, userId) => toUser(await find(appId, userId)),
    async update(appId, userId, changes) {
      const passwordHash =
        changes.password === undefined ? undefined : changes.password === null ? null : await hashPassword(changes.password);
      const updated = await repo.updateUser(db, appId, userId, {
        ...(passwordHash === undefined ? {} : { passwordHash }),
        ...(changes.staff === undefined ? {} : { staff: changes.staff }),
        ...(changes.displayName === undefined ? {} : { displayName: changes.displayName }),
      });
      if (!updated) throw new SwitchboardError('not_found', 'No such user.');
      // Open sockets take a new staff flag or display name at once, on every node (not a password: sockets carry none).
      if (changes.staff !== undefined || changes.displayName !== undefined) await events.userUpdated(toUserInfo(updated));
      return toUser(updated);
    },
    async revokeTokens(appId, userId) {
      // The next whole second: every token issued so far has an `iat` before it.
      const validAfter = new Date((Math.floor(Date.now() / 1000) + 1) * 1000);
      const updated = await repo.updateUser(db, appId, userId, { tokensValidAfter: validAfter });
      if (!updated) throw new SwitchboardError('not_found', 'No such user.');
      await events.userTokensRevoked(userId);
      return toUser(updated);
    },
    async delete(appId, userId) {
      if (!(await repo.deleteUser(db, appId, userId))) throw new SwitchboardError('not_found', 'No such user.');
      await events.userDeleted(userId);
    },
    async issueToken(appId, userId, expiresIn) {
      return issueFor(await find(appId, userId), expiresIn);
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
      return issueFor(user, expiresIn);
    },
    async principalOf(token) {
      const claims = await tokens.verify(token);
      if (claims.external) return externalPrincipal(credentials, claims);
      const found = await credentials.user(claims.appId, claims.userId);
      if (!found) throw new SwitchboardError('unauthenticated', 'The user of this token no longer exists.');
      const { user, app, verifiedAt } = found;
      if (user.tokens_valid_after && claims.issuedAt < user.tokens_valid_after.getTime())
        throw new SwitchboardError('unauthenticated', 'This token was revoked (the user was signed out everywhere).');
      return {
        kind: 'user',
        appId: app.id,
        appName: app.name,
        userId: user.id,
        username: user.username,
        ...(user.display_name ? { displayName: user.display_name } : {}),
        staff: user.staff,
        expiresAt: claims.expiresAt,
        verifiedAt,
      };
    },
    revoked: (principal) =>
      credentials.revokedSince([revocationKey.user(principal.userId), revocationKey.app(principal.appId)], principal.verifiedAt),
    changed: (principal) => credentials.revokedSince([revocationKey.userChanged(principal.userId)], principal.verifiedAt),
    async current(principal) {
      const user = await repo.getUser(db, principal.appId, principal.userId);
      return user && toUserInfo(user);
    },
  };
}
