/**
 * What every socket route shares: authenticate the upgrade, give the socket a Connection and the
 * route's handler context (its session and the services), run the route's subscriptions before
 * any frame, and clean up on close. A route adds only its authenticator, its context, its
 * dispatcher and what it joins.
 */
import type { ConnectedEvent } from '@switchboard/protocol';
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

/** What socket routes need from the server. */
export interface SocketDeps {
  config: ServerConfig;
  node: string;
  log: Logger;
  hub: Hub;
  /** The one services object of this node. */
  services: Services;
  /** The sockets open on this node, by connection id. */
  connections: Map<string, Connection>;
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
  /** Creates the socket's handler context (its session and the services), once per socket. */
  createContext(connection: Connection, principal: P): C;
  dispatch: Dispatch<C>;
  /** Joins the route's topics; runs before the greeting and before any frame is handled. */
  subscribe?(connection: Connection, context: C): Promise<void>;
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

/** Builds the accept function of a socket route. */
export function acceptSockets<P, C>(deps: SocketDeps, route: SocketRoute<P, C>): AcceptSocket {
  const { config, hub, connections } = deps;
  const limits: ConnectionLimits = {
    maxBufferedBytes: config.maxBufferedBytes,
    framesPerSecond: config.framesPerSecond,
    frameBurst: config.frameBurst,
    maxInbox: Math.max(64, config.frameBurst),
  };
  const { onSend, onClose } = deps;
  const tap =
    onSend || onClose
      ? (socket: RawSocket) =>
          tapped(socket, {
            send: (frame) => onSend?.(route.channel, frame),
            close: (code, reason) => onClose?.(route.channel, code, reason),
          })
      : (socket: RawSocket) => socket;

  return async (request) => {
    const principal = await route.authenticate(request);
    return (socket) => {
      const id = newConnectionId(deps.node);
      // Frames are handled only after `prepare` below, so `context` is set before the first one.
      const connection: Connection = new Connection({
        id,
        route: route.channel,
        socket: tap(socket),
        log: deps.log,
        limits,
        handle: (frame) => route.dispatch(connection, context, frame),
      });
      const context = route.createContext(connection, principal);
      connections.set(id, connection);
      if (deps.log.isLevelEnabled('debug')) connection.log.debug('socket open');
      connection.prepare(async () => {
        await route.subscribe?.(connection, context);
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
        message: (text) => connection.receive(text),
        binary: () => connection.send(BINARY_REFUSED),
        pong: () => connection.markAlive(),
        end: (code) => {
          connection.recordClose(code);
          connections.delete(id);
          if (deps.log.isLevelEnabled('debug')) connection.log.debug({ code }, 'socket closed');
          // The session holds the current principal (`authorize` may have changed it since the upgrade).
          const cleanup = Promise.all([hub.leaveAll(connection), route.cleanup?.(connection, context)]);
          cleanup.catch((err: unknown) => connection.log.error({ err }, 'cleaning up a closed socket failed'));
        },
      };
    };
  };
}

function tapped(socket: RawSocket, tap: { send(frame: string): void; close(code: number, reason: string): void }): RawSocket {
  return {
    get readyState() {
      return socket.readyState;
    },
    get bufferedAmount() {
      return socket.bufferedAmount;
    },
    send(data: string | Buffer, options?: { binary: boolean }) {
      if (typeof data === 'string') {
        tap.send(data);
        socket.send(data);
      } else {
        tap.send(data.toString('utf8'));
        socket.send(data, options ?? { binary: false });
      }
    },
    close: (code, reason) => {
      tap.close(code, reason);
      socket.close(code, reason);
    },
    terminate: () => socket.terminate(),
    ping: () => socket.ping(),
  };
}
