import { codedErrorClass } from '../lib/coded-error.ts';

/** Why a presence store refused an operation, or what it reports to `onError`. */
export type PresenceStoreErrorCode =
  /** The store was closed; nothing more can be added or read. */
  | 'closed'
  /** An option is invalid: an empty node id or one containing a tab, a TTL below a second. */
  | 'invalid-option'
  /** The Redis URL could not be parsed or uses an unsupported scheme. */
  | 'invalid-url'
  /** Redis could not be reached or refused the connection (wrong password, TLS mismatch). */
  | 'unreachable'
  /** Another live node already holds this node id, so their entries would be indistinguishable. */
  | 'duplicate-node'
  /** Reported, not thrown: this node's liveness had lapsed (a long pause, a Redis restart); its entries were re-added. */
  | 'lapsed';

/** An error raised by a presence store itself; transport errors pass through unchanged. Messages never contain credentials. */
export class PresenceStoreError extends codedErrorClass<PresenceStoreErrorCode>('PresenceStoreError') {}

/** The error of any operation but `remove` after `close()`. */
export function closedError(): PresenceStoreError {
  return new PresenceStoreError('closed', 'The presence store is closed');
}
