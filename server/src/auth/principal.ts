/**
 * Who is on the other end of a connection. An authenticator, chosen per socket route, sets it
 * during the upgrade request; the dispatcher only asks whether it is authenticated.
 */
import type { UserInfo } from '@switchboard/protocol';

/** An endpoint socket: bound to one room of one app, with its permission. */
export interface EndpointPrincipal {
  kind: 'endpoint';
  appId: string;
  endpointId: string;
  roomId: string;
  room: string;
  permissions: 'read' | 'write' | 'readwrite';
  identity: string;
  /** The socket connected with `?presence=true`: a reader also hears the room's members come and go. */
  presence?: boolean;
  /** When the code expires (ms since the epoch; Infinity: never); the socket is closed with 4003 then. */
  expiresAt: number;
  /** When the credential was last read from the database (local clock), for revocation races. */
  verifiedAt: number;
}

/** A user socket authenticated with an access token. */
export interface UserPrincipal {
  kind: 'user';
  appId: string;
  appName: string;
  userId: string;
  username: string;
  /** The name to show instead of the username, if the user has one. */
  displayName?: string;
  staff: boolean;
  /** When the token expires (ms since the epoch); the socket is closed with 4003 then. */
  expiresAt: number;
  /** When the user was last read from the database (local clock), for revocation races. */
  verifiedAt: number;
  /** An app-signed token's user (`ext:<the app's id>`): no database row, no per-user topic. */
  external?: boolean;
}

/** The wire id of an app's own user: never a Switchboard user's id (those are UUIDs). */
export function externalUserId(appUserId: string): string {
  return `ext:${appUserId}`;
}

/** A user socket before `authorize`: public actions only. */
export interface AnonymousPrincipal {
  kind: 'anonymous';
}

/** The principal of a connection: one union, extended as new kinds of credentials arrive. */
export type Principal = AnonymousPrincipal | EndpointPrincipal | UserPrincipal;

/** Decides the principal of a socket from its upgrade request; throws a SwitchboardError to refuse. */
export type Authenticator<P extends Principal = Principal> = (request: Request, params: Record<string, string>) => Promise<P> | P;

/** Lets everyone in as anonymous: public actions only. */
export const anonymous: Authenticator = () => ({ kind: 'anonymous' });

/** Whether the principal may use non-public actions. */
export function isAuthenticated(principal: Principal): boolean {
  return principal.kind !== 'anonymous';
}

/** Whether an endpoint receives the room's messages. */
export function canRead(permissions: EndpointPrincipal['permissions']): boolean {
  return permissions !== 'write';
}

/** Whether an endpoint may send into its room. */
export function canWrite(permissions: EndpointPrincipal['permissions']): boolean {
  return permissions !== 'read';
}

/** The user as other members see them. */
export function userInfo(principal: UserPrincipal): UserInfo {
  const { userId: id, username, displayName, staff } = principal;
  return { id, username, ...(displayName ? { displayName } : {}), staff };
}
