/**
 * The client side of the Socket.IO peers: Engine.IO 4 and Socket.IO 5 packets spoken directly
 * over the same `ws` client as the other peers (websocket transport only, one packet per frame),
 * so the generator spends the same CPU per frame whichever peer it drives. The frames are what
 * socket.io-client sends and expects; the smoke test checks it against socket.io-client itself.
 */
import { signToken, type Role } from '../../token.ts';
import type { Driver, FrameSink, Target } from './types.ts';
import { toWsUrl, WsBenchSocket } from './ws-socket.ts';

// Engine.IO packet types (first character) and Socket.IO packet types (second, after "4").
const OPEN = 0x30;
const PING = 0x32;
const MESSAGE = 0x34;
const SIO_CONNECT = 0x30;
const SIO_DISCONNECT = 0x31;
const SIO_EVENT = 0x32;
const SIO_CONNECT_ERROR = 0x34;

/** Drives a Socket.IO peer. */
export function socketIoDriver(target: Target): Driver {
  const open = (base: string, room: number, role: Role, sink: FrameSink | undefined) => {
    const name = `r${room}`;
    const auth = JSON.stringify({ room: name, role, token: signToken(target.secret, name, role) });
    return new WsBenchSocket(`${toWsUrl(base)}/socket.io/?EIO=4&transport=websocket`, {
      readyOnOpen: false,
      frame: (socket, frame) => {
        const type = frame[0];
        if (type === MESSAGE) {
          const packet = frame[1];
          if (packet === SIO_EVENT) sink?.(frame);
          else if (packet === SIO_CONNECT) socket.markReady();
          else if (packet === SIO_CONNECT_ERROR || packet === SIO_DISCONNECT) socket.fail(new Error(`refused: ${frame.toString()}`));
        } else if (type === PING) {
          socket.send('3');
        } else if (type === OPEN) {
          socket.send(`40${auth}`);
        }
      },
    });
  };
  return {
    prepare: () => Promise.resolve({ available: true }),
    reader: (room, sink) => open(target.readUrl, room, 'read', sink),
    publisher: (room) => open(target.publishUrl, room, 'write', undefined),
    publishFrame: (json) => `42["pub",${json}]`,
  };
}
