/**
 * What every socket route shares: authenticate the upgrade, give the socket a Connection and the
 * route's handler context (its session and the services), run the route's subscriptions before
 * any frame, and clean up on close. A route adds only its authenticator, its context, its
 * dispatcher and what it joins.
 */
import { closeCodes, type ConnectedEvent } from '@switchboard/protocol';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../lib/logger.ts';
import { SwitchboardError } from '../lib/errors.ts';
import { Connection, type ConnectionLimits } from '../ws/connection.ts';
import type { Dispatch } from '../ws/dispatcher.ts';
import type { Hub } from '../ws/hub.ts';
import type { AcceptSocket, RawSocket, UpgradeRequest } from '../ws/socket-contract.ts';
import { newConnectionId } from '../ws/direct.ts';
import type { Services } from '../services/index.ts';
import { encodeUserEvent } from '../delivery/broadcasts.ts';
import type { Metrics } from '../lib/metrics.ts';
import type { AddressResolver } from '../lib/client-address.ts';
import type { SocketCounts, SocketKeys } from '../limits/socket-counts.ts';
import type { Principal } from '../auth/principal.ts';

/** What socket routes need from the server. */
export interface SocketDeps {
  config: ServerConfig;
  /** The client address of an upgrade behind trusted proxies (see `TRUST_PROXY`). */
  resolveAddress: AddressResolver;
  node: string;
  log: Logger;
  hub: Hub;
  /** The one services object of this node. */
  services: Services;
  /** The sockets open on this node, by connection id. */
  connections: Map<string, Connection>;
  /**
   * The route cleanup of each open socket (leaving its rooms, announced to the others), run once
   * whichever comes first: the socket's end, or the node's graceful shutdown, which awaits them
   * all before it closes the stores.
   */
  departures: Map<string, () => Promise<void>>;
  /** Where frames, bytes and closes are counted. */
  metrics: Metrics;
  /** This node's open sockets per user, endpoint code, app and client address (`MAX_SOCKETS_PER_*`). */
  socketCounts: SocketCounts;
  /** Sees every frame sent to a socket (the contract test's tap), with the route's channel id. */
  onSend?: (route: string, frame: string) => void;
  /** Sees every close the server sends on a socket (the contract test's tap): route, code, reason. */
  onClose?: (route: string, code: number, reason: string) => void;
}

/** One socket route, with `P` what its upgrade proves and `C` its handler context. */
export interface SocketRoute<P, C> {
  /** The AsyncAPI channel id (`user`, `endpoint`). */
  channel: string;
  /** Runs during the upgrade request; throws a SwitchboardError to refuse it. */
  authenticate(request: UpgradeRequest): Promise<P>;
  /** What the socket counts under besides its address (the per-app, per-user and per-endpoint limits). */
  countedAs(principal: P): CountedAs;
  /** Creates the socket's handler context (its session and the services), once per socket. */
  createContext(connection: Connection, principal: P): C;
  dispatch: Dispatch<C>;
  /** Joins the route's topics; runs before the greeting and before any frame is handled. */
  subscribe?(connection: Connection, context: C): Promise<void>;
  /** Whether the socket is greeted with `connected` (a compatibility route speaking an origin's frames is not). @default true */
  greet?: boolean;
  /** Extra fields of the `connected` greeting. */
  greeting?(context: C): Partial<ConnectedEvent>;
  /** Runs right after the greeting, still before any frame is handled (e.g. `welcome`). */
  afterGreeting?(connection: Connection, context: C): void;
  /** Undoes what `subscribe` registered outside the hub, once the socket is gone. */
  cleanup?(connection: Connection, context: C): Promise<void>;
}

const BINARY_REFUSED = JSON.stringify({
  action: 'error',
  error: new SwitchboardError('bad_request', 'Binary frames are not supported; send JSON text.').toWire(),
});

/** How long a client refused for too many sockets is told to wait (a hint: a socket of its own may close sooner). */
export const SOCKET_RETRY_AFTER_SECONDS = 10;

/** The keys a socket counts under, but its address. */
export type CountedAs = Omit<SocketKeys, 'address'>;

/** What a user or endpoint credential counts under: its app, and the user or endpoint it names. */
export function principalCounts(principal: Principal): CountedAs {
  switch (principal.kind) {
    case 'anonymous':
      return {};
    case 'user':
      return { app: principal.appId, user: `${principal.appId}:${principal.userId}` };
    case 'endpoint':
      return { app: principal.appId, endpoint: principal.endpointId };
  }
}

/** The refusal of a socket over one of the limits; the user route turns it into close 4005. */
export function tooManySockets(scope: string, limit: number): SwitchboardError {
  return new SwitchboardError(
    'rate_limited',
    `Too many sockets open for this ${scope}; close one or retry later.`,
    { scope, limit, retryAfterMs: SOCKET_RETRY_AFTER_SECONDS * 1000 },
    { retryAfter: SOCKET_RETRY_AFTER_SECONDS },
  );
}

