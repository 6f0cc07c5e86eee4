/**
 * The metrics port: what the layers report, as plain calls on the hot path (counters, no labels
 * of unbounded cardinality). metrics/prometheus.ts implements it with prom-client; `noMetrics`
 * is the default of every layer that is given none (tests, the CLI).
 */

/** Where a command's error answer went. */
export type ErrorTransport = 'socket' | 'rest';

/** A channel-layer connection to Redis: the one that publishes, or the one that holds the subscriptions. */
export type ChannelConnection = 'publisher' | 'subscriber';

/**
 * Why clients learn of missing messages: sockets closed with 4004 after this node's subscriptions
 * came back (`resubscription`), or a room without history whose counter Redis lost continuing
 * above the database's ceiling, so that its next seq jumps (`seq_jump`, which the SDK announces
 * as `chat.gap`).
 */
export type GapCause = 'resubscription' | 'seq_jump';

/** A dependency whose call timed out. */
export type Dependency = 'postgres' | 'redis';

/** What the layers report. Every method is cheap and never throws. */
export interface Metrics {
  /** A frame a socket received on `route` (`user`, `endpoint`), of `bytes`. */
  frameIn(route: string, bytes: number): void;
  /** A frame written to a socket on `route`, of `bytes`. */
  frameOut(route: string, bytes: number): void;
  /** A close the server sent on `route`, with its close code (4001 is a slow-consumer close). */
  closed(route: string, code: number): void;
  /** An error answer, by its catalog code; `cause` is the error answered, for the dependency timeouts. */
  error(transport: ErrorTransport, code: string, cause?: unknown): void;
  /** A frame this node handed to its local members of a topic (the publish-to-delivery latency is read from it). */
  delivered(frame: string): void;
  /** A channel-layer connection to Redis is ready again after a drop. */
  reconnected(connection: ChannelConnection): void;
  /** The channel layer's subscriber reconnected and resubscribed every topic after a loss. */
  resubscribed(): void;
  /** A loss announced to clients: `count` sockets closed with 4004 (a resubscription), or `count` rooms whose seq jumped. */
  gapAnnounced(cause: GapCause, count: number): void;
  /** A job finished with `status` (`succeeded`, `failed`, `cancelled`, `timed_out`, `lost`), counted once by whoever finished it. */
  jobFinished(status: string): void;
}

const nothing = () => {};

/** Metrics that go nowhere. */
export const noMetrics: Metrics = {
  frameIn: nothing,
  frameOut: nothing,
  closed: nothing,
  error: nothing,
  delivered: nothing,
  reconnected: nothing,
  resubscribed: nothing,
  gapAnnounced: nothing,
  jobFinished: nothing,
};
