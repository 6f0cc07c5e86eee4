/**
 * Access tokens: HS256 JWTs (Hono's JWT helper) naming the user and the app, with an expiry.
 * The signing key is imported once, so verifying a token on a connect storm costs one HMAC.
 */
import { sign, verify } from 'hono/jwt';
import { SwitchboardError } from '../lib/errors.ts';

/** The cause of the error `verify` throws for an expired token: the socket route closes with 4003 for it (never on the wire). */
export const tokenExpired = new Error('the access token expired');
/** The user an app-signed token carries itself (no Switchboard user behind it). */
export interface ExternalUser {
  /** The name others see. */
  name: string;
  staff: boolean;
}

/** What a valid token proves. */
export interface AccessClaims {
  /** A Switchboard user's id, or the app's own id of an external user (`external` set). */
  userId: string;
  appId: string;
  /** Milliseconds since the epoch. */
  expiresAt: number;
  /** When it was issued (`iat`), ms since the epoch; 0 when the token does not say. */
  issuedAt: number;
  /** Set for an app-signed token (createAppToken): the user is the app's, not in the database. */
  external?: ExternalUser;
}

/** A signed token and when it expires (ms since the epoch). */
export interface IssuedToken {
  token: string;
  expiresAt: number;
}

/** Issues and verifies access tokens with one signing key. */
export interface TokenIssuer {
  /** Signs a token for a Switchboard user, or with `external` for one of the app's own users. */
  issue(userId: string, appId: string, expiresInSeconds: number, external?: ExternalUser): Promise<IssuedToken>;
  /** The claims of a valid token; `unauthenticated` for anything else, expiry included. */
  verify(token: string): Promise<AccessClaims>;
}

/** The keys a token issuer uses: `current` signs, `previous` (until `previousUntil`) still verifies. */
export interface TokenKeys {
  current: string;
  previous?: string;
  previousUntil?: number;
}

/** Where the keys come from; `reload` re-reads them (a rotation by another process), absent for fixed keys. */
export interface TokenKeySource {
  keys: TokenKeys;
  reload?: () => Promise<TokenKeys>;
}

/** How often a node may re-read its keys when a token fails both (another node may have rotated them). */
const RELOAD_INTERVAL_MS = 5_000;
/** How long a node signs with keys it has not re-read, at most (so all nodes sign with a rotated key soon). */
const STALE_AFTER_MS = 60_000;

type ImportedKeys = { current: CryptoKey; previous?: CryptoKey; previousUntil: number };

async function importKey(secret: string): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', new TextEncoder().encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign', 'verify']);
}

async function importKeys(keys: TokenKeys): Promise<ImportedKeys> {
  return {
    current: await importKey(keys.current),
    ...(keys.previous === undefined ? {} : { previous: await importKey(keys.previous) }),
    previousUntil: keys.previousUntil ?? Number.POSITIVE_INFINITY,
  };
}

/**
 * Creates a token issuer from a secret of at least 32 characters, or from rotating keys: the
 * current key signs; a token it does not verify is tried with the previous key (until that one's
 * end), then, at most every few seconds, with keys re-read from their source.
 */
export async function createTokenIssuer(source: string | TokenKeySource): Promise<TokenIssuer> {
  const { keys, reload } = typeof source === 'string' ? { keys: { current: source }, reload: undefined } : source;
  let imported = await importKeys(keys);
  let loadedAt = Date.now();
  let reloading: Promise<void> | undefined;
  const refresh = () =>
    (reloading ??= (async () => {
      try {
        if (reload) imported = await importKeys(await reload());
      } finally {
        loadedAt = Date.now();
        reloading = undefined;
      }
    })());
  const candidates = (): CryptoKey[] =>
    imported.previous && Date.now() < imported.previousUntil ? [imported.current, imported.previous] : [imported.current];

  const verifyWith = async (token: string): Promise<Record<string, unknown>> => {
    let failure: unknown;
    for (const key of candidates()) {
      try {
        return await verify(token, key, 'HS256');
      } catch (err) {
        // An expired token is expired under any key: no point trying the others.
        if (err instanceof Error && err.name === 'JwtTokenExpired') throw err;
        failure = err;
      }
    }
    if (reload && Date.now() - loadedAt >= RELOAD_INTERVAL_MS) {
      const before = imported;
      await refresh().catch(() => undefined);
      if (imported !== before) return verifyWith(token);
    }
    throw failure;
  };

  return {
    async issue(userId, appId, expiresInSeconds, external) {
      if (reload && Date.now() - loadedAt >= STALE_AFTER_MS) await refresh().catch(() => undefined);
      const now = Math.floor(Date.now() / 1000);
      const exp = now + expiresInSeconds;
      const claims = {
        sub: userId,
        app: appId,
        iat: now,
        exp,
        ...(external ? { ext: { name: external.name, staff: external.staff } } : {}),
      };
      const token = await sign(claims, imported.current, 'HS256');
      return { token, expiresAt: exp * 1000 };
    },
    async verify(token) {
      let claims: Record<string, unknown>;
      try {
        claims = await verifyWith(token);
      } catch (err) {
        if (err instanceof Error && err.name === 'JwtTokenExpired')
          // `expired` tells a client to fetch a new token rather than give up (the SDK's `authorize`).
          throw new SwitchboardError('unauthenticated', 'The access token expired.', { expired: true }, { cause: tokenExpired });
        throw new SwitchboardError('unauthenticated', 'The access token is not valid.');
      }
      const { sub, app, exp, iat, ext } = claims;
      if (typeof sub !== 'string' || typeof app !== 'string' || typeof exp !== 'number') {
        throw new SwitchboardError('unauthenticated', 'The access token is not valid.');
      }
      const base = { userId: sub, appId: app, expiresAt: exp * 1000, issuedAt: typeof iat === 'number' ? iat * 1000 : 0 };
      if (ext === undefined) return base;
      // Only this server signs `ext`, but a malformed one must not become a principal.
      const external = readExternal(ext);
      if (!external) throw new SwitchboardError('unauthenticated', 'The access token is not valid.');
      return { ...base, external };
    },
  };
}

function readExternal(value: unknown): ExternalUser | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const { name, staff } = value as Record<string, unknown>;
  return typeof name === 'string' && typeof staff === 'boolean' ? { name, staff } : undefined;
}
