/**
 * What every socket route shares: authenticate the upgrade, give the socket a Connection with its
 * own topic, run the route's opening work before any frame, and clean up on close. A route adds
 * only its authenticator, its dispatcher and what it joins.
 */
import type { ConnectedEvent } from '@switchboard/protocol';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Principal } from '../auth/principal.ts';
import { SwitchboardError } from '../errors.ts';
import { Connection, type ConnectionLimits, type FrameHandler } from './connection.ts';
import type { Hub } from './hub.ts';
import type { AcceptSocket, RawSocket, UpgradeRequest } from './node-upgrade.ts';
import { newConnectionId } from './direct.ts';
import { encodeUserEvent } from './broadcasts.ts';

/** What socket routes need from the server. */
export interface SocketDeps {
  config: ServerConfig;
  node: string;
  log: Logger;
  hub: Hub;
  /** The sockets open on this node, by connection id. */
  connections: Map<string, Connection>;
  /** Sees every frame sent to a socket (the contract test's tap), with the route's channel id. */
  onSend?: (route: string, frame: string) => void;
  /** Sees every close the server sends on a socket (the contract test's tap): route, code, reason. */
  onClose?: (route: string, code: number, reason: string) => void;
}

/** One socket route. */
export interface SocketRoute<P extends Principal> {
  /** The AsyncAPI channel id (`user`, `endpoint`). */
  channel: string;
  authenticate(request: UpgradeRequest): Promise<P>;
  dispatch: FrameHandler;
  /** Joins the route's topics; runs before the greeting and before any frame is handled. */
  open?(connection: Connection, principal: P): Promise<void>;
  /** Extra fields of the `connected` greeting. */
  greeting?(principal: P): Partial<ConnectedEvent>;
  /** Runs right after the greeting, still before any frame is handled (e.g. `welcome`). */
  opened?(connection: Connection, principal: P): void;
  /** Cleans up what `open` registered outside the hub. */
  closed?(connection: Connection, principal: P): Promise<void>;
}

const BINARY_REFUSED = JSON.stringify({
  action: 'error',
  error: new SwitchboardError('bad_request', 'Binary frames are not supported; send JSON text.').toWire(),
});

/** Builds the accept function of a socket route. */
export function acceptSockets<P extends Principal>(deps: SocketDeps, route: SocketRoute<P>): AcceptSocket {
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
      const connection = new Connection({ id, route: route.channel, socket: tap(socket), principal, log: deps.log, limits, handle: route.dispatch });
      connections.set(id, connection);
      if (deps.log.isLevelEnabled('debug')) connection.log.debug({ principal: principal.kind }, 'socket open');
      connection.open(async () => {
        await route.open?.(connection, principal);
        const greeting: ConnectedEvent = {
          connectionId: id,
          node: deps.node,
          protocol: 1,
          heartbeatMs: config.heartbeatMs,
          maxFrameBytes: config.maxFrameBytes,
          ...route.greeting?.(principal),
        };
        connection.send(encodeUserEvent('connected', greeting));
        route.opened?.(connection, principal);
      });
      return {
        message: (text) => connection.receive(text),
        binary: () => connection.send(BINARY_REFUSED),
        pong: () => {
          connection.alive = true;
        },
        closed: (code) => {
          connection.closed(code);
          connections.delete(id);
          if (deps.log.isLevelEnabled('debug')) connection.log.debug({ code }, 'socket closed');
          // The principal may have changed since the upgrade (`authorize`): clean up the current one.
          const cleanup = Promise.all([hub.leaveAll(connection), route.closed?.(connection, connection.principal as P)]);
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
