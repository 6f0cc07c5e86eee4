/**
 * Who is on the other end of a connection. An authenticator, chosen per socket route, sets it
 * during the upgrade request; the dispatcher only asks whether it is authenticated.
 */

/** The principal of a connection: one union, extended as new kinds of credentials arrive. */
export type Principal = { kind: 'anonymous' };

/** Decides the principal of a socket from its upgrade request; throws a SwitchboardError to refuse. */
export type Authenticator = (request: Request) => Promise<Principal> | Principal;

/** Lets everyone in as anonymous: public actions only. */
export const anonymous: Authenticator = () => ({ kind: 'anonymous' });

/** Whether the principal may use non-public actions. */
export function isAuthenticated(principal: Principal): boolean {
  return principal.kind !== 'anonymous';
}
