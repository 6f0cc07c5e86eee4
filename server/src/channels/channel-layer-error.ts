import { codedErrorClass } from '../lib/coded-error.ts';

/** Why a channel layer refused an operation. */
export type ChannelLayerErrorCode =
  /** The layer was closed; nothing more can be published or subscribed. */
  | 'closed'
  /** The Redis URL could not be parsed or uses an unsupported scheme. */
  | 'invalid-url'
  /** Redis could not be reached or refused the connection (wrong password, TLS mismatch). */
  | 'unreachable';

/** An error raised by a channel layer itself; transport errors pass through unchanged. Messages never contain credentials. */
export class ChannelLayerError extends codedErrorClass<ChannelLayerErrorCode>('ChannelLayerError') {}
