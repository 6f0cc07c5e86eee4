/** The client side of the raw `ws` baseline: a signed query string, ready when the upgrade completes. */
import { signToken, type Role } from '../../token.ts';
import type { Driver, Target } from './types.ts';
import { toWsUrl, WsBenchSocket } from './ws-socket.ts';

/** Drives the raw `ws` peer. */
export function rawWsDriver(target: Target): Driver {
  const url = (base: string, room: number, role: Role) => {
    const name = `r${room}`;
    return `${toWsUrl(base)}/?room=${name}&role=${role}&token=${signToken(target.secret, name, role)}`;
  };
  return {
    prepare: () => Promise.resolve({ available: true }),
    reader: (room, sink) =>
      new WsBenchSocket(url(target.readUrl, room, 'read'), { readyOnOpen: true, frame: (_socket, frame) => sink(frame) }),
    publisher: (room) => new WsBenchSocket(url(target.publishUrl, room, 'write'), { readyOnOpen: true, frame: () => undefined }),
    publishFrame: (json) => `{"action":"message.send","payload":{"data":${json}}}`,
  };
}
