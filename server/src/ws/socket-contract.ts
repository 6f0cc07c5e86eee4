/**
 * The socket contract between the transport core and a runtime adapter: what a socket route sees
 * of an upgrade request and of an open socket. The core (connection, socket routes) imports only
 * this file; an adapter (node-upgrade.ts for Node's `ws`) implements it, as Hono's
 * `adapter/bun/websocket.ts` implements the core's `helper/websocket` contract.
 */

/** What the connection layer needs of a socket; `ws`'s WebSocket has exactly this. */
export interface RawSocket {
  readonly readyState: number;
  /** Bytes queued but not yet written to the network. */
  readonly bufferedAmount: number;
  /** Sends a text frame. */
  send(data: string): void;
  /** Sends a frame already encoded; `{ binary: false }` makes it a text frame. */
  send(data: Buffer, options: { binary: boolean }): void;
  close(code: number, reason: string): void;
  terminate(): void;
  ping(): void;
  /** Stops reading from the peer (backpressure); optional for adapters that cannot. */
  pause?(): void;
  /** Reads again after `pause`. */
  resume?(): void;
}

/** The callbacks of one open socket. */
export interface SocketCallbacks {
  /** A text frame arrived. */
  message(text: string): void;
  /** A binary frame arrived (the protocol is JSON text). */
  binary(): void;
  /** The peer answered a ping. */
  pong(): void;
  /** The socket is gone (closed by either side), with its close code. */
  end(code: number): void;
}

/** The parts of an upgrade request an authenticator may read. */
export interface UpgradeRequest {
  readonly url: URL;
  /** The address of the peer that opened the connection (a proxy, when there is one). */
  readonly peerAddress: string | undefined;
  /** A path parameter of the matched route, e.g. `code`. */
  param(name: string): string | undefined;
  header(name: string): string | undefined;
  cookie(name: string): string | undefined;
}

/** Runs during the upgrade request (throws a SwitchboardError to refuse); returns how to attach the socket once open. */
export type AcceptSocket = (request: UpgradeRequest) => Promise<(socket: RawSocket) => SocketCallbacks>;

/** A socket route: a path pattern (AsyncAPI style) where `{name}` matches one segment; a trailing slash is accepted. */
export interface SocketRouteEntry {
  path: string;
  accept: AcceptSocket;
}
