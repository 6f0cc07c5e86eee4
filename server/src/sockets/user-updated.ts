/**
 * The argument of the `user-updated` control message: the user's new UserInfo as JSON. It comes
 * from our own nodes over the channel layer, yet is checked before any session trusts it.
 */
import type { UserInfo } from '@switchboard/protocol';

/** The UserInfo carried by a `user-updated` control message, or undefined if it is not one. */
export function parseUserInfo(argument: string): UserInfo | undefined {
  let value: unknown;
  try {
    value = JSON.parse(argument);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { id, username, displayName, staff } = value as Record<string, unknown>;
  if (typeof id !== 'string' || typeof username !== 'string' || typeof staff !== 'boolean') return undefined;
  if (displayName !== undefined && typeof displayName !== 'string') return undefined;
  return { id, username, ...(displayName === undefined ? {} : { displayName }), staff };
}
