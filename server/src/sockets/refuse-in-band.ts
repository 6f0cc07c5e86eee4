/**
 * Refusing a socket in a way a browser can read. A browser's WebSocket sees no HTTP status: a
 * refused upgrade is only close 1006, which the SDK must treat as a network fault and retry
 * forever. So refusals a client must act on (refresh the token, stop retrying) complete the
 * handshake and close at once with a documented code, before any frame is sent.
 */
import { closeCodes, type CloseReason } from '@switchboard/protocol';
import type { AcceptSocket } from '../ws/socket-contract.ts';

/** The accept result of a socket that is closed with `reason` as soon as it opens. */
export function closeOnOpen(reason: CloseReason, message: string): Awaited<ReturnType<AcceptSocket>> {
  return (socket) => {
    socket.close(closeCodes[reason].code, message);
    return { message: () => {}, binary: () => {}, pong: () => {}, end: () => {} };
  };
}
