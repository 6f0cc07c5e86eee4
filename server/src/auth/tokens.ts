/**
 * Access tokens: HS256 JWTs (Hono's JWT helper) naming the user and the app, with an expiry.
 * The signing key is imported once, so verifying a token on a connect storm costs one HMAC.
 */
import { sign, verify } from 'hono/jwt';
import { SwitchboardError } from '../lib/errors.ts';

/** The cause of the error `verify` throws for an expired token: the socket route closes with 4003 for it (never on the wire). */
export const tokenExpired = new Error('the access token expired');
/** What a valid token proves. */
export interface AccessClaims {
  userId: string;
  appId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
}

/** A signed token and when it expires (ms since the epoch). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Issues and verifies access tokens with one signing key. */
export interface TokenIssuer {
  issue(userId: string, appId: string, expiresInSeconds: number): Promise<IssuedToken>;
  /** The claims of a valid token; `unauthenticated` for anything else, expiry included. */
  verify(token: string): Promise<AccessClaims>;
}

/** Creates a token issuer from a secret of at least 32 characters. */
export async function createTokenIssuer(secret: string): Promise<TokenIssuer> {
  const key = await crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, [
    'sign',
    'verify',
  ]);
  return {
    async issue(userId, appId, expiresInSeconds) {
      const now = Math.floor(Date.now() / 1000);
      const exp = now + expiresInSeconds;
      const token = await sign({ sub: userId, app: appId, iat: now, exp }, key, 'HS256');
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      let claims: Record<string, unknown>;
      try {
        claims = await verify(token, key, 'HS256');
      } catch (err) {
        if (err instanceof Error && err.name === 'JwtTokenExpired')
          throw new SwitchboardError('unauthenticated', 'The access token expired.', undefined, { cause: tokenExpired });
        throw new SwitchboardError('unauthenticated', 'The access token is not valid.');
      }
      const { sub, app, exp } = claims;
      if (typeof sub !== 'string' || typeof app !== 'string' || typeof exp !== 'number') {
        throw new SwitchboardError('unauthenticated', 'The access token is not valid.');
      }
      return { userId: sub, appId: app, expiresAt: exp * 1000 };
    },
  };
}
