/**
 * The /ws route: authenticates the upgrade request, then gives each socket a Connection wired to
 * the /ws dispatcher, its own topic on the hub and the `connected` greeting.
 */
import { randomUUID } from 'node:crypto';
import { commonErrors, userActions, type UserActions } from '@switchboard/protocol';
import { userPayloadValidators } from '@switchboard/protocol/validators';
import type { ServerConfig } from '../config.ts';
import type { Logger } from '../logger.ts';
import type { Authenticator } from '../auth/principal.ts';
import { userHandlers, type UserContext } from '../handlers/user.ts';
import { encodeEvent } from '../emitter.ts';
import { SwitchboardError } from '../errors.ts';
import { Connection, type ConnectionLimits } from './connection.ts';
import { createDispatcher } from './dispatcher.ts';
import type { Hub } from './hub.ts';
import type { AcceptSocket } from './node-upgrade.ts';
import { topics } from './topics.ts';

const BINARY_REFUSED = JSON.stringify({
  action: 'error',
  error: new SwitchboardError('bad_request', 'Binary frames are not supported; send JSON text.').toWire(),
});

/** What the /ws route needs from the server. */
export interface UserSocketDeps {
  config: ServerConfig;
  node: string;
  log: Logger;
  hub: Hub;
  connections: Set<Connection>;
  authenticate: Authenticator;
  /** Sees every frame sent to a socket of this route (the contract test's tap). */
  onSend?: (frame: string) => void;
}

/** Builds the accept function of the /ws route. */
export function userSocket(deps: UserSocketDeps): AcceptSocket {
  const { config, hub, connections } = deps;
  const limits: ConnectionLimits = {
    maxBufferedBytes: config.maxBufferedBytes,
    framesPerSecond: config.framesPerSecond,
    frameBurst: config.frameBurst,
    maxInbox: Math.max(64, config.frameBurst),
  };
  const dispatch = createDispatcher<UserActions, UserContext>({
    maxFrameBytes: config.maxFrameBytes,
    actions: userActions,
    validators: userPayloadValidators,
    commonErrors,
    handlers: userHandlers,
    context: (connection): UserContext => ({ connection }),
  });

  return async (c) => {
    const principal = await deps.authenticate(c.req.raw);
    return (socket) => {
      const id = randomUUID();
      const connection = new Connection({
        id,
        socket: deps.onSend ? tapped(socket, deps.onSend) : socket,
        principal,
        log: deps.log.child({ conn: id }),
        limits,
        handle: dispatch,
      });
      connections.add(connection);
      connection.log.debug({ principal: principal.kind }, 'socket open');
      connection.open(async () => {
        await hub.join(topics.connection(id), connection);
        connection.send(
          encodeEvent('connected', {
            connectionId: id,
            node: deps.node,
            protocol: 1,
            heartbeatMs: config.heartbeatMs,
            maxFrameBytes: config.maxFrameBytes,
          }),
        );
      });
      return {
        message: (text) => connection.receive(text),
        binary: () => connection.send(BINARY_REFUSED),
        pong: () => {
          connection.alive = true;
        },
        closed: (code) => {
          connection.closed(code);
          connections.delete(connection);
          connection.log.debug({ code }, 'socket closed');
          hub.leaveAll(connection).catch((err: unknown) => connection.log.error({ err }, 'leaving topics failed'));
        },
      };
    };
  };
}

function tapped<S extends { send(data: string): void }>(socket: S, onSend: (frame: string) => void): S {
  return new Proxy(socket, {
    get(target, key) {
      if (key === 'send') return (data: string) => (onSend(data), target.send(data));
      const value = Reflect.get(target, key, target) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
