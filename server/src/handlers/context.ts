/**
 * What every handler gets besides its payload: `{ session, services }`. The session is the
 * route's view of one socket (created by sockets/, which implements these interfaces); the
 * services are the one object the composition root built.
 */
import type { AnonymousPrincipal, EndpointPrincipal, UserPrincipal } from '../auth/principal.ts';
import { SwitchboardError } from '../lib/errors.ts';
import type { RoomRef, Services } from '../services/index.ts';

/** One user socket: who it is (anonymous until `authorize`) and the chat rooms it joined. */
export interface UserSession {
  /** The connection id its `connected` event announced. */
  readonly connectionId: string;
  /** The client's address (behind trusted proxies, the forwarded one): what per-address limits count. */
  readonly address: string;
  readonly principal: AnonymousPrincipal | UserPrincipal;
  /** Makes the socket this user's: joins the user's topics the first time, greets with `welcome` after the answer. */
  authorize(principal: UserPrincipal): Promise<void>;
  /** Whether the socket joined the chat room of that name. */
  hasJoined(room: string): boolean;
  /** The room of that name as this socket joined it (its id fixed at join), or undefined. */
  joinedRoom(room: string): RoomRef | undefined;
  /** Subscribes the socket to a room's chat and records it as joined; resolves once live. */
  enterRoom(room: RoomRef): Promise<void>;
  /** Unsubscribes the socket from a joined room; undefined when it had not joined it. */
  leaveRoom(name: string): Promise<RoomRef | undefined>;
  /** Runs `fn` right after the current command's answer is written (a job's first event follows its answer). */
  afterReply(fn: () => void): void;
}

/** One endpoint socket: the endpoint its code opened. */
export interface EndpointSession {
  readonly endpoint: EndpointPrincipal;
}

/** The second argument of every handler. */
export interface HandlerContext<Session> {
  session: Session;
  services: Services;
}

/** The user of the socket; the dispatcher already refused anonymous sockets non-public actions. */
export function requireUser(session: UserSession): UserPrincipal {
  const { principal } = session;
  if (principal.kind !== 'user') throw new SwitchboardError('unauthenticated', 'Authorize the socket first.');
  return principal;
}

/** One worker socket: its app (undefined until `authorize` when no key came with the upgrade). */
export interface WorkerSession {
  /** The connection id; the worker's id in the job queue. */
  readonly connectionId: string;
  readonly app: { readonly id: string; readonly name: string } | undefined;
  /** Makes the socket the app's worker: it may serve that app's kinds from then on. */
  authorize(app: { id: string; name: string }): Promise<void>;
}

/** The app of a worker socket; the dispatcher already refused anonymous sockets non-public actions. */
export function requireWorkerApp(session: WorkerSession): { readonly id: string; readonly name: string } {
  if (!session.app) throw new SwitchboardError('unauthenticated', 'Authorize the socket with an API key first.');
  return session.app;
}
