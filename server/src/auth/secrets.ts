/**
 * Secrets Switchboard hands out (API keys, endpoint codes, the operator token): 256 random bits,
 * shown once, stored only as a SHA-256 hash. A fast hash is right here: the secrets are random,
 * so there is nothing to brute-force that a slow hash would protect (passwords use scrypt).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** A new random secret, base64url, with an optional readable prefix. */
export function randomSecret(prefix = ''): string {
  return `${prefix}${randomBytes(32).toString('base64url')}`;
}

/** The hex SHA-256 of a secret, as stored and looked up. */
export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Compares a presented secret with a stored hash in constant time. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** How API keys start, so leaked keys are recognizable by scanners and people. */
export const API_KEY_PREFIX = 'sk_';

/** The characters of a key kept in clear to tell keys apart. */
export function keyPrefix(key: string): string {
  return key.slice(0, API_KEY_PREFIX.length + 6);
}
