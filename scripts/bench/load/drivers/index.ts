/** Picks the driver of a target's protocol. */
import { rawWsDriver } from './raw-ws.ts';
import { socketIoDriver } from './socket-io.ts';
import { switchboardDriver } from './switchboard.ts';
import { switchboardChatDriver } from './switchboard-chat.ts';
import type { Driver, Target } from './types.ts';

/** The driver that speaks `target.protocol`. */
export function createDriver(target: Target): Driver {
  switch (target.protocol) {
    case 'raw-ws':
      return rawWsDriver(target);
    case 'socket-io':
      return socketIoDriver(target);
    case 'switchboard':
      return switchboardDriver(target);
    case 'switchboard-chat':
      return switchboardChatDriver(target);
    default:
      return target.protocol satisfies never;
  }
}

export type { BenchSocket, Driver, FrameSink, Prepared, Protocol, Target } from './types.ts';
