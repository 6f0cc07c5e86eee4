/**
 * App-signed tokens: an app mints an access token for one of its own users without creating a
 * Switchboard user. Nothing is stored; the signed token carries the user's id, name and staff
 * flag. The user's wire id is `ext:<the app's id>`, so it never equals a Switchboard user's
 * (UUIDs), and the token names its app, so it opens nothing of another app.
 */
import type { AppToken, AppTokenCreate } from '@switchboard/protocol';
import { externalUserId, type UserPrincipal } from '../auth/principal.ts';
import type { AccessClaims } from '../auth/tokens.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { ServiceContext } from './context.ts';
import type { CredentialCache } from './credential-cache.ts';

/** Minting app-signed tokens. */
export interface AppTokenService {
  /** A token for the app's own user `input.userId`. */
  issue(appId: string, input: AppTokenCreate): Promise<AppToken>;
}

/** Creates the app-token service. */
export function createAppTokenService(ctx: ServiceContext): AppTokenService {
  return {
    async issue(appId, input) {
      const expiresIn = input.expiresIn ?? 3600;
      const staff = input.staff ?? false;
      const { token } = await ctx.tokens.issue(input.userId, appId, expiresIn, { name: input.name, staff });
      return {
        accessToken: token,
        tokenType: 'Bearer',
        expiresIn,
        user: { id: externalUserId(input.userId), username: input.name, staff },
      };
    },
  };
}

/** The principal of an app-signed token: its app must still exist (deleting the app revokes it). */
export async function externalPrincipal(credentials: CredentialCache, claims: AccessClaims): Promise<UserPrincipal> {
  const external = claims.external;
  const found = await credentials.app(claims.appId);
  if (!external || !found) throw new SwitchboardError('unauthenticated', 'The app of this token no longer exists.');
  return {
    kind: 'user',
    appId: found.app.id,
    appName: found.app.name,
    userId: externalUserId(claims.userId),
    username: external.name,
    staff: external.staff,
    expiresAt: claims.expiresAt,
    verifiedAt: found.verifiedAt,
    external: true,
  };
}