/** Builds the accept function of a socket route. */
export function acceptSockets<P, C>(deps: SocketDeps, route: SocketRoute<P, C>): AcceptSocket {
  const { config, hub, connections } = deps;
  const limits: ConnectionLimits = {
    maxBufferedBytes: config.maxBufferedBytes,
    framesPerSecond: config.framesPerSecond,
    frameBurst: config.frameBurst,
    maxInbox: Math.max(64, config.frameBurst),
    malformedPerMinute: config.maxMalformedFrames,
  };
  const { onSend, onClose, metrics } = deps;
  const channel = route.channel;
  const tap = (socket: RawSocket) =>
    tapped(socket, {
      send: (frame, bytes) => (metrics.frameOut(channel, bytes), onSend?.(channel, frame)),
      close: (code, reason) => (metrics.closed(channel, code), onClose?.(channel, code, reason)),
      // The contract tap reads every frame as text; counting alone needs only its length.
      text: onSend !== undefined,
    });

  return async (request) => {
    const principal = await route.authenticate(request);
    const address = deps.resolveAddress(request.peerAddress, request.header('x-forwarded-for'));
    const keys: SocketKeys = { address, ...route.countedAs(principal) };
    // Checked before the handshake (the refusal is an HTTP answer), counted once the socket exists
    // (a handshake that never completes must not hold a count). Two racing upgrades may both pass
    // the check; the second is closed 4005 below.
    const check = deps.socketCounts.admit(keys);
    if (!check.admitted) throw tooManySockets(check.scope, check.limit);
    check.release();
    return (socket) => {
      const admission = deps.socketCounts.admit(keys);
      if (!admission.admitted) {
        tap(socket).close(closeCodes.too_many_sockets.code, closeCodes.too_many_sockets.reason);
        return { message: () => {}, binary: () => {}, pong: () => {}, end: () => {} };
      }
      const id = newConnectionId(deps.node);
      // Frames are handled only after `prepare` below, so `context` is set before the first one.
      const connection: Connection = new Connection({
        id,
        address,
        route: route.channel,
        socket: tap(socket),
        log: deps.log,
        limits,
        handle: (frame, refusal) => route.dispatch(connection, context, frame, refusal),
      });
      const context = route.createContext(connection, principal);
      connections.set(id, connection);
      let departed: Promise<void> | undefined;
      const depart = () => (departed ??= route.cleanup?.(connection, context) ?? Promise.resolve());
      deps.departures.set(id, depart);
      if (deps.log.isLevelEnabled('debug')) connection.log.debug({ address }, 'socket open');
      connection.prepare(async () => {
        await route.subscribe?.(connection, context);
        if (route.greet === false) return;
        const greeting: ConnectedEvent = {
          connectionId: id,
          node: deps.node,
          protocol: 1,
          heartbeatMs: config.heartbeatMs,
          maxFrameBytes: config.maxFrameBytes,
          ...route.greeting?.(context),
        };
        connection.send(encodeUserEvent('connected', greeting));
        route.afterGreeting?.(connection, context);
      });
      return {
        message: (text) => {
          metrics.frameIn(channel, Buffer.byteLength(text));
          connection.receive(text);
        },
        binary: () => {
          connection.malformed();
          connection.send(BINARY_REFUSED);
        },
        pong: () => connection.markAlive(),
        end: (code) => {
          admission.release();
          connection.recordClose(code);
          connections.delete(id);
          deps.departures.delete(id);
          if (deps.log.isLevelEnabled('debug')) connection.log.debug({ code }, 'socket closed');
          // The session holds the current principal (`authorize` may have changed it since the upgrade).
          const cleanup = Promise.all([hub.leaveAll(connection), depart()]);
          cleanup.catch((err: unknown) => connection.log.error({ err }, 'cleaning up a closed socket failed'));
        },
      };
    };
  };
}

/** The socket as the route sees it: every frame and close it sends is counted, and shown to the contract tap when there is one. */
function tapped(
  socket: RawSocket,
  tap: { send(frame: string, bytes: number): void; close(code: number, reason: string): void; text: boolean },
): RawSocket {
  return {
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data: string | Buffer, options?: { binary: boolean }) {
      if (typeof data === 'string') {
        tap.send(data, Buffer.byteLength(data));
        socket.send(data);
      } else {
        tap.send(tap.text ? data.toString('utf8') : '', data.length);
        socket.send(data, options ?? { binary: false });
      }
    },
    close: (code, reason) => {
      tap.close(code, reason);
      socket.close(code, reason);
    },
    terminate: () => socket.terminate(),
    ping: () => socket.ping(),
    pause: () => socket.pause?.(),
    resume: () => socket.resume?.(),
  };
}
